"""Agreement between two annotators who labelled the same sentences.

    .venv/bin/python scripts/annotator_agreement.py data/annotations/test.jsonl \
        data/annotations/test_second_annotator.jsonl

Both files are gold files (``{"id", "text", "labels", "blame"}``) with the same
ids in the same order. The first is read as the reference and the second scored
against it with the figures of ``pigan evaluate`` (precision, recall, F1 and
Cohen's kappa per label, macro F1 over the purpose codes, blame): the ceiling a
tagger can be expected to reach on the first file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pigan.errors import PiganError
from pigan.evaluate import Prediction, format_evaluation, read_gold, score_units
from pigan.tagging.codebook import load_codebook


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    codebook = load_codebook()
    try:
        first, second = (read_gold(Path(path), codebook=codebook) for path in argv)
    except PiganError as exc:
        print(f"annotator_agreement: error: {exc}", file=sys.stderr)
        return 2
    if [u.id for u in first] != [u.id for u in second]:
        print(
            "annotator_agreement: error: the two files do not hold the same ids in the same order",
            file=sys.stderr,
        )
        return 2
    answers = [Prediction(unit.labels, bool(unit.blame)) for unit in second]
    print(format_evaluation(score_units(first, answers, codes=codebook.code_ids)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
