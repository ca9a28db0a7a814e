"""Dates in the text, normalised against the publication date.

Candidates are spaCy's DATE (and TIME) entities plus expressions that compiled regular
expressions find and spaCy missed ("for generations", "1 Shawwal 1445"). Each is
normalised to an ISO 8601 ``value`` at a ``resolution``:

- absolute dates: "12 May 2024", "May 12, 2024", "2024-05-12", "May 2024", "in 2019";
  numeric "12/05/2024" only when it cannot be read both ways (a part over 12, or the
  same day and month), else the value is left None;
- dates without a year ("May 12", "in March", "the 28th of Ramadan", "Eid al-Fitr"):
  in past-tense reporting the latest on or before publication, in future-tense the
  first on or after, otherwise the nearest (see :func:`tense_at`);
- weekdays: "on Thursday" is the latest Thursday on or before publication, unless the
  clause is in the future ("will meet on Thursday": the first on or after);
  "last"/"next Thursday" are strictly before/after, "this Thursday" is in the same
  Monday-to-Sunday week;
- "yesterday", "today", "tonight", "N days/weeks/months/years ago", "last/this/next
  week/month/year/weekend", with modifiers such as "earlier this week";
- Hijri dates with the tabular (arithmetical) Islamic calendar, which matches the
  observed calendar to within a day or two;
- decades, durations and vague expressions ("the 1990s", "three years", "recent
  years", "for generations"), recurring days ("on Fridays"): value None. Ages
  ("a 45-year-old") and frequencies ("daily"), which spaCy also labels DATE, are
  not reported.

Values worked out from the publication date have ``relative=True``. Without a
publication date (or a full date in the dateline) those values stay None: nothing is
invented. Everything here is compiled once at import; a stage call does no setup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Literal

from newsgraph.ingest.sources import parse_date
from newsgraph.model import Analysis, DateMention
from newsgraph.settings import Settings

Tense = Literal["past", "future"] | None

# --- calendars -------------------------------------------------------------------------

# 1 Muharram 1 AH in the tabular calendar: 16 July 622 Julian = 19 July 622 Gregorian.
_HIJRI_EPOCH = date(622, 7, 19).toordinal()


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """Convert a date of the tabular Islamic calendar (civil epoch) to a Gregorian date.

    Leap years are the 2nd, 5th, 7th, 10th, 13th, 16th, 18th, 21st, 24th, 26th and 29th
    of each 30-year cycle (the common "type II" scheme). Observed dates (moon sighting,
    Umm al-Qura) can differ by a day or two.

    >>> hijri_to_gregorian(1445, 9, 1), hijri_to_gregorian(1445, 10, 1)
    (datetime.date(2024, 3, 11), datetime.date(2024, 4, 10))
    """
    days = (year - 1) * 354 + (3 + 11 * year) // 30 + 29 * (month - 1) + month // 2 + day - 1
    return date.fromordinal(_HIJRI_EPOCH + days)


def hijri_month_length(year: int, month: int) -> int:
    """Days in a month of the tabular calendar: odd months 30, even 29, a leap Dhu al-Hijjah 30."""
    if month % 2 or (month == 12 and (14 + 11 * year) % 30 < 11):
        return 30
    return 29


def hijri_year_of(day: date) -> int:
    """The tabular Islamic year that ``day`` falls in."""
    year = (30 * (day.toordinal() - _HIJRI_EPOCH) + 10646) // 10631
    while hijri_to_gregorian(year + 1, 1, 1) <= day:
        year += 1
    while hijri_to_gregorian(year, 1, 1) > day:
        year -= 1
    return year


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + by
    return total // 12, total % 12 + 1


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pick(candidates: Sequence[date | None], reference: date, tense: Tense) -> date | None:
    """Choose among the readings of a date written without its year.

    Past-tense reporting takes the latest reading on or before ``reference``, future
    the first on or after; otherwise the nearest (on a tie the earlier: news mostly
    looks back).
    """
    valid = [d for d in candidates if d is not None]
    if tense == "past":
        valid = [d for d in valid if d <= reference] or valid
    elif tense == "future":
        valid = [d for d in valid if d >= reference] or valid
    return min(valid, key=lambda d: (abs((d - reference).days), d)) if valid else None


# --- vocabulary ------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("January", "Jan"),
        ("February", "Feb"),
        ("March", "Mar"),
        ("April", "Apr"),
        ("May",),
        ("June", "Jun"),
        ("July", "Jul"),
        ("August", "Aug"),
        ("September", "Sept", "Sep"),
        ("October", "Oct"),
        ("November", "Nov"),
        ("December", "Dec"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name.lower()] = _number
_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?\.?|July?\.?"
    r"|Aug(?:ust|\.)?|Sep(?:t(?:ember)?)?\.?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
# Full names only where a bare month stands outside a spaCy DATE (no "May": Theresa May).
_MONTH_FULL = (
    r"(?:January|February|March|April|June|July|August|September|October|November|December)"
)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# Hijri month names in their common English spellings (apostrophes, hyphens, "ul"/"al").
_SEP = r"[\s'’ʻ-]*"
_HIJRI_MONTHS: tuple[tuple[int, str], ...] = (
    (1, rf"(?:al{_SEP})?Muharram"),
    (2, r"Safar"),
    (3, rf"Rabi{_SEP}(?:(?:a|u)l{_SEP})?(?:Awwal|Awal|I)\b"),
    (4, rf"Rabi{_SEP}(?:(?:a|u)(?:l|th|s){_SEP})?(?:Thani|Akhir|Akhar|II)\b"),
    (5, rf"Jumad(?:a|i){_SEP}(?:(?:a|u)l{_SEP})?(?:Ula|Oula|Awwal|Awal|I)\b"),
    (6, rf"Jumad(?:a|i){_SEP}(?:(?:a|u)(?:l|th|s){_SEP})?(?:Thani|Akhirah?|Akhira|II)\b"),
    (7, r"Rajab"),
    (8, rf"Sha{_SEP}a?ban"),
    (9, r"Rama(?:d|dh|z)an"),
    (10, r"Shaw+al"),
    (11, rf"(?:Dhu|Zul|Dhul){_SEP}(?:(?:a|u)?l{_SEP})?Q[ai]{_SEP}a?d(?:ah|a)?\b"),
    (12, rf"(?:Dhu|Zul|Dhul){_SEP}(?:(?:a|u)?l{_SEP})?Hij{{1,2}}(?:ah|a)?\b"),
)
_HIJRI_MONTH_RES = tuple(
    (number, re.compile(pattern, re.IGNORECASE)) for number, pattern in _HIJRI_MONTHS
)
_HIJRI_MONTH = "(?:" + "|".join(pattern for _, pattern in _HIJRI_MONTHS) + ")"
_HIJRI_FEASTS = {"fitr": (10, 1), "adha": (12, 10), "ashura": (1, 10)}

_NUMBER_WORDS = (
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen", "twenty"),
)
_NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS, start=1)} | {"a": 1, "an": 1}
_ORDINAL_WORDS = (
    *("first", "second", "third", "fourth", "fifth"),
    *("sixth", "seventh", "eighth", "ninth", "tenth"),
)
_ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS, start=1)}
_NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# Ordinal words only as "the first day of Ramadan": "the first Ramadan since" is no date.
_HIJRI_DAY = rf"(?:{_DAY}|(?:" + "|".join(_ORDINAL_WORDS) + r")(?=\s+(?:day|night)\s+of\b))"
_HIJRI_YEAR = r"(?:,?\s+(?P<y>1[34]\d\d)\b(?:\s*(?:AH\b|A\.H\.|H\b))?)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_PREP = (
    r"(?:[Ii]n|[Ss]ince|[Uu]ntil|[Tt]ill|[Dd]uring|[Bb]efore|[Aa]fter|[Bb]y|[Tt]hrough"
    r"|[Ee]arly|[Ll]ate|[Mm]id)"
)


# --- patterns --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expression:
    """A date expression found by a pattern: its evidence span, kind and parts."""

    start: int
    end: int
    kind: str
    groups: dict[str, str | None]
    # Found by a pattern that is only trusted inside a spaCy DATE/TIME entity.
    loose: bool = False


@dataclass(frozen=True, slots=True)
class Normalised:
    """What an expression means: an ISO 8601 value at a resolution, or None."""

    value: str | None
    resolution: str | None
    relative: bool


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A compiled pattern for one kind of expression.

    The evidence is the group ``x`` when the pattern has one ("in March" → "March"),
    else the whole match. A ``loose`` pattern is trusted only inside a spaCy DATE or
    TIME entity ("May", "2019"). ``gate`` lists lowercase words one of which the text
    must contain for the pattern to run at all (a cheap test that skips most texts),
    or ``gate_regex`` a pattern it must contain.
    """

    kind: str
    regex: re.Pattern[str]
    loose: bool = False
    gate: tuple[str, ...] = ()
    gate_regex: re.Pattern[str] | None = None


def _pattern(
    kind: str, first: str, source: str, *, loose: bool = False, gate: str = "", gate_regex: str = ""
) -> _Pattern:
    """Compile ``source``; ``first`` is a character class every match starts with.

    Testing the first character before anything else lets the engine skip most
    positions of the text at once, about four times faster on news text.
    """
    return _Pattern(
        kind,
        re.compile(f"(?={first})" + source if first else source),
        loose,
        tuple(gate.split()),
        re.compile(gate_regex) if gate_regex else None,
    )


_HIJRI_GATE = r"\b(?:Muharram|Safar|Rabi|Jumad|Rajab|Sha|Rama[dz]|Shaw|Dhu|Zul)"
_MONTH_FIRST = "[JFMASOND]"
_PREP_FIRST = "[IiSsUuTtDdBbAaEeLlMm]"
_PATTERNS = (
    _pattern("iso", r"\d", rf"\b(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", gate="-"),
    _pattern(
        "numeric",
        r"\d",
        r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d\d)\b(?!/\d)",
        gate="/",
    ),
    _pattern(
        "numeric", r"\d", r"\b(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4})\b(?!\.\d)", gate="."
    ),
    _pattern("ymd", r"\d", rf"\b(?P<y>{_YEAR})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)\b", gate="/"),
    _pattern(
        "hijri_day",
        r"[\dtfsenT]",
        rf"(?:\bthe\s+)?\b(?P<d>{_HIJRI_DAY})(?:\s+(?:day|night))?(?:\s+of)?\s+"
        rf"(?P<hm>{_HIJRI_MONTH}){_HIJRI_YEAR}",
        gate_regex=_HIJRI_GATE,
    ),
    _pattern(
        "hijri_day",
        "[A-Za]",
        rf"\b(?P<hm>{_HIJRI_MONTH})\s+(?P<d>{_DAY})\b{_HIJRI_YEAR}",
        gate_regex=_HIJRI_GATE,
    ),
    _pattern(
        "hijri_feast",
        "[EA]",
        r"\bEid[\s-]+(?:al|ul|el)[\s-]+(?P<f>Fitr|Adha)\b|\b(?P<a>Ashura)\b",
        gate="eid ashura",
    ),
    _pattern(
        "dmy",
        r"[\dtT]",
        rf"(?:\bthe\s+)?\b(?P<d>{_DAY})(?:\s+of)?\s+(?P<mon>{_MONTH})"
        rf"(?:,?\s+(?P<y>{_YEAR}))?(?![\w-])",
    ),
    _pattern(
        "mdy",
        _MONTH_FIRST,
        rf"\b(?P<mon>{_MONTH})\s+(?P<d>{_DAY})(?![\d:]|\.\d)(?:,?\s+(?P<y>{_YEAR}))?(?![\w-])",
    ),
    _pattern("month_year", _MONTH_FIRST, rf"\b(?P<mon>{_MONTH}),?\s+(?P<y>{_YEAR})\b"),
    _pattern(
        "month",
        "[LlNnTt]",
        rf"\b(?P<x>(?P<mod>(?i:last|next|this))\s+(?P<mon>{_MONTH_FULL}))\b",
        gate="last next this",
    ),
    _pattern("month", _PREP_FIRST, rf"\b{_PREP}[\s-]+(?P<x>(?P<mon>{_MONTH_FULL}))\b"),
    _pattern("month", _MONTH_FIRST, rf"\b(?P<mon>{_MONTH})(?!\w|-\d)", loose=True),
    _pattern(
        "year",
        "[IiSsUuTtDdBbAaEeLlMmFfOo]",
        rf"\b(?:{_PREP}|[Ff]rom|[Oo]f)[\s-]+(?P<x>(?P<y>{_YEAR}))\b"
        # not a count: "in 2000 homes" (but "in 2019 was" is a year)
        rf"(?![-/.]\d|\s+(?!(?:was|has|is|as|its|this|his|does)\b)[a-z]+s\b)",
    ),
    _pattern("year", "[12]", rf"\b(?P<y>{_YEAR})\b(?<![\d.,$£€-]\d{{4}})(?![\d%]|-\d)", loose=True),
    _pattern(
        "day_word",
        "[TtYyLl]",
        r"(?i:\b(?P<w>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday"
        r"|today|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening))\b)",
        gate="yesterday today tomorrow tonight night morning afternoon evening",
    ),
    _pattern(
        "weekday",
        "[LlNnTtCcPpMWFS]",
        rf"\b(?:(?P<mod>(?i:last|next|this|coming|past))\s+)?(?P<wd>{_WEEKDAY})(?P<pl>s\b)?"
        r"(?:\s+(?i:morning|afternoon|evening|night))?\b",
        gate="monday tuesday wednesday thursday friday saturday sunday",
    ),
    _pattern(
        "unit",
        "[LlNnTtCc]",
        r"(?i:\b(?P<mod>last|next|this|coming)\s+(?P<unit>week|month|year|weekend)\b)",
        gate="week month year",
    ),
    _pattern(
        "unit", "[OoTt]", r"(?i:\b(?:over\s+)?(?P<x>the\s+(?P<unit>weekend))\b)", gate="weekend"
    ),
    _pattern(
        "ago",
        "",
        rf"(?i:\b(?P<n>{_NUMBER}|a\s+few|several|many)\s+(?P<unit>day|week|month|year)s?\s+ago\b)",
        gate="ago",
    ),
    _pattern(
        "vague",
        "",
        r"(?i:\b(?:for|over)\s+(?:generations|decades|centuries)\b"
        r"|\b(?:in\s+)?recent\s+(?:days|weeks|months|years|decades)\b)"
        r"|\b(?:[Tt]he\s+)?(?:mid-|early\s+|late\s+)?(?:1[89]|20)\d0s\b",
        gate="generations decades centuries recent 0s",
    ),
)
# What comes just before a match that makes it something else (checked in code, so
# that the patterns keep a cheap first character).
_NOT_AFTER: dict[str, re.Pattern[str]] = {
    # Named days are not weekdays to resolve: Good Friday, Bloody Sunday ...
    "weekday": re.compile(r"\b(?:Good|Black|Bloody|Super|Ash|Palm|Easter|Cyber|Holy)\s$"),
    # The programme and the paper: BBC Radio 4's Today, USA Today.
    "day_word": re.compile(r"(?:USA|['’]s)\s$"),
    # "the last month" is the past thirty days, not last month.
    "unit": re.compile(r"\b[Tt]he\s$"),
    "numeric": re.compile(r"[\d./]$"),
}
_NOT_BEFORE: dict[str, re.Pattern[str]] = {"day_word": re.compile(r"\s+programme")}
_WEEKDAY_BEFORE = re.compile(rf"\b{_WEEKDAY},?\s+$")

# spaCy DATE entities that are not dates: ages ("45-year-old", "Begum, 19,"),
# frequencies, and durations used as modifiers ("a three-day truce", "13th-century").
_NOT_A_DATE = re.compile(
    r"\b(?:years?|months?|weeks?|days?)[\s-]+old\b|\baged?\s+\d|\bthe\s+age\s+of\b"
    r"|^\d{1,3}$|^[\w-]+-(?:day|week|month|year|decade|century|long|old)$"
    r"|^(?:daily|weekly|monthly|annual|annually|yearly|nightly|hourly|quarterly|biannual)$",
    re.IGNORECASE,
)
_EDGE = " \t\n\"'“”‘’«»()[],.;:"
# Left over in an entity beside the one expression read: a number or a range marker
# ("March 3 to 5", "from May until June") means the entity says more than its value.
_UNREAD = re.compile(r"\d|–|\b(?:to|and|through|until|till)\b", re.IGNORECASE)
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
# Kinds whose value depends on the tense when no year is written.
_TENSED = frozenset({"weekday", "unit", "dmy", "mdy", "month", "hijri_day", "hijri_feast"})
_REPORTING = frozenset({"say", "tell", "announce", "report", "add", "state", "note", "write"})
_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo", "gon"})
_FUTURE_LEMMAS = frozenset({"schedule", "plan", "expect", "due", "intend", "upcoming"})
# Future only with an infinitive: "set to vote", not "has been set at".
_FUTURE_WITH_TO = frozenset({"set", "slate", "poise"})


def find_expressions(text: str) -> list[Expression]:
    """Every date expression the patterns find in ``text`` (overlaps included)."""
    lowered = text.lower()
    found: list[Expression] = []
    for pattern in _PATTERNS:
        if pattern.gate and not any(word in lowered for word in pattern.gate):
            continue
        if pattern.gate_regex and not pattern.gate_regex.search(text):
            continue
        not_after = _NOT_AFTER.get(pattern.kind)
        not_before = _NOT_BEFORE.get(pattern.kind)
        for match in pattern.regex.finditer(text):
            groups = match.groupdict()
            start, end = match.span("x") if groups.get("x") else match.span()
            if not_after and not_after.search(text, max(0, start - 8), start):
                continue
            if not_before and not_before.match(text, end, end + 12):
                continue
            if pattern.kind in ("dmy", "mdy"):
                # Take in a weekday written before the date: "Thursday, May 9".
                before = _WEEKDAY_BEFORE.search(text, max(0, start - 12), start)
                start = before.start() if before else start
            found.append(Expression(start, end, pattern.kind, groups, pattern.loose))
    return found


# --- normalisation ---------------------------------------------------------------------


def _weekday(found: Expression, reference: date, tense: Tense) -> Normalised:
    if found.groups.get("pl"):
        return Normalised(None, None, False)  # "on Fridays": every Friday
    target = _WEEKDAYS.index((found.groups["wd"] or "").lower())
    mod = (found.groups.get("mod") or "").lower()
    back = (reference.weekday() - target) % 7  # days back to the latest such day, 0 = today
    if mod in ("last", "past"):
        day = reference - timedelta(days=back or 7)
    elif mod in ("next", "coming"):
        day = reference + timedelta(days=(target - reference.weekday()) % 7 or 7)
    elif mod == "this":
        day = reference + timedelta(days=target - reference.weekday())  # same Monday-Sunday week
    elif tense == "future":
        day = reference + timedelta(days=(target - reference.weekday()) % 7)
    else:
        day = reference - timedelta(days=back)
    return Normalised(day.isoformat(), "day", True)


def _unit(found: Expression, reference: date, tense: Tense) -> Normalised:
    unit = (found.groups["unit"] or "").lower()
    mod = (found.groups.get("mod") or "").lower()
    if unit == "weekend":
        saturday = 5
        if mod == "last":
            anchor = reference - timedelta(days=2)
            day = anchor - timedelta(days=(anchor.weekday() - saturday) % 7)
        elif mod in ("next", "coming"):
            anchor = reference + timedelta(days=2)
            day = anchor + timedelta(days=(saturday - anchor.weekday()) % 7)
        elif tense == "future":
            anchor = reference - timedelta(days=1)
            day = anchor + timedelta(days=(saturday - anchor.weekday()) % 7)
        else:
            day = reference - timedelta(days=(reference.weekday() - saturday) % 7)
        return Normalised(_iso_week(day), "week", True)
    if not mod:
        return Normalised(None, None, False)  # "the week", "the year": not anchored to publication
    step = {"last": -1, "this": 0, "next": 1, "coming": 1}[mod]
    if unit == "week":
        return Normalised(_iso_week(reference + timedelta(weeks=step)), "week", True)
    if unit == "month":
        year, month = _shift_month(reference.year, reference.month, step)
        return Normalised(f"{year:04d}-{month:02d}", "month", True)
    return Normalised(f"{reference.year + step:04d}", "year", True)


def _ago(found: Expression, reference: date) -> Normalised:
    count = (found.groups["n"] or "").lower()
    n = int(count) if count.isdigit() else _NUMBERS.get(count)
    if n is None:
        return Normalised(None, None, False)  # "a few days ago"
    unit = (found.groups["unit"] or "").lower()
    if unit == "day":
        return Normalised((reference - timedelta(days=n)).isoformat(), "day", True)
    if unit == "week":
        return Normalised(_iso_week(reference - timedelta(weeks=n)), "week", True)
    if unit == "month":
        year, month = _shift_month(reference.year, reference.month, -n)
        return Normalised(f"{year:04d}-{month:02d}", "month", True)
    return Normalised(f"{reference.year - n:04d}", "year", True)


def _day_word(found: Expression, reference: date) -> Normalised:
    word = " ".join((found.groups["w"] or "").lower().split())
    shift = {
        "the day before yesterday": -2,
        "yesterday": -1,
        "last night": -1,
        "tomorrow": 1,
        "the day after tomorrow": 2,
    }.get(word, 0)
    return Normalised((reference + timedelta(days=shift)).isoformat(), "day", True)


def _month_number(name: str | None) -> int:
    return _MONTHS[(name or "").rstrip(".").lower()]


def _day_number(text: str | None) -> int:
    word = (text or "").lower()
    if word in _ORDINALS:
        return _ORDINALS[word]
    return int(re.sub(r"\D", "", word))


def _day_month(found: Expression, reference: date | None, tense: Tense) -> Normalised:
    month, day = _month_number(found.groups["mon"]), _day_number(found.groups["d"])
    if found.groups.get("y"):
        exact = _safe_date(int(found.groups["y"] or 0), month, day)
        return Normalised(exact.isoformat() if exact else None, "day" if exact else None, False)
    if reference is None:
        return Normalised(None, None, False)
    guess = _pick(
        [_safe_date(reference.year + k, month, day) for k in (-1, 0, 1)], reference, tense
    )
    return Normalised(guess.isoformat(), "day", True) if guess else Normalised(None, None, False)


def _month(found: Expression, reference: date | None, tense: Tense) -> Normalised:
    month = _month_number(found.groups["mon"])
    if found.groups.get("y"):
        return Normalised(f"{int(found.groups['y'] or 0):04d}-{month:02d}", "month", False)
    if reference is None:
        return Normalised(None, None, False)
    mod = (found.groups.get("mod") or "").lower()
    if mod == "last":
        year = reference.year if month < reference.month else reference.year - 1
    elif mod == "next":
        year = reference.year if month > reference.month else reference.year + 1
    elif mod == "this":
        year = reference.year
    else:  # compare the months' middles, and publication's month with its own middle
        middle = reference.replace(day=15)
        firsts = [date(reference.year + k, month, 15) for k in (-1, 0, 1)]
        year = (_pick(firsts, middle, tense) or middle).year
    return Normalised(f"{year:04d}-{month:02d}", "month", True)


def _numeric(found: Expression) -> Normalised:
    a, b = int(found.groups["a"] or 0), int(found.groups["b"] or 0)
    year = int(found.groups["y"] or 0)
    if year < 100:
        year += 2000 if year < 70 else 1900
    if a > 12 >= b:
        readings = {(year, b, a)}
    elif b > 12 >= a:
        readings = {(year, a, b)}
    else:  # 12/05/2024: 12 May or 5 December? Left None rather than guessed.
        readings = {(year, b, a), (year, a, b)}
    parsed = {_safe_date(*reading) for reading in readings}
    if len(parsed) == 1 and None not in parsed:
        [day] = parsed
        return Normalised(day.isoformat() if day else None, "day", False)
    return Normalised(None, None, False)


def _hijri(found: Expression, reference: date | None, tense: Tense) -> Normalised:
    if found.kind == "hijri_feast":
        month, day = _HIJRI_FEASTS[(found.groups.get("f") or found.groups.get("a") or "").lower()]
    else:
        name = found.groups["hm"] or ""
        month = next(number for number, pattern in _HIJRI_MONTH_RES if pattern.fullmatch(name))
        day = _day_number(found.groups["d"])
    if found.groups.get("y"):
        year = int(found.groups["y"] or 0)
        if not 1 <= day <= hijri_month_length(year, month):
            return Normalised(None, None, False)
        return Normalised(hijri_to_gregorian(year, month, day).isoformat(), "day", False)
    if reference is None or not 1 <= day <= 30:
        return Normalised(None, None, False)
    hijri_year = hijri_year_of(reference)
    candidates = [
        hijri_to_gregorian(y, month, day)
        for y in (hijri_year - 1, hijri_year, hijri_year + 1)
        if day <= hijri_month_length(y, month)
    ]
    guess = _pick(candidates, reference, tense)
    return Normalised(guess.isoformat(), "day", True) if guess else Normalised(None, None, False)


def normalise(found: Expression, reference: date | None, *, tense: Tense = None) -> Normalised:
    """Return the ISO value of one expression, given the publication date (or None).

    ``tense`` is that of the clause the expression sits in: "past" or "future" turns
    a weekday or a date without its year back or forward; None (unknown, present)
    takes a bare weekday back and other dates to the nearest reading.
    """
    kind = found.kind
    if kind == "iso":
        exact = _safe_date(*(int(found.groups[k] or 0) for k in ("y", "m", "d")))
        return (
            Normalised(exact.isoformat(), "day", False) if exact else Normalised(None, None, False)
        )
    if kind == "ymd":
        exact = _safe_date(*(int(found.groups[k] or 0) for k in ("y", "m", "d")))
        return (
            Normalised(exact.isoformat(), "day", False) if exact else Normalised(None, None, False)
        )
    if kind == "numeric":
        return _numeric(found)
    if kind in ("dmy", "mdy"):
        return _day_month(found, reference, tense)
    if kind in ("month", "month_year"):
        return _month(found, reference, tense)
    if kind == "year":
        return Normalised(found.groups["y"], "year", False)
    if kind in ("hijri_day", "hijri_feast"):
        return _hijri(found, reference, tense)
    if kind == "vague" or reference is None:
        return Normalised(None, None, False)
    relative: dict[str, Callable[[], Normalised]] = {
        "day_word": lambda: _day_word(found, reference),
        "weekday": lambda: _weekday(found, reference, tense),
        "unit": lambda: _unit(found, reference, tense),
        "ago": lambda: _ago(found, reference),
    }
    return relative[kind]()


# --- tense -----------------------------------------------------------------------------


def tense_at(doc: Any, start: int, end: int) -> Tense:
    """The tense of the clause that ``doc.text[start:end]`` belongs to, or None.

    Walks from the date up to the first finite verb, through non-finite ones ("talks
    expected to resume on Thursday", "a conference starting on Wednesday"), looking
    for "will"/"shall"/"going to" or a word of planning ("scheduled", "due", "set
    to") for the future, and a past-tense verb or auxiliary ("met", "was killed",
    "has said") for the past. A verb higher up ("will investigate the attack that
    happened on Thursday") does not count, nor a verb of saying reached through a
    noun ("a dividend payable April 1, the company said"): it dates the report.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    token = span.root
    through_noun = False
    for step in range(12):
        if step and token.pos_ in ("NOUN", "PROPN", "ADJ", "NUM"):
            through_noun = True
        lemma = token.lemma_.lower()
        if lemma in _FUTURE_LEMMAS or (
            lemma in _FUTURE_WITH_TO and any(c.dep_ == "xcomp" for c in token.children)
        ):
            return "future"
        if token.pos_ in ("VERB", "AUX"):
            auxiliaries = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
            for child in auxiliaries:
                if child.lower_ in _FUTURE_AUX or (child.lower_ == "going" and token.tag_ == "VB"):
                    return "future"
            for child in token.children:
                if child.dep_ == "acomp" and child.lemma_.lower() in _FUTURE_LEMMAS:
                    return "future"
            finite = [c for c in auxiliaries if c.tag_ in _FINITE]
            if token.tag_ in _FINITE or finite:
                if through_noun and token.lemma_.lower() in _REPORTING:
                    return None
                past = token.tag_ == "VBD" or any(
                    c.tag_ == "VBD" or (c.lemma_ == "have" and c.tag_ != "MD") for c in finite
                )
                return "past" if past else None  # present, or a modal we do not read
            if token.tag_ == "VBN" and not auxiliaries:
                return "past"  # "the suspect, arrested on Friday, ..."
        if token.head is token:
            return None
        token = token.head
    return None


# --- the stage -------------------------------------------------------------------------

_EARLIEST, _LATEST = date(1100, 1, 1), date(8900, 12, 31)


def reference_date(analysis: Analysis) -> date | None:
    """The publication date, else a full date in the dateline, else None.

    A date outside the years 1100-8900 is not taken as a publication date: it is a
    wrong value, and counting back or forward from it could leave the calendar.
    """
    article = analysis.article
    for value in (
        article.published,
        parse_date(article.dateline.date_text) if article.dateline else None,
    ):
        if not value:
            continue
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            continue
        if _EARLIEST <= day <= _LATEST:
            return day
    return None


def _select(found: list[Expression]) -> list[Expression]:
    """Keep the longest expression where several overlap (leftmost first)."""
    kept: list[Expression] = []
    last_end = -1
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if item.start >= last_end:
            kept.append(item)
            last_end = item.end
    return kept


def extract_dates(
    text: str, regions: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, Expression | None]]:
    """Return evidence spans and the expression normalising each (None when vague).

    ``regions`` are the spaCy DATE/TIME entities ``(start, end, label)``. A DATE entity
    holding one expression is reported whole ("earlier this week"); one holding none
    is a vague date (value None) unless it is an age or a frequency; one holding
    several (a range) gives one item per expression. A TIME entity counts only for
    the date expressions inside it. Expressions outside entities are reported alone.
    """
    merged: list[tuple[int, int, str]] = []
    raw = find_expressions(text)
    strict = [item for item in raw if not item.loose]
    for start, end, label in sorted(regions):
        # Trim quotes and punctuation spaCy sometimes takes in ('“weeks or').
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        if start == end:
            continue
        # Grow a region to take in the expressions it cuts ("March" + "March 3").
        grown = True
        while grown:
            grown = False
            for item in strict:
                if item.start < end and start < item.end and (item.start < start or item.end > end):
                    start, end, grown = min(start, item.start), max(end, item.end), True
        if merged and start < merged[-1][1]:
            last = merged.pop()
            start, end = min(start, last[0]), max(end, last[1])
            label = "DATE" if "DATE" in (label, last[2]) else label
        merged.append((start, end, label))

    def inside(item: Expression, region: tuple[int, int, str]) -> bool:
        return region[0] <= item.start and item.end <= region[1]

    found = _select(
        [item for item in raw if not item.loose or any(inside(item, r) for r in merged)]
    )
    out: list[tuple[int, int, Expression | None]] = []
    used: set[int] = set()
    for region in merged:
        start, end, label = region
        inner = [item for item in found if inside(item, region)]
        used.update(id(item) for item in inner)
        if not inner:
            if label == "DATE" and not _NOT_A_DATE.search(text[start:end]):
                out.append((start, end, None))
            continue
        rest = text[start : inner[0].start] + text[inner[-1].end : end]
        if len(inner) == 1 and not _UNREAD.search(rest):
            out.append((start, end, inner[0]))
        else:
            out.extend((item.start, item.end, item) for item in inner)
    out.extend((item.start, item.end, item) for item in found if id(item) not in used)
    return sorted(out, key=lambda entry: (entry[0], entry[1]))


class DatesStage:
    """Find date expressions and normalise them against the publication date."""

    name: ClassVar[str] = "dates"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "entities"})
    produces: ClassVar[frozenset[str]] = frozenset({"dates"})

    def __init__(self, settings: Settings) -> None:
        # Nothing to load: the patterns are compiled at import, once per process.
        self.settings = settings

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``dates``; articles without a parse (skipped languages) get none."""
        return [self._one(analysis) if analysis.doc is not None else analysis for analysis in batch]

    def _one(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        reference = reference_date(analysis)
        regions = [
            (entity.start, entity.end, entity.label)
            for entity in analysis.entities
            if entity.label in ("DATE", "TIME")
        ]
        mentions = []
        for number, (start, end, found) in enumerate(extract_dates(article.text, regions)):
            if found is None:
                value = Normalised(None, None, False)
            else:
                tense = (
                    tense_at(analysis.doc, found.start, found.end)
                    if reference is not None and found.kind in _TENSED and not found.groups.get("y")
                    else None
                )
                value = normalise(found, reference, tense=tense)
            mentions.append(
                DateMention(
                    id=f"{article.id}-d{number}",
                    article_id=article.id,
                    start=start,
                    end=end,
                    text=article.text[start:end],
                    value=value.value,
                    resolution=value.resolution,
                    relative=value.relative,
                )
            )
        return dataclasses.replace(analysis, dates=tuple(mentions))


BACKGROUND_DAYS = 366
"""An event date further than this from its article's publication day is background
(history, an anniversary, a long-past cause), not the date of what the article reports."""


def date_period(value: str | None) -> tuple[date, date, str] | None:
    """First day, last day and level of a normalised date: an ISO day, week, month or year.

    >>> date_period("2024-05")
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 31), 'month')
    >>> date_period("2024-W18")[2], date_period("2024-13"), date_period("soon")
    ('week', None, None)
    """
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return day, day, "day"
        if week := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
            return monday, monday + timedelta(days=6), "week"
        if month := re.fullmatch(r"(\d{4})-(\d{2})", value):
            first = date(int(month[1]), int(month[2]), 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - timedelta(days=1), "month"
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1), date(int(value), 12, 31), "year"
    except ValueError:
        return None
    return None


def is_background(value: str | None, published: str | None) -> bool:
    """Whether an event's normalised date lies too far from the publication to be its date.

    ``value`` is an ISO date, week, month or year; ``published`` the article's ISO date or
    date-time. Without either (or with an impossible one), nothing can be said, so the date
    is not background.

    >>> is_background("1870-05-14", "2024-05-03"), is_background("2024-05-01", "2024-05-03")
    (True, False)
    >>> is_background("2023", "2024-05-03"), is_background("2020", None)
    (False, False)
    """
    period = date_period(value)
    if period is None or not published:
        return False
    try:
        day = date.fromisoformat(published.strip()[:10])
    except ValueError:
        return False
    first, last, _ = period
    return (day - last).days > BACKGROUND_DAYS or (first - day).days > BACKGROUND_DAYS
