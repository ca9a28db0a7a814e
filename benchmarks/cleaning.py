"""What cleaning removes from real articles, and which titles and publishers it finds.

Run from the project root::

    .venv/bin/python benchmarks/cleaning.py --data ../shared/data --sample 300

Two measurements, both through :func:`newsgraph.read_inputs` exactly as ``ingest`` reads:

1. ``realnews_dev``: each ``NN_*.txt`` of ``DATA/realnews_dev`` (30 articles kept as
   published) as one text file: the share of its characters (white space aside) that
   are neither in the analysed text nor in the title, whether a title and a publisher
   (``source``) were found, and the rules that removed something (a headline read off
   the first line counts as kept).
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
from collections import Counter
from pathlib import Path

from newsgraph.ingest import read_inputs
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
            print(
                f"  {path.stem[:34]:34} removed {share:6.1%}  title={'yes' if item.title else '-':3}"
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


if __name__ == "__main__":
    main()
