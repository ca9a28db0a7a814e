"""What cleaning removes from real articles, and which titles and publishers it finds.

Run from the project root::

    .venv/bin/python benchmarks/cleaning.py --data ../shared/data --sample 300

Two measurements, both through :func:`newsgraph.read_inputs` exactly as ``ingest`` reads:

1. ``realnews_dev``: each ``NN_*.txt`` of ``DATA/realnews_dev`` (30 articles kept as
   published) as one text file: the share of its characters (white space aside) that
   are neither in the analysed text nor in the title, whether a title and a publisher
   (``source``) were found, and the rules that removed something (a headline read off
   the first line counts as kept).
3. ``held out``: every text of PolNeAR (``DATA/quotes/polnear``) and of the LGL,
   GeoWebNews and GeoVirus sets (``DATA/geo``), real news never looked at while the
   rules were written: how many pieces each rule removed, with examples to judge by
   eye whether any is story (``-v`` prints them).
2. ``news``: a seeded random sample of ``--sample`` records from each of
   ``DATA/news/{reuters21578,bbc,guardian_middle_east}.jsonl``, each read as a one-line
   JSON Lines input: the mean and largest share removed, how many records lost over 10%,
   and how many were rejected.

The same seed and data always give the same figures; the script only reads the data.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from pathlib import Path

from newsgraph.ingest import read_inputs
from newsgraph.ingest.cleaning import clean_text
from newsgraph.model import Article

NEWS_SETS = ("reuters21578", "bbc", "guardian_middle_east")


def _letters(text: str) -> int:
    return len("".join(text.split()))


def removed_share(original: str, article: Article, *, title_in_text: bool = True) -> float:
    """Share of ``original``'s characters (white space aside) not kept as text (or title,
    when the title was read from the text, as in a plain-text file)."""
    total = _letters(original)
    kept = _letters(article.text) + (_letters(article.title or "") if title_in_text else 0)
    return max(0.0, 1 - kept / total) if total else 0.0


def realnews(folder: Path, *, verbose: bool) -> None:
    """Report removal, titles and publishers on the realnews_dev articles."""
    shares: list[float] = []
    rules: Counter[str] = Counter()
    titles = sources = 0
    for path in sorted(folder.glob("[0-9]*.txt")):
        [item] = list(read_inputs([path], max_bytes=10_000_000))
        if not isinstance(item, Article):
            print(f"{path.name}: rejected ({item.kind}: {item.reason})")
            continue
        share = removed_share(path.read_text(encoding="utf-8"), item)
        shares.append(share)
        # getattr: the script also measures older checkouts, whose removals were strings.
        removed = getattr(item, "removed", ())
        rules.update(getattr(piece, "reason", "unnamed") for piece in removed)
        titles += item.title is not None
        sources += item.source is not None
        if verbose:
            title = "yes" if item.title else "-"
            print(
                f"  {path.stem[:34]:34} removed {share:6.1%}  title={title:3}"
                f"  source={item.source or '-'}"
            )
    over = sum(share > 0.10 for share in shares)
    print(
        f"realnews_dev: {len(shares)} articles, removed mean {statistics.mean(shares):.1%}, "
        f"max {max(shares):.1%}, over 10%: {over}; titles {titles}, sources {sources}"
    )
    print(f"  removed by rule: {dict(rules.most_common())}")


def news(folder: Path, *, sample: int, seed: int) -> None:
    """Report removal on a seeded sample of each news JSON Lines set."""
    for name in NEWS_SETS:
        lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        chosen = random.Random(seed).sample(lines, min(sample, len(lines)))
        shares: list[float] = []
        rejected = 0
        for line in chosen:
            stdin = io.BytesIO(line.encode("utf-8"))
            [item] = list(read_inputs(["-"], max_bytes=10_000_000, stdin=stdin))
            if not isinstance(item, Article):
                rejected += 1
                continue
            text = json.loads(line)["text"]
            shares.append(removed_share(text, item, title_in_text=False))
        over = sum(share > 0.10 for share in shares)
        print(
            f"{name}: {len(chosen)} records, rejected {rejected}, removed mean "
            f"{statistics.mean(shares):.2%}, max {max(shares):.1%}, over 10%: {over}"
        )


def held_out(data: Path, *, verbose: bool) -> None:
    """Count what each rule removes from real news texts the rules were not written on."""
    texts: list[tuple[str, str]] = []
    for path in sorted((data / "quotes" / "polnear").rglob("*.txt")):
        texts.append(("polnear", path.read_text(encoding="utf-8", errors="replace")))
    for name in ("lgl", "geowebnews", "geovirus"):
        root = ElementTree.parse(data / "geo" / f"{name}.xml").getroot()
        texts += [(name, node.text) for node in root.iter("text") if node.text]
    articles: Counter[str] = Counter(corpus for corpus, _ in texts)
    touched: Counter[str] = Counter()
    pieces: Counter[tuple[str, str]] = Counter()
    examples: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for corpus, text in texts:
        cleaned = clean_text(text)
        touched[corpus] += bool(cleaned.removed)
        for piece in cleaned.removed:
            pieces[corpus, piece.reason] += 1
            examples[corpus, piece.reason].append(piece.text[:100])
    print(f"held out: articles {dict(articles)}, with something removed {dict(touched)}")
    for (corpus, reason), count in sorted(pieces.items()):
        print(f"  {corpus} {reason}: {count}")
        if verbose:
            for example in examples[corpus, reason]:
                print(f"      {example}")


def main() -> None:
    """Parse the options and print both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args()
    realnews(options.data / "realnews_dev", verbose=options.verbose)
    news(options.data / "news", sample=options.sample, seed=options.seed)
    held_out(options.data, verbose=options.verbose)


if __name__ == "__main__":
    main()
