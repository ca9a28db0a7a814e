"""Responses: one page's data as autoescaped HTML, as JSON, or as CSV.

Every page handler builds a plain dict and calls :func:`page`; whether the client gets
HTML or JSON depends on the path (a ``.json`` suffix) or the ``Accept`` header. JSON is
written with ``<``, ``>`` and ``&`` escaped as ``\\u003c`` ... so that even a client that
sniffs a JSON body as HTML finds no markup in it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from newsgraph.web.charts import colour

TEMPLATES = Path(__file__).parent / "templates"


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def dumps(data: Any) -> str:
    """JSON text with markup characters escaped (safe to serve, embed or sniff)."""
    text = json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class JSONPage(Response):
    """A JSON response written by :func:`dumps`."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON (``.json`` path, or ``Accept`` preferring it)."""
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    if "application/json" not in accept:
        return False
    return "text/html" not in accept or accept.find("application/json") < accept.find("text/html")


def safe_url(value: object) -> str | None:
    """``value`` when it is an http(s) URL, else None (``javascript:`` and the like never link)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.netloc
        and not re.search(r"[\s<>\"']", text)
    ):
        return text
    return None


_SNIPPET_TAG = re.compile(r"(</?b>)")


def snippet_markup(snippet: str) -> Markup:
    """A search snippet with hits as ``<mark>``; everything else is re-escaped text.

    The index marks hits with ``<b>`` and escapes the text around them; here only those
    exact tags survive, and the rest is unescaped and escaped again, so the result holds
    no markup from the article whatever the index did.
    """
    import html

    out: list[str] = []
    for part in _SNIPPET_TAG.split(snippet):
        if part == "<b>":
            out.append("<mark>")
        elif part == "</b>":
            out.append("</mark>")
        else:
            out.append(str(escape(html.unescape(part))))
    return Markup("".join(out))


def snippet_parts(snippet: str) -> list[dict[str, Any]]:
    """The snippet as plain-text parts with a ``hit`` flag (the JSON form)."""
    import html

    parts: list[dict[str, Any]] = []
    hit = False
    for part in _SNIPPET_TAG.split(snippet):
        if part in ("<b>", "</b>"):
            hit = part == "<b>"
        elif part:
            parts.append({"text": html.unescape(part), "hit": hit})
    return parts


def query_string(request: Request, **changes: Any) -> str:
    """The request's query with ``changes`` applied (None removes a key), for links."""
    params = {k: v for k, v in request.query_params.items() if v != ""}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


def short(value: object, length: int = 160) -> str:
    """Text cut to ``length`` characters with an ellipsis."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def listing(value: object) -> str:
    """A list shown as ``a; b``; None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


# Bidirectional embeddings, overrides and isolates (Unicode UAX #9): in untrusted text
# they reorder what follows ("gnp.exe" shown as "exe.png"), so the page shows them as
# visible marks instead. Plain direction marks (LRM, RLM, ALM) reorder nothing: kept.
BIDI_CONTROLS = {
    code: f"⟦U+{code:04X}⟧" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def neutralise_bidi(value: str) -> str:
    """``value`` with every bidi embedding, override and isolate made a visible mark.

    >>> neutralise_bidi("photo\u202egnp.exe")
    'photo⟦U+202E⟧gnp.exe'
    """
    return value.translate(BIDI_CONTROLS)


def _finalize(value: Any) -> Any:
    """Applied to every ``{{ value }}`` before escaping: neutralises bidi controls."""
    if isinstance(value, Markup):
        return Markup(neutralise_bidi(str(value)))  # marks hold no markup characters
    if isinstance(value, str):
        return neutralise_bidi(value)
    return value


def counted(number: Any, singular: str, plural: str | None = None) -> str:
    """``1 source``, ``3 sources``, ``102 entities``: the number and the noun agreeing.

    >>> counted(1, "source"), counted(102, "entity"), counted(2, "story")
    ('1 source', '102 entities', '2 stories')
    """
    count = int(number or 0)
    return f"{count:,} {singular if count == 1 else plural or plural_of(singular)}"


def plural_of(noun: str) -> str:
    """The plural of an English noun of this interface (``entity`` → ``entities``)."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def make_environment() -> jinja2.Environment:
    """The template environment: autoescaping everywhere (whatever the file name)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        safe_url=safe_url,
        snippet=snippet_markup,
        short=short,
        listing=listing,
        colour=colour,
        counted=counted,
        plural_of=plural_of,
    )
    env.globals.update(query_string=query_string)
    return env


class Renderer:
    """Turns page data into HTML or JSON responses with the shared template context."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.env = make_environment()
        self.context = dict(context)

    def page(
        self,
        request: Request,
        template: str,
        data: dict[str, Any],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Response:
        """Render ``data`` with ``template``, or as JSON when the client wants JSON.

        ``extra`` holds values only the HTML needs (chart geometry, highlighted text).
        """
        if wants_json(request):
            return JSONPage(data, status_code=status_code, headers=headers)
        html = self.env.get_template(template).render(
            request=request, data=data, **self.context, **(extra or {})
        )
        return HTMLResponse(html, status_code=status_code, headers=headers)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV; text that a spreadsheet would run as a formula is prefixed with ``'``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list | tuple):
                value = "; ".join(map(str, value))
            if value is None:
                value = ""
            if isinstance(value, str) and value.startswith(_FORMULA):
                value = "'" + value
            cells.append(value)
        writer.writerow(cells)
    return buffer.getvalue()
