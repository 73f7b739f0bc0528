"""scripts/annotator_agreement.py: two annotators' labels scored with pigan's figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "annotator_agreement.py"


def write(path: Path, rows: list[tuple[str, list[str], bool]]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": i, "text": f"sentence {i}", "labels": labels, "blame": blame}) + "\n"
            for i, labels, blame in rows
        ),
        "utf-8",
    )
    return path


def run(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, paths)], capture_output=True, text=True)


def test_one_disagreement_gives_the_hand_computed_figures(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.jsonl",
        [
            ("1", ["context"], False),
            ("2", ["context"], True),
            ("3", [], False),
            ("4", ["recommendation"], False),
        ],
    )
    # The second annotator misses one context sentence and one blame flag.
    second = write(
        tmp_path / "b.jsonl",
        [("1", ["context"], False), ("2", [], False), ("3", [], False), ("4", ["recommendation"], False)],
    )
    result = run(first, second)
    assert result.returncode == 0, result.stderr
    context = next(line for line in result.stdout.splitlines() if line.startswith("context"))
    # context: precision 1, recall 1/2, F1 2/3; kappa (0.75 - 0.5) / (1 - 0.5) = 0.5
    assert context.split()[1:4] == ["1.000", "0.500", "0.667"]
    assert context.split()[-1] == "0.500"
    assert "macro F1 0.833" in result.stdout  # context 0.667 and recommendation 1.0
    assert "blame    precision 0.000  recall 0.000  f1 0.000" in result.stdout


def test_files_with_different_ids_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl", [("1", [], False)])
    second = write(tmp_path / "b.jsonl", [("2", [], False)])
    result = run(first, second)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "same ids" in result.stderr
