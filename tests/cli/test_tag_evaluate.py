"""`pigan tag` and `pigan evaluate` end to end, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAR_EVENT, CliResult

pytestmark = pytest.mark.slow

Run = Callable[..., CliResult]

# A tiny gold file whose figures were worked out by hand. pigan's answers
# (checked sentence by sentence) and the gold, where two lines deliberately
# disagree with pigan (g3, g5) and one gold line has a second label (g6):
#   g1 recommendation                 pigan: recommendation             blame F/F
#   g2 case_story                     pigan: case_story                 blame F/F
#   g3 context                        pigan: (nothing: negated)         blame F/F
#   g4 decision_influence, blame      pigan: decision_influence, blame  blame T/T
#   g5 (none), blame                  pigan: (nothing)                  blame T/F
#   g6 good_practice + dec. infl.     pigan: good_practice              (no blame key)
# context:        TP0 FP0 FN1 TN5 -> P 0, R 0, F1 0; kappa: po 5/6, pe (0*1 + 6*5)/36 = 5/6 -> 0
# decision_infl.: TP1 FP0 FN1 TN4 -> P 1, R 1/2, F1 2/3; kappa: po 5/6, pe (1*2 + 5*4)/36 = 22/36
#                 -> (30/36 - 22/36) / (14/36) = 8/14 = 0.5714
# good_practice, recommendation, case_story: TP1 TN5 -> 1, 1, 1, kappa 1
# macro F1 (the four purpose codes): (0 + 2/3 + 1 + 1) / 4 = 0.6667
# micro F1 (same codes): TP 3, FP 0, FN 2 -> 6 / (6 + 0 + 2) = 0.75
# blame (g1-g5): TP1 (g4) FN1 (g5) FP0 -> P 1, R 1/2, F1 2/3
GOLD = [
    {
        "id": "g1",
        "text": "Agencies should ensure that the escalation policy is used in every case.",
        "labels": ["recommendation"],
        "blame": False,
    },
    {
        "id": "g2",
        "text": "On 14 March 2021 Adult D was admitted to hospital after a fall.",
        "labels": ["case_story"],
        "blame": False,
        "style": "chronology",
    },
    {"id": "g3", "text": "No concerns about workload were raised.", "labels": ["context"], "blame": False},
    {
        "id": "g4",
        "text": "The GP failed to refer Adult D to the falls team, assuming she would not attend.",
        "labels": ["decision_influence"],
        "blame": True,
    },
    {"id": "g5", "text": "The review is not about apportioning blame.", "labels": [], "blame": True},
    {
        "id": "g6",
        "text": "The community nurse kept visiting every week although he rarely opened the door, "
        "which was exemplary.",
        "labels": ["decision_influence", "good_practice"],
    },
]


def write_gold(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_evaluate_json_reports_the_hand_computed_figures(run_pigan: Run, tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    result = run_pigan("evaluate", gold, "--json")
    assert result.code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["n"] == 6
    assert figures["labels"] == {
        "context": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "kappa": 0.0},
        "decision_influence": {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2, "kappa": 0.5714},
        "good_practice": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1, "kappa": 1.0},
        "recommendation": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1, "kappa": 1.0},
        "case_story": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1, "kappa": 1.0},
    }
    assert figures["macro_f1"] == 0.6667
    assert figures["micro_f1"] == 0.75
    assert figures["blame"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert "Agencies" not in result.stderr


def test_evaluate_prints_a_table_without_json(run_pigan: Run, tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", [{k: v for k, v in r.items() if k != "blame"} for r in GOLD])
    result = run_pigan("evaluate", gold)
    assert result.code == 0, result.stderr
    assert "decision_influence" in result.stdout
    assert "macro F1 0.667" in result.stdout
    assert "blame" not in result.stdout.split("macro F1")[1]


def test_evaluate_malformed_gold_exits_2_naming_file_and_line(run_pigan: Run, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD[0]) + "\n" + '{"id": "x", "text": "Secret words", "labels": "context"}\n')
    result = run_pigan("evaluate", gold, "--json")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"pigan: error: {gold}:2: 'labels' must be a list of codes"


def test_tag_file_writes_one_jsonl_line_per_note(run_pigan: Run) -> None:
    notes = SAR_EVENT / "notes.csv"
    result = run_pigan("tag", notes)
    assert result.code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines
    assert len({line["id"] for line in lines}) == len(lines)
    for line in lines:
        assert set(line) == {"id", "codes", "topics", "tags", "flags", "scores"}
        assert set(line["flags"]) == {"blame", "singling_out"}
        for tag in line["tags"]:
            assert tag["kind"] in {"theme", "flag"}
            assert 0 <= tag["sentence_start"] <= tag["start"] < tag["end"] <= tag["sentence_end"]
            assert tag["rule"] and 0.0 <= tag["score"] <= 1.0


def test_tag_with_two_worker_processes_gives_the_same_tags(run_pigan: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "- Hospital SWs cover three sites incl. one out of area, so the team was not always on site.\n"
        "- Caseloads were high and nobody did a risk assessment.\n"
        "- The board should seek assurance that referrals are acknowledged.\n",
        encoding="utf-8",
    )
    one = run_pigan("tag", notes)
    two = run_pigan("tag", notes, "--workers", "2")
    assert (one.code, two.code) == (0, 0), two.stderr
    assert two.stdout == one.stdout and one.stdout.count("\n") == 3


def test_tag_csv_neutralises_formula_cells(run_pigan: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        json.dumps({"id": '=HYPERLINK("http://x")', "text": "Caseloads were over 600 families."})
        + "\n"
        + json.dumps({"id": "n2", "text": "Introductions were made and the ground rules agreed."})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "tags.csv"
    result = run_pigan("tag", notes, "--format", "csv", "--out", out)
    assert result.code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    first = [r for r in rows if r["id"].startswith("'=")]
    assert first and first[0]["id"] == '\'=HYPERLINK("http://x")'
    assert "context" in first[0]["codes"]
    assert [r["kind"] for r in rows if r["id"] == "n2"] == [""]  # a note without tags keeps its row


def test_tag_event_stores_the_tags(run_pigan: Run, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_pigan("ingest", SAR_EVENT, "--store", store).code == 0
    event = "sar-adult-d"
    first = run_pigan("tag", "--event", event, "--store", store, "--out", tmp_path / "first.jsonl")
    assert first.code == 0, first.stderr
    assert "tags stored" in first.stderr
    second = run_pigan("tag", "--event", event, "--store", store)
    assert second.code == 0, second.stderr
    assert second.stdout == (tmp_path / "first.jsonl").read_text("utf-8")
    with sqlite3.connect(store / "pigan.sqlite") as db:
        tags = db.execute("SELECT count(*) FROM tags WHERE event_id = ?", (event,)).fetchone()[0]
        runs = db.execute("SELECT count(*) FROM tag_runs WHERE event_id = ?", (event,)).fetchone()[0]
    assert tags == sum(len(json.loads(line)["tags"]) for line in second.stdout.splitlines())
    assert runs == 1


def test_tag_unknown_event_exits_2(run_pigan: Run, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_pigan("ingest", SAR_EVENT, "--store", store).code == 0
    result = run_pigan("tag", "--event", "nope", "--store", store)
    assert result.code == 2
    assert result.stderr.startswith("pigan: error: no event 'nope'")
