"""Claims measured on PolNeAR attributions: is an event inside someone's words theirs?

Each text is analysed as an article by the configured stages up to ``events`` (``events``
appended when missing; the stages after it are not run), and each predicted event is
placed by its trigger's first character against the gold attributions (brat ``.ann``
beside ``.txt``, read by :mod:`newsgraph.evaluate.brat`):

- **Inside**: the trigger lies in the content of at least one attribution; the innermost
  one (the shortest content holding it) is the event's gold claim. The event is *right*
  when its status is ``alleged`` or ``denied`` and its ``claimed_by`` names the gold
  Source: a span the system gives that actor (one of its mentions, or the speaker span of
  a quote whose ``speaker_id`` is that actor) shares a character with a Source fragment.
  Attributions without a Source (PolNeAR's ``Attribution-no-source``) are left out and
  counted. ``inside_right_claimant_any_status`` drops the status condition: it counts
  the events inside whose ``claimed_by`` names the Source whatever their status (a
  speaker's own act is ``asserted`` by them; a plan they state is ``planned``).
- **Outside**: the trigger lies in no attribution's content. The event is *wrongly
  claimed* when its status is ``alleged`` or ``denied`` (the outlet told it in its own
  voice, the system says someone claims it). ``with_claimant`` counts the outside events
  that carry any ``claimed_by`` at all.

The same scores are given for a trivial baseline that takes every event to be claimed by
the speaker of the nearest predicted quote starting before its trigger (when there is
one), so the figures can be read against "whoever spoke last".

>>> gold = [Gold(content=((10, 40),), source=((0, 5),))]
>>> placed([12, 50], gold)
[0, None]
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgraph.evaluate.brat import BratDocument, Fragments, read_brat
from newsgraph.model import Analysis, Article, Event
from newsgraph.pipeline import Pipeline, RunReport, apply_stages
from newsgraph.settings import Settings, load_settings

#: Statuses that say an event is someone's claim, not the outlet's word.
CLAIM_STATUSES = frozenset({"alleged", "denied"})


@dataclass(frozen=True, slots=True)
class Gold:
    """One gold attribution: its content and Source fragments."""

    content: Fragments
    source: Fragments = ()


def _overlaps(start: int, end: int, fragments: Fragments) -> bool:
    return any(start < e and s < end for s, e in fragments)


def placed(offsets: Sequence[int], gold: Sequence[Gold]) -> list[int | None]:
    """For each character offset, the index of the innermost gold content holding it."""
    out: list[int | None] = []
    for offset in offsets:
        holding = [
            (sum(e - s for s, e in g.content), number)
            for number, g in enumerate(gold)
            if any(s <= offset < e for s, e in g.content)
        ]
        out.append(min(holding)[1] if holding else None)
    return out


def actor_spans(analysis: Analysis) -> dict[str, list[tuple[int, int]]]:
    """Where the system says each actor is named: its mentions and the quote speakers it is."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for actor in analysis.actors:
        for mention in actor.mentions or (actor,):
            spans[actor.id].append((mention.start, mention.end))
    for quote in analysis.quotes:
        if quote.speaker_id is not None and quote.speaker is not None:
            spans[quote.speaker_id].append((quote.speaker.start, quote.speaker.end))
    return spans


@dataclass
class _Tally:
    """Inside/outside counts for one way of assigning claims (the stage, or a baseline)."""

    inside: int = 0
    judged: int = 0
    right: int = 0
    claimant_right: int = 0
    marked_inside: int = 0
    no_source: int = 0
    outside: int = 0
    wrongly_claimed: int = 0
    with_claimant: int = 0

    def result(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float:
            return round(part / whole, 4) if whole else 0.0

        return {
            "inside_right_claimant": share(self.right, self.judged),
            "inside_right_claimant_any_status": share(self.claimant_right, self.judged),
            "inside_marked_as_claim": share(self.marked_inside, self.inside),
            "outside_marked_as_claim": share(self.wrongly_claimed, self.outside),
            "outside_with_claimant": share(self.with_claimant, self.outside),
            "inside": self.inside,
            "judged": self.judged,
            "right": self.right,
            "inside_without_gold_source": self.no_source,
            "outside": self.outside,
            "outside_claimed": self.wrongly_claimed,
        }


def _claimant_right(
    claimant: str | None, source: Fragments, spans: dict[str, list[tuple[int, int]]]
) -> bool:
    if claimant is None:
        return False
    return any(_overlaps(start, end, source) for start, end in spans.get(claimant, ()))


def _baseline_claim(event: Event, analysis: Analysis) -> tuple[str | None, str | None]:
    """(status, claimant) when every event is the nearest preceding quote speaker's claim."""
    offset = event.trigger.start if event.trigger else event.start
    before = [q for q in analysis.quotes if q.start <= offset and q.speaker_id is not None]
    if not before:
        return "asserted", None
    nearest = max(before, key=lambda q: q.start)
    return "alleged", nearest.speaker_id


def score_document(
    document: BratDocument, analysis: Analysis, system: _Tally, baseline: _Tally
) -> None:
    """Add one document's events to the stage's and the baseline's tallies."""
    gold = [Gold(a.content, a.source) for a in document.attributions]
    events = list(analysis.events)
    offsets = [e.trigger.start if e.trigger else e.start for e in events]
    spans = actor_spans(analysis)
    for event, where in zip(events, placed(offsets, gold), strict=True):
        for tally, (status, claimant) in (
            (system, (event.status, event.claimed_by)),
            (baseline, _baseline_claim(event, analysis)),
        ):
            marked = status in CLAIM_STATUSES
            if where is None:
                tally.outside += 1
                tally.wrongly_claimed += marked
                tally.with_claimant += claimant is not None
                continue
            tally.inside += 1
            tally.marked_inside += marked
            source = gold[where].source
            if not source:
                tally.no_source += 1
                continue
            tally.judged += 1
            named = _claimant_right(claimant, source, spans)
            tally.right += marked and named
            tally.claimant_right += named


def build_pipeline(settings: Settings) -> Pipeline:
    """The configured stages up to ``events`` (appended when missing)."""
    names = settings.stage_names
    names = names[: names.index("events") + 1] if "events" in names else [*names, "events"]
    return Pipeline.from_settings(dataclasses.replace(settings, stages=",".join(names)))


def evaluate_claims(
    path: Path, *, limit: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Score event claim status and claimant against PolNeAR's attributions.

    Args:
        path: a folder of ``.txt``/``.ann`` pairs (PolNeAR's ``text/`` and
            ``attributions/`` layout, or brat's own).
        limit: score only the first ``limit`` texts by name.
        settings: which stages and spaCy pipeline to use (default: the resolved settings).

    Returns:
        JSON-ready figures for the stage (``inside_right_claimant``,
        ``outside_marked_as_claim`` and their counts) and the same under ``baseline``
        (nearest preceding quote's speaker), with ``documents``, ``stages``, ``seconds``
        and ``seconds_by_stage``.

    Raises:
        InputError: when the folder holds no pair or a file cannot be read.
        ConfigError: when a stage (or the spaCy pipeline) is not installed.

    Example::

        >>> data = Path("../shared/data/quotes/polnear/dev")
        >>> evaluate_claims(data, limit=5)["inside_right_claimant"]  # doctest: +SKIP
        0.7
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    documents = list(read_brat(path, limit=limit))
    pipeline = build_pipeline(settings)
    report = RunReport(run_id="eval-claims")
    system, baseline = _Tally(), _Tally()
    rejected = 0
    size = max(1, settings.batch_size)
    for first in range(0, len(documents), size):
        chunk = documents[first : first + size]
        batch = [
            Analysis(article=Article.from_text(d.text, origin=d.ann_path, language="en"))
            for d in chunk
        ]
        done, failed = apply_stages(pipeline, batch, report)
        rejected += len(failed)
        by_origin = {analysis.article.origin: analysis for analysis in done}
        for document, analysis in zip(chunk, batch, strict=True):
            score_document(
                document, by_origin.get(analysis.article.origin, analysis), system, baseline
            )
    return {
        "dataset": str(path),
        "model": settings.spacy_model,
        "stages": pipeline.names,
        "documents": len(documents),
        **system.result(),
        "baseline": {"nearest_preceding_speaker": baseline.result()},
        "rejected": rejected,
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_by_stage": {k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    }
