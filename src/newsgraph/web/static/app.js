// newsgraph explorer: small progressive enhancements. Every page works without this file.
// No inline handlers, no eval, no network: the Content-Security-Policy allows only this file.
"use strict";

(function () {
  // Article page: a click (or Enter) on a highlighted stretch lists the facts drawn from it.
  function explainFacts(span) {
    var ids = (span.getAttribute("data-facts") || "").split(" ").filter(Boolean);
    var explain = document.getElementById("explain");
    if (!explain) { return; }
    document.querySelectorAll(".hl.active").forEach(function (el) { el.classList.remove("active"); });
    document.querySelectorAll(".fact.selected").forEach(function (el) { el.classList.remove("selected"); });
    span.classList.add("active");
    explain.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = "“" + span.textContent + "”: " + ids.length + " fact(s)";
    explain.appendChild(heading);
    ids.forEach(function (id) {
      var item = document.getElementById(id);
      if (!item) { return; }
      item.classList.add("selected");
      var group = item.closest("details");
      if (group) { group.open = true; }
      explain.appendChild(item.cloneNode(true)).removeAttribute("id");
    });
  }

  function setUpArticle() {
    var text = document.getElementById("article-text");
    if (!text) { return; }
    text.addEventListener("click", function (event) {
      var span = event.target.closest(".hl");
      if (span) { explainFacts(span); }
    });
    text.addEventListener("keydown", function (event) {
      var span = event.target.closest(".hl");
      if (span && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        explainFacts(span);
      }
    });
    document.querySelectorAll(".kind-toggle").forEach(function (box) {
      box.addEventListener("change", function () {
        text.classList.toggle("hide-" + box.value, !box.checked);
      });
    });
    // A link to /articles/ID#FACT selects that fact's first highlighted stretch.
    var wanted = decodeURIComponent(window.location.hash.slice(1));
    if (wanted) {
      var first = Array.prototype.find.call(text.querySelectorAll(".hl"), function (el) {
        return (el.getAttribute("data-facts") || "").split(" ").indexOf(wanted) >= 0;
      });
      if (first) { explainFacts(first); first.scrollIntoView({ block: "center" }); }
    }
  }

  // Network page: hovering an actor dims everything it is not linked to.
  function setUpNetwork() {
    var svg = document.getElementById("network");
    if (!svg) { return; }
    var edges = svg.querySelectorAll(".edge");
    var nodes = svg.querySelectorAll(".node");
    function focus(name) {
      var near = {};
      near[name] = true;
      edges.forEach(function (edge) {
        var hit = edge.getAttribute("data-source") === name || edge.getAttribute("data-target") === name;
        edge.classList.toggle("near", hit);
        if (hit) {
          near[edge.getAttribute("data-source")] = true;
          near[edge.getAttribute("data-target")] = true;
        }
      });
      nodes.forEach(function (node) { node.classList.toggle("near", !!near[node.getAttribute("data-name")]); });
      svg.classList.add("focus");
    }
    nodes.forEach(function (node) {
      node.addEventListener("mouseenter", function () { focus(node.getAttribute("data-name")); });
      node.addEventListener("focus", function () { focus(node.getAttribute("data-name")); });
      node.addEventListener("mouseleave", function () { svg.classList.remove("focus"); });
      node.addEventListener("blur", function () { svg.classList.remove("focus"); });
    });
  }

  // Timeline page: drag across the chart to select months, then zoom in or list events.
  function monthAfter(first, count) {
    var year = parseInt(first.slice(0, 4), 10);
    var month = parseInt(first.slice(5, 7), 10) - 1 + count;
    year += Math.floor(month / 12);
    month = ((month % 12) + 12) % 12 + 1;
    return String(year).padStart(4, "0") + "-" + String(month).padStart(2, "0");
  }

  function setUpTimeline() {
    var svg = document.getElementById("timeline");
    if (!svg || !svg.getScreenCTM) { return; }
    var brush = svg.querySelector(".brush");
    var first = svg.getAttribute("data-first");
    var months = parseInt(svg.getAttribute("data-months"), 10);
    var width = parseFloat(svg.getAttribute("data-width"));
    var status = document.getElementById("brush-status");
    var zoom = document.getElementById("brush-zoom");
    var list = document.getElementById("brush-events");
    var start = null;
    function svgX(event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var x = point.matrixTransform(svg.getScreenCTM().inverse()).x;
      return Math.max(0, Math.min(width, x));
    }
    function monthAt(x) { return Math.min(months - 1, Math.floor(x / (width / months))); }
    function draw(a, b) {
      brush.setAttribute("x", Math.min(a, b));
      brush.setAttribute("width", Math.abs(b - a));
    }
    svg.addEventListener("pointerdown", function (event) {
      start = svgX(event);
      draw(start, start);
      event.preventDefault();
    });
    svg.addEventListener("pointermove", function (event) {
      if (start !== null) { draw(start, svgX(event)); }
    });
    window.addEventListener("pointerup", function (event) {
      if (start === null) { return; }
      var end = svgX(event);
      var low = monthAfter(first, monthAt(Math.min(start, end)));
      var high = monthAfter(first, monthAt(Math.max(start, end)));
      start = null;
      var params = new URLSearchParams(window.location.search);
      var type = params.get("type");
      var suffix = type ? "&type=" + encodeURIComponent(type) : "";
      zoom.href = "/timeline?since=" + low + "&until=" + high + suffix;
      list.href = "/events?since=" + low + "&until=" + high + suffix;
      zoom.hidden = false;
      list.hidden = false;
      status.firstChild.textContent = "Selected " + low + " to " + high + ": ";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpArticle();
    setUpNetwork();
    setUpTimeline();
  });
})();
