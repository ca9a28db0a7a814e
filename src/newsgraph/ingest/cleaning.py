"""Metadata written into the article text itself: datelines, licences, credits, captions.

Wire copy and web pages carry metadata inline. The dateline (``TEHRAN (ECNA) —``) is
part of the story and stays in the text, described by :class:`~newsgraph.model.Dateline`.
Licence statements, trailing editor initials, reporting credits, photo captions,
"Read more" links and web boilerplate are not the story: they are taken out of the
analysed body, and every piece taken out is kept as a :class:`~newsgraph.model.Removed`
with the rule that removed it.

The rules work on known line shapes and on sentences, never on a line because it
mentions something: a licence sentence at the end of a 4,000-character line of story
removes that sentence, not the line. Rules that could match a story line ("Advertisement",
a short line without a sentence) only apply to the lines that trail the story.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsgraph.model import Dateline, Removed

# Capital letters of the Latin, Greek and Cyrillic blocks: NOUMÉA, BÜRGENSTOCK, ŁÓDŹ.
_UPPER = "".join(ch for ch in map(chr, (*range(0x41, 0x250), *range(0x370, 0x530))) if ch.isupper())
_WORD = rf"[{_UPPER}](?:[^\W\d_]|['’.\-])*"
_PLACE = rf"{_WORD}(?:/{_WORD})*"  # SRINAGAR/ISLAMABAD
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"""^(?P<place>{_PLACE}(?:\ {_PLACE}){{0,3}})                     # GAZA CITY, Port Ellis
    (?:,\ (?P<region>{_WORD}(?:\ {_WORD})?))??                         # , Ukraine / , D.C.
    (?:,?\ (?P<date>{_MONTH}\ \d{{1,2}}))?
    (?:
        \s*(?:\((?P<agency>[^()\n]{{2,50}})\))?                        # (Levant Wire)
        \s*(?:[–—][-–—]?|-(?:-|(?=\s))|:)[ \t]*     # a lone "-" needs a space: COVID-19
      | \.?\s*/(?P<slashed>[A-Z][\w-]{{1,20}})/\.?[ \t]*               # MINSK, May 3. /TASS/.
    )
    """,
    re.VERBOSE,
)

_LICENSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"Creative Commons\s+Attribution[- ]NonCommercial[- ]NoDerivatives?\s*"
            r"(?P<v>\d\.\d)?",
            re.I,
        ),
        "CC BY-NC-ND",
    ),
    (
        re.compile(
            r"Creative Commons\s+Attribution[- ]NonCommercial[- ]ShareAlike\s*"
            r"(?P<v>\d\.\d)?",
            re.I,
        ),
        "CC BY-NC-SA",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]NonCommercial\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-NC",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]ShareAlike\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-SA",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]NoDerivatives?\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-ND",
    ),
    (re.compile(r"Creative Commons\s+Attribution\s*(?P<v>\d\.\d)?", re.I), "CC BY"),
    (re.compile(r"\bCC[- ](?P<kind>BY(?:-(?:NC|SA|ND)){0,2})\s*(?P<v>\d\.\d)?\b"), ""),
    (re.compile(r"\bCC0\b|Creative Commons Zero|\bpublic domain\b", re.I), "CC0"),
)

# Capitalised kickers that open a story the way a dateline does but name no place.
_KICKERS = frozenset(
    {
        "ALERT",
        "ANALYSIS",
        "BREAKING",
        "COMMENT",
        "CORRECTION",
        "EDITORIAL",
        "EXCLUSIVE",
        "EXPLAINER",
        "FACTBOX",
        "FEATURE",
        "FLASH",
        "INTERVIEW",
        "LIVE",
        "NOTE",
        "OPINION",
        "PHOTOS",
        "REVIEW",
        "UPDATE",
        "UPDATED",
        "URGENT",
        "VIDEO",
        "WATCH",
    }
)

_INITIALS_TOKEN = r"[A-Z]{1,4}(?:/[A-Z0-9]{1,4})+"
_INITIALS = re.compile(rf"^{_INITIALS_TOKEN}\.?$")
_REPORTING = re.compile(
    r"^\(?\s*(?:Reporting|Writing|Additional reporting) by (?P<names>[^;)]+)(?:;[^)]*)?\)?\s*$"
)
# "in Nairobi" in "Reporting by Ana Lima in Nairobi": where, not who.
_REPORTED_FROM = re.compile(rf"\s+in\s+{_PLACE}(?:\s+{_PLACE})*")
_BLANK_RUNS = re.compile(r"\n{3,}")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

# -- sentences ------------------------------------------------------------------------
# A sentence ends at . ! or ? (and any closing quotes or brackets) before white space.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+")
# Where a licence statement starts inside its sentence: "All Content by X is licensed",
# "This article is published under", "Licensed under", "Licence:".
_LICENCE_SUBJECT = re.compile(
    r"""^(?:(?:all|the|this|our|these)\s+)?
    (?:\w+\s+){0,2}?
    (?:article|story|stories|work|content|text|post|report|piece|material|page|site|website)s?
    (?:\s+(?:by|from|of|on)\s+[^.]{1,80}?)?
    (?:\s+(?:is|are|was|were))?\s*$""",
    re.I | re.X,
)
_LICENCE_VERB = re.compile(
    r"\blicen[cs](?:ed|e)\b|\b(?:published|released|distributed|available|republished"
    r"|reproduced|shared)\s+under\b",
    re.I,
)
_LICENCE_LABEL = re.compile(r"^licen[cs]e\s*:", re.I)
_CONTENT_BY = re.compile(
    r"\b(?:content|articles?|stories|material)\s+(?:by|from|of)\s+(?P<name>[^.,;]{2,80}?)"
    r"\s+(?:is|are)\s+(?:licen|published|released|distributed|available)",
    re.I,
)

# -- whole-line shapes (safe anywhere in the article) ----------------------------------
_LINK_WORDS = r"read\s+more|also\s+read|read\s+also|related(?:\s+\w+)?|see\s+also|more\s+on\s+this"
_RELATED_LINK = re.compile(rf"^(?:{_LINK_WORDS})\s*(?:[:|»>–—-]\s*\S.*|[:|»>]?)$", re.I)
_CHROME = re.compile(
    r"""^(?:
        share(?:\s+this(?:\s+(?:article|story|page))?)?(?:\s*[-–|:]\s*[\w ]{1,20})?
      | leave\s+a\s+(?:reply|comment)
      | your\s+email\s+address\s+will\s+not\s+be\s+published\b.*
      | required\s+fields\s+are\s+marked\b.*
      | (?:most\s+(?:viewed|read|popular|shared)|trending\s+now)\b.{0,40}
      | back\s+to\s+(?:the\s+)?top
      | close\s+.{0,40}\bbanner
      | follow\s+us\s+on\b.{0,80}
      | click\s+here\b.{0,100}
      | sign\s+up\s+for\b.{0,100}
      | subscribe\s+to\b.{0,100}
    )$""",
    re.I | re.X,
)
_METADATA_LINE = re.compile(
    r"""^(?:
        \d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?)?          # 2023-05-26 23:46:00
      | \d{10,13}                                           # a Unix time stamp
      | [\w.-]{1,80}\.(?:jpe?g|png|gif|webp|mp4)            # DPRK.jpeg
      | (?:posted|updated|published|last\ updated)\s*(?:on|:)?\s*          # with a date
        (?=[^\n]*(?:\d{4}|\d:\d\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))\S.{0,60}
      | (?:[A-Z][a-z]+\ )?Desk\b[^.]{0,40}                       # News Desk October 04, 2017
      | (?:editor|edited\ by|photo\ editor)\s*:\s*\S.{0,40}
    )$""",
    re.I | re.X,
)
# The date a metadata line or a byline's part gives: "Posted Wednesday, September 18, 2024
# 11:56 pm", "Updated: 2023-08-24 22:15", "2023-05-26 23:46:00", "News Desk October 04, 2017".
_DATED = re.compile(
    r"^(?:(?:posted|updated|published|last\s+updated)\s*(?:on|:)?\s*|(?:[A-Z][a-z]+\s+)?Desk\s+)?"
    r"(?P<date>.*\d.*)$",
    re.I,
)
_MEDIA_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|mp4)$", re.I)
_SOURCE_LINE = re.compile(r"^source\s*:\s*(?P<name>[^.:]{2,60}?)\.?$", re.I)
# "By Ana Lima in Port Ellis | site.example | Updated: ...": names of two to four
# capitalised words (or an agency's capitals), never a sentence ("By Monday, the ...").
_NAME = rf"(?:{_WORD}(?:[ -]{_WORD}){{1,3}}|[A-Z]{{2,10}})"
_BYLINE_LINE = re.compile(
    rf"""^By\s+(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)
    (?:\s+in\s+{_PLACE}(?:\s+{_PLACE})*)?
    (?P<rest>(?:\s*[|,]\s*[^|]{{1,60}})*)(?<![.!?])$""",
    re.X,
)
_DOMAIN = re.compile(r"^(?:www\.)?(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})$", re.I)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))\s*(?:\d{4}(?:\s*[-–]\s*\d{0,4})?\s*)?"
    r"(?P<name>[^.|]*?)\s*(?:\.|\||all rights reserved|$)",
    re.I,
)
_RIGHTS_RESERVED = re.compile(r"^(?P<name>[^.]{0,80}?)\.?\s*all rights reserved\.?$", re.I)
# A photo credit closing a caption: "(Photo by Reuters)", "(Xinhua/Chen Yehua)",
# "PHOTO: AFP", "© BELGA PHOTO KAREN MINASYAN / AFP", "THE IRRAWADDY (ENG)/TWITTER".
_PHOTO_CREDIT = re.compile(
    r"""(?:
        \s+(?P<marked>
            \((?i:photos?|pictures?|images?|file\ photo)\s*(?:by|:|/)\s*[^()]{1,60}\)
          | \([A-Z][\w.]*(?:\ [A-Z][\w.]*){0,3}\s*/\s*[^()/]{1,60}\)
          | ©\s*[^©.]{1,80}
        )
      | (?<=[.!?"”’)])\s+(?P<bare>                        # only after a sentence
            (?i:photos?|pictures?|images?|file\ photo)\s*:\s*[^.()]{1,60}
          | [A-Z][A-Z .()'&-]{1,40}/[A-Z][A-Z .'&-]{1,40}
        )
    )\s*$""",
    re.X,
)
# The longest line a whole-line shape (a link, a credit, a byline ...) can be.
_SHAPE_MAX = 300
# How such a line can start: a letter, a digit, "©" or "(" (cheap to test first).
_SHAPE_START = re.compile(r"[^\W_]|[©(]")
# Words without which no licence can be named (cheap to test before the licence patterns).
_LICENCE_HINT = re.compile(r"creative\s+commons|\bCC[- 0]|public\s+domain", re.I)
# Something every photo credit has near the end of its line (cheap to test first).
_CREDIT_HINT = re.compile(r"[)/©]|photo|picture|image", re.I)
_CREDIT_TAIL = 130
# A caption is a paragraph of its own, a few sentences at most.
_CAPTION_MAX = 800

# -- trailing shapes (only after the last line of story) -------------------------------
_TRAILING_BOILERPLATE = re.compile(
    r"^(?:advertisement|reuters?|&#\d+;|comments?|print|email|tweet|top|related\s+news)$"
    # Subscriber notices of agency websites.
    r"|^(?=.*\bweb\s?site\b)(?=.*\bsubscri).{0,300}$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class CleanText:
    """The analysed body and the metadata taken out of it.

    ``publisher`` is the outlet a credit, licence, copyright or byline line names;
    ``date_text`` the date a removed dated line gives ("Posted ...", "Updated: ...").
    """

    text: str
    dateline: Dateline | None
    license: str | None
    byline: str | None
    removed: tuple[Removed, ...]
    publisher: str | None = None
    date_text: str | None = None


def normalize_body(text: str) -> str:
    """Normalise newlines and Unicode, drop control characters, trim the ends."""
    # Form feeds and vertical tabs separate pages and lines: deleting them would glue
    # the words on either side together.
    for newline in ("\r\n", "\r", "\x0c", "\x0b"):
        text = text.replace(newline, "\n")
    text = unicodedata.normalize("NFC", _CONTROL_CHARS.sub("", text))
    return text.strip()


def license_of(line: str) -> str | None:
    """Return the short licence name (``CC BY 4.0``) mentioned in ``line``, if any.

    >>> license_of("This article is licensed under a Creative Commons Attribution 4.0 "
    ...            "International License.")
    'CC BY 4.0'
    """
    for pattern, name in _LICENSES:
        match = pattern.search(line)
        if not match:
            continue
        if not name:
            name = f"CC {match.group('kind')}"
        version = match.groupdict().get("v")
        return f"{name} {version}" if version else name
    return None


def find_dateline(text: str) -> Dateline | None:
    """Return the dateline opening ``text``, if it has one.

    >>> find_dateline("GAZA CITY (Levant Wire) - Talks resumed.").agency
    'Levant Wire'
    >>> find_dateline("MINSK, May 3. /TASS/. Talks resumed.").agency
    'TASS'
    """
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group("place")
    agency = (match.group("agency") or match.group("slashed") or "").strip() or None
    # Capitalised words followed by a dash usually open a sentence ("Tehran — the
    # capital — was quiet"), not a dateline, unless an agency or a date backs them up.
    if not place.isupper() and not match.group("date") and not (agency and agency[0].isupper()):
        return None
    if len(place) < 3:
        return None
    if place in _KICKERS:
        return None
    if match.group("region"):
        place = f"{place}, {match.group('region')}"
    written = text[: match.end()].rstrip()
    return Dateline(
        start=0,
        end=len(written),
        text=written,
        place=place,
        agency=agency,
        date_text=match.group("date"),
    )


def publisher_of_url(url: str | None) -> str | None:
    """Return the site of ``url`` (``www.`` dropped), the publisher when nothing names it.

    >>> publisher_of_url("https://www.example-news.com/world/1234")
    'example-news.com'
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


class _Cleaner:
    """One article's cleaning: the pieces removed so far and the metadata they named."""

    def __init__(self) -> None:
        self.removed: list[tuple[int, int, Removed]] = []  # (line, position, removal)
        self.license: str | None = None
        self.byline: str | None = None
        self.publisher: str | None = None
        self.date_text: str | None = None

    def remove(self, line: int, position: int, text: str, reason: str) -> None:
        self.removed.append((line, position, Removed(text=text.strip(), reason=reason)))

    def name_date(self, line: str) -> None:
        """Keep the date a removed dated line gives ("Posted ...", a time stamp)."""
        dated = _DATED.match(line)
        media = _MEDIA_FILE.search(line)  # "photo2.jpg" holds a digit, not a date
        if self.date_text is None and dated and not media and not line.isdigit():
            self.date_text = dated.group("date").strip()

    def name_publisher(self, name: str | None) -> None:
        name = " ".join((name or "").split()).strip(" -–—|,")
        if self.publisher is None and len(name) >= 2 and any(ch.isalpha() for ch in name):
            self.publisher = name

    def line(self, number: int, line: str) -> str:
        """Return what stays of one line (``""`` when the whole line goes)."""
        stripped = line.strip()
        if not stripped:
            return line
        reason = self._whole_line_reason(stripped)
        if reason:
            self.remove(number, 0, stripped, reason)
            return ""
        caption = self._caption(number, line)
        if caption is not None:
            return caption
        return self._without_licence_sentences(number, line)

    def _whole_line_reason(self, line: str) -> str | None:
        # Every whole-line shape is a short line; a paragraph of story is skipped at once.
        if len(line) > _SHAPE_MAX or not _SHAPE_START.match(line):
            return None
        if _RELATED_LINK.match(line):
            return "related_link"
        if len(line) <= 200 and _CHROME.match(line):
            return "boilerplate"
        if _METADATA_LINE.match(line):
            self.name_date(line)
            return "metadata"
        source = _SOURCE_LINE.match(line)
        if source:
            self.name_publisher(source.group("name"))
            return "credit"
        byline = _BYLINE_LINE.match(line) if len(line) <= 160 else None
        if byline:
            self.byline = self.byline or byline.group("names")
            for part in re.split(r"\s*[|,]\s*", byline.group("rest")):
                domain = _DOMAIN.match(part.strip())
                if domain:
                    self.name_publisher(domain.group("domain"))
                elif _DATED.match(part.strip()):
                    self.name_date(part.strip())
            return "byline"
        copyright_ = _COPYRIGHT.match(line) or (
            _RIGHTS_RESERVED.match(line) if len(line) <= 120 else None
        )
        if copyright_:
            self.name_publisher(copyright_.group("name"))
            return "credit"
        return None

    def _caption(self, number: int, line: str) -> str | None:
        """Remove a photo caption: a one-sentence paragraph closed by a photo credit.

        A longer paragraph closed by a credit (wire photos often carry the lead as their
        caption) is story: only its credit goes.
        """
        stripped = line.strip()
        if len(stripped) > _CAPTION_MAX or not _CREDIT_HINT.search(stripped[-_CREDIT_TAIL:]):
            return None
        credit = _PHOTO_CREDIT.search(stripped)
        if credit is None:
            return None
        caption = stripped[: credit.start()]
        if len(_sentences(caption.strip())) <= 1:
            self.remove(number, 0, stripped, "caption")
            return ""
        self.remove(number, credit.start(), stripped[credit.start() :], "credit")
        return caption.rstrip()

    def _without_licence_sentences(self, number: int, line: str) -> str:
        if not _LICENCE_HINT.search(line) or license_of(line) is None:
            return line
        pieces: list[str] = []
        start = 0
        for sentence_start, sentence in _sentences(line):
            cut = _licence_statement(sentence)
            if cut is None:
                continue
            name = license_of(sentence[cut:])
            self.license = self.license or name
            by = _CONTENT_BY.search(sentence)
            if by:
                self.name_publisher(by.group("name"))
            begin = sentence_start + cut
            pieces.append(line[start:begin])
            self.remove(number, begin, sentence[cut:], "licence")
            start = sentence_start + len(sentence)
        if not pieces:
            return line
        pieces.append(line[start:])
        return "".join(pieces).rstrip()


def _sentences(line: str) -> list[tuple[int, str]]:
    """Split one line into ``(start, sentence)`` pairs; each sentence keeps its trailing space."""
    found: list[tuple[int, str]] = []
    start = 0
    for end in _SENTENCE_END.finditer(line):
        found.append((start, line[start : end.end()]))
        start = end.end()
    if start < len(line):
        found.append((start, line[start:]))
    return found


def _licence_statement(sentence: str) -> int | None:
    """Where the licence statement in ``sentence`` starts, or None when it has none.

    A statement says what the text is licensed under ("This article is licensed under
    ...", "All Content by X is licensed ...", "Licence: CC0") or is mostly the licence's
    name ("CC BY-SA 4.0."). A story sentence that mentions a licence ("The photos are
    released under a Creative Commons licence") is not one.
    """
    stripped = sentence.strip()
    if license_of(stripped) is None:
        return None
    lead = len(sentence) - len(sentence.lstrip())
    # Editor initials glued to the statement ("SA/PM All Content by ...") go with it.
    initials = re.match(rf"{_INITIALS_TOKEN}\s+", stripped)
    body_start = initials.end() if initials else 0
    body = stripped[body_start:]
    if _LICENCE_LABEL.match(body):
        return lead
    verb = _LICENCE_VERB.search(body)
    if verb and _LICENCE_SUBJECT.match(body[: verb.start()]):
        return lead
    mention = sum(len(m.group()) for pattern, _ in _LICENSES for m in pattern.finditer(body))
    if len(body) <= 200 and mention * 2 >= len(body.rstrip(". ")):
        return lead
    return None


def _trailing_reason(line: str) -> str | None:
    """Why a line after the story's last sentence is not story, or None when it is."""
    if _INITIALS.match(line):
        return "sign_off"
    if _REPORTING.match(line):
        return "byline"
    if _TRAILING_BOILERPLATE.match(line):
        return "boilerplate"
    return None


def _repeats_headline(line: str, headline: str) -> bool:
    """True when ``line`` is the headline again, perhaps without a "-Xinhua"/"| Site" tail."""
    written = " ".join(line.split()).casefold()
    if not written:
        return False
    if written == headline:
        return True
    rest = headline[len(written) :] if headline.startswith(written) else ""
    return len(written.split()) >= 4 and rest[:1] in ("-", "|", "–", "—", ":", " ")


def clean_text(text: str, *, title: str | None = None) -> CleanText:
    """Split inline metadata from the story.

    ``title``, when known, lets a line that only repeats the headline go.

    >>> cleaned = clean_text("TEHRAN (ECNA) — The talks ended.\\n\\nMR/ZH")
    >>> cleaned.text, cleaned.dateline.place, [r.text for r in cleaned.removed]
    ('TEHRAN (ECNA) — The talks ended.', 'TEHRAN', ['MR/ZH'])
    """
    lines = normalize_body(text).split("\n")
    cleaner = _Cleaner()
    headline = " ".join(title.split()).casefold() if title else None
    kept: list[str] = []
    for number, line in enumerate(lines):
        if headline and _repeats_headline(line, headline):
            cleaner.remove(number, 0, line, "title")
            kept.append("")
            continue
        kept.append(cleaner.line(number, line))
    # Sign-offs and boilerplate sit at the end; peel them off from the bottom up.
    story_lines = [n for n, line in enumerate(kept) if line.strip()]
    while story_lines:
        number = story_lines[-1]
        last = kept[number].strip()
        reason = _trailing_reason(last)
        if reason is None:
            break
        reporting = _REPORTING.match(last)
        if reporting:
            names = _REPORTED_FROM.sub("", reporting.group("names")).strip()
            cleaner.byline = cleaner.byline or names
        cleaner.remove(number, 0, last, reason)
        kept[number] = ""
        story_lines.pop()
    # A removed line leaves the blank lines around it behind.
    body = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
    removed = tuple(item for _, _, item in sorted(cleaner.removed, key=lambda r: r[:2]))
    return CleanText(
        text=body,
        dateline=find_dateline(body),
        license=cleaner.license,
        byline=cleaner.byline,
        removed=removed,
        publisher=cleaner.publisher,
        date_text=cleaner.date_text,
    )
