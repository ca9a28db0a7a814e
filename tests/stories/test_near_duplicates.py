"""Near-duplicates: MinHash fingerprints, the copy test, LSH band keys and the original."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import pytest

from newsgraph.model import Article, Dateline
from newsgraph.stories import near_duplicates
from newsgraph.stories.features import shingles
from newsgraph.stories.near_duplicates import (
    BANDS,
    NUM_PERM,
    DuplicateOptions,
    Fingerprint,
    Member,
    agency_of,
    band_keys,
    choose_original,
    compare,
    fingerprint,
    is_near_duplicate,
    minhash,
    outlet_key,
    signatures,
)


def test_near_duplicates_doctests_pass() -> None:
    assert doctest.testmod(near_duplicates).failed == 0


def sentences(text: str) -> list[str]:
    return [part.strip() + "." for part in text.split(". ") if part.strip(" .")]


def test_fingerprint_is_stable_across_processes() -> None:
    # Signatures are stored and compared across runs: the hash must not depend on the
    # process (Python's own str hash does). These values pin datasketch's affine32 scheme.
    signature = fingerprint(Article.from_text("Talks resumed in Cairo on Tuesday.")).signature
    assert signature.dtype == np.uint32
    assert len(signature) == NUM_PERM
    assert [int(v) for v in signature[:3]] == [315409505, 61294280, 589755799]
    assert band_keys(signature)[:2] == [3087063696891025248, 5175344738526575745]


def test_batch_signatures_are_datasketch_minhashes(newsroom: Any) -> None:
    texts = [newsroom.wire_text, newsroom.independent_text, newsroom.cocoa_text, "One two", ""]
    sets = [shingles(text) for text in texts] + [{f"s{i}" for i in range(40_000)}]
    found = signatures(sets)
    expected = np.stack([minhash(items).hashvalues for items in sets]).astype(np.uint32)
    assert found.shape == (6, NUM_PERM)
    assert np.array_equal(found, expected)


def test_fingerprint_round_trips_through_bytes(newsroom: Any) -> None:
    fp = fingerprint(newsroom.wire())
    assert np.array_equal(Fingerprint.signature_from_bytes(fp.to_bytes()), fp.signature)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text, id="identical"),
        pytest.param(lambda text: " ".join(sentences(text)[:5]), id="truncated"),
        pytest.param(
            lambda text: (
                "Advertisement\n\n" + text + "\n\nSign up for our newsletter. "
                "Follow us for the latest news from the region and beyond."
            ),
            id="boilerplate",
        ),
        pytest.param(lambda text: text.replace("said", "says").upper(), id="restyled"),
        pytest.param(lambda text: "Rescuers kept searching on Wednesday. " + text, id="new-lead"),
    ],
)
def test_copies_are_near_duplicates(newsroom: Any, change: Any) -> None:
    wire = newsroom.wire()
    copy = newsroom.copy(wire, change(wire.text), source="Harbor Times")
    similarity = is_near_duplicate(fingerprint(wire), fingerprint(copy))
    assert similarity is not None
    assert similarity.containment >= DuplicateOptions().containment


def test_same_story_in_other_words_is_no_copy(newsroom: Any) -> None:
    wire = newsroom.wire()
    other = newsroom.copy(wire, newsroom.independent_text, source="Capital Herald")
    assert is_near_duplicate(fingerprint(wire), fingerprint(other)) is None


def test_template_reports_with_other_figures_are_no_copies() -> None:
    template = (
        "The Federal Reserve entered the government securities market to arrange {0} "
        "billion dlrs of customer repurchase agreements, a Fed spokesman said. Dealers said "
        "federal funds were trading at {1} pct when the Fed began its temporary and "
        "indirect supply of reserves to the banking system, and that the move was expected "
        "after the {2} billion dlr addition of {3}."
    )
    monday = Article.from_text(
        template.format("1.5", "6-1/8", "2.0", "Friday"), published="1987-03-02"
    )
    tuesday = Article.from_text(
        template.format("2.5", "6-3/16", "1.5", "Monday"), published="1987-03-03"
    )
    first, second = fingerprint(monday), fingerprint(tuesday)
    assert compare(first, second).jaccard > 0.4
    assert is_near_duplicate(first, second) is None


def test_copies_far_apart_in_time_are_not_linked(newsroom: Any) -> None:
    wire = newsroom.wire()
    later = newsroom.copy(wire, wire.text, published="2024-06-20")
    assert is_near_duplicate(fingerprint(wire), fingerprint(later)) is None
    undated = newsroom.copy(wire, wire.text, published=None)
    assert is_near_duplicate(fingerprint(wire), fingerprint(undated)) is not None


def test_band_keys_agree_exactly_when_bands_agree(newsroom: Any) -> None:
    fp = fingerprint(newsroom.wire())
    keys = band_keys(fp.signature)
    assert len(keys) == BANDS
    assert keys == band_keys(fp.signature.copy())
    changed = fp.signature.copy()
    changed[0] += 1  # only the first band changes
    other = band_keys(changed)
    assert other[0] != keys[0]
    assert other[1:] == keys[1:]
    assert all(-(2**63) <= key < 2**63 for key in keys)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("The Associated Press", "associated press"), ("AP", "associated press"),
     ("Agence France-Presse", "afp"), ("Reuters", "reuters"), ("  Al  Jazeera ", "al jazeera"),
     ("", None), (None, None)],
)  # fmt: skip
def test_outlet_key_folds_names(name: str | None, expected: str | None) -> None:
    assert outlet_key(name) == expected


def test_agency_of_reads_dateline_then_byline() -> None:
    text = "KYIV (Meridian News) - Shelling hit a power station."
    dated = Article.from_text(text, dateline=Dateline(0, 24, text[:24], "KYIV", "Meridian News"))
    assert agency_of(dated) == "meridian news"
    credited = Article.from_text("Shelling hit a power station.", byline="Staff and Reuters")
    assert agency_of(credited) == "reuters"
    assert agency_of(Article.from_text("Shelling hit a power station.", byline="Jane Doe")) is None


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param(
            [Member("b", "2024-05-03T09:00:00", "herald", "reuters"),
             Member("a", "2024-05-03T10:00:00", "reuters", "reuters")],
            ("b", "earliest"), id="earliest-time-wins-over-agency",
        ),
        pytest.param(
            [Member("b", "2024-05-03", "herald", "reuters"),
             Member("a", "2024-05-03T10:00:00", "reuters", "reuters")],
            ("a", "agency"), id="a-day-without-time-ties-then-agency",
        ),
        pytest.param(
            [Member("b", "2024-05-04", "reuters", None), Member("a", "2024-05-03", "herald", None)],
            ("a", "earliest"), id="earlier-day",
        ),
        pytest.param(
            [Member("b", None, "x", None), Member("a", None, "y", None)],
            ("a", "first"), id="nothing-to-go-by",
        ),
        pytest.param(
            [Member("b", "2024-05-03T10:00:00+02:00", "x", None),
             Member("a", "2024-05-03T09:30:00+00:00", "y", None)],
            ("b", "earliest"), id="time-zones",
        ),
    ],
)  # fmt: skip
def test_choose_original(members: list[Member], expected: tuple[str, str]) -> None:
    assert choose_original(members) == expected
    assert choose_original(list(reversed(members))) == expected


def test_choose_original_takes_the_most_complete_copy(newsroom: Any) -> None:
    wire = newsroom.wire(published=None)
    parts = sentences(wire.text)
    copies = [
        newsroom.copy(wire, " ".join(parts[:4])),
        newsroom.copy(wire, " ".join(parts[:5]) + " Follow us for more news from the region."),
        newsroom.copy(wire, "Rescuers kept searching on Wednesday. " + wire.text),
    ]
    members = [Member.of(a, fingerprint(a)) for a in [*copies, wire]]
    assert choose_original(members) == (wire.id, "complete")


def test_choose_original_needs_members() -> None:
    with pytest.raises(ValueError, match="at least one"):
        choose_original([])
