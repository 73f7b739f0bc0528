"""The agreement figures of `pigan evaluate`, checked against counts worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pigan.errors import InputError
from pigan.evaluate import BinaryScores, GoldUnit, Prediction, read_gold, score_units
from pigan.tagging.codebook import TOP_LEVEL_CODES

CODES = TOP_LEVEL_CODES


def unit(i: int, labels: set[str], blame: bool | None = None) -> GoldUnit:
    return GoldUnit(id=f"u{i}", text="text", labels=frozenset(labels), blame=blame, line=i)


def pred(labels: set[str], blame: bool = False) -> Prediction:
    return Prediction(frozenset(labels), blame)


# Six units. Gold and predicted labels, and the counts per label (TP FP FN TN):
#   u1 gold {context}             pred {context}
#   u2 gold {context, dec}        pred {dec}
#   u3 gold {}                    pred {context}
#   u4 gold {good}                pred {good}
#   u5 gold {case_story}          pred {}
#   u6 gold {dec}                 pred {dec, good}
# context: TP1 (u1) FP1 (u3) FN1 (u2) TN3 -> P 1/2, R 1/2, F1 1/2
#          kappa: po = 4/6; pe = (2*2 + 4*4)/36 = 20/36; (4/6 - 20/36) / (1 - 20/36) = (4/36)/(16/36) = 0.25
# decision_influence: TP2 (u2, u6) FP0 FN0 TN4 -> P 1, R 1, F1 1, kappa 1
# good_practice: TP1 (u4) FP1 (u6) FN0 TN4 -> P 1/2, R 1, F1 2/3
#          kappa: po = 5/6; pe = (2*1 + 4*5)/36 = 22/36; (30/36 - 22/36)/(14/36) = 8/14 = 0.5714
# case_story: TP0 FP0 FN1 TN5 -> P 0 (nothing predicted), R 0, F1 0
#          kappa: po = 5/6, pe = (0 + 6*5)/36 = 5/6 -> 0
# recommendation appears nowhere: not reported.
# macro F1 over the purpose codes reported (context, dec, good): (1/2 + 1 + 2/3) / 3 = 0.7222
# micro F1 over the same: TP 4, FP 2, FN 1 -> 2*4 / (2*4 + 2 + 1) = 8/11 = 0.7273
# blame, gold on u1..u4 only (u5, u6 have no blame key):
#   u1 gold T pred T (TP), u2 gold T pred F (FN), u3 gold F pred T (FP), u4 gold F pred F (TN)
#   -> P 1/2, R 1/2, F1 1/2 (u6's predicted blame is not scored)
GOLD = [
    unit(1, {"context"}, True),
    unit(2, {"context", "decision_influence"}, True),
    unit(3, set(), False),
    unit(4, {"good_practice"}, False),
    unit(5, {"case_story"}),
    unit(6, {"decision_influence"}),
]
PREDICTED = [
    pred({"context"}, True),
    pred({"decision_influence"}),
    pred({"context"}, True),
    pred({"good_practice"}),
    pred(set()),
    pred({"decision_influence", "good_practice"}, True),
]


def test_figures_match_the_hand_computed_counts() -> None:
    figures = score_units(GOLD, PREDICTED, codes=CODES).to_dict()
    assert figures["n"] == 6
    assert list(figures["labels"]) == ["context", "decision_influence", "good_practice", "case_story"]
    assert figures["labels"]["context"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
        "kappa": 0.25,
    }
    assert figures["labels"]["decision_influence"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 2,
        "kappa": 1.0,
    }
    assert figures["labels"]["good_practice"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": 0.6667,
        "support": 1,
        "kappa": 0.5714,
    }
    assert figures["labels"]["case_story"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
        "kappa": 0.0,
    }
    assert figures["macro_f1"] == 0.7222
    assert figures["micro_f1"] == 0.7273
    assert figures["blame"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_no_blame_block_when_the_gold_has_no_blame() -> None:
    gold = [unit(1, {"context"}), unit(2, set())]
    figures = score_units(gold, [pred({"context"}, True), pred(set())], codes=CODES).to_dict()
    assert "blame" not in figures
    assert set(figures) == {"n", "labels", "macro_f1", "micro_f1"}


def test_case_story_alone_is_averaged_when_no_purpose_code_occurs() -> None:
    gold = [unit(1, {"case_story"}), unit(2, set())]
    evaluation = score_units(gold, [pred({"case_story"}), pred(set())], codes=CODES)
    assert evaluation.averaged == ("case_story",)
    assert evaluation.macro_f1 == 1.0


def test_kappa_is_undefined_when_both_sides_say_yes_to_every_unit() -> None:
    assert BinaryScores(tp=3, fp=0, fn=0, tn=0).kappa is None
    assert BinaryScores(tp=0, fp=0, fn=0, tn=0).kappa is None


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "text": "Caseloads were high.", "labels": ["context"], "blame": False})


def test_reading_gold_keeps_extra_fields_out_and_accepts_topic_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            GOOD,
            "",
            json.dumps({"id": 2, "text": "x", "labels": ["context.workload"], "style": "facilitator"}),
        ],
    )
    units = read_gold(path)
    assert [(u.id, sorted(u.labels), u.blame, u.line) for u in units] == [
        ("a", ["context"], False, 1),
        ("2", ["context"], None, 3),
    ]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"id": "b", "labels": []}), "missing or empty 'text'"),
        (json.dumps({"id": "b", "text": "t", "labels": "context"}), "'labels' must be a list"),
        (
            json.dumps({"id": "b", "text": "t", "labels": ["workload_pressure"]}),
            "unknown label 'workload_pressure'",
        ),
        (json.dumps({"id": "b", "text": "t", "labels": [], "blame": "yes"}), "'blame' must be true or false"),
        (json.dumps({"id": "a", "text": "t", "labels": []}), "id 'a' repeats line 1"),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-text",
        "labels-not-a-list",
        "unknown-label",
        "blame-not-boolean",
        "repeated-id",
    ],
)
def test_malformed_gold_line_names_file_and_line(tmp_path: Path, bad: str, reason: str) -> None:
    path = write(tmp_path, [GOOD, bad])
    with pytest.raises(InputError) as info:
        read_gold(path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert reason in str(info.value)
    assert "Caseloads" not in str(info.value)


def test_empty_gold_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no labelled lines"):
        read_gold(write(tmp_path, [""]))


def test_the_macro_f1_interval_brackets_the_figure_and_narrows_with_more_units() -> None:
    small = score_units(GOLD, PREDICTED, codes=CODES)
    assert small.macro_f1_interval is not None
    low, high = small.macro_f1_interval
    assert low < small.macro_f1 < high  # 0.7222 (hand-computed above) with six units is uncertain
    # The same answers eight times over: the same figure, known more tightly.
    large = score_units(GOLD * 8, PREDICTED * 8, codes=CODES)
    assert large.macro_f1 == pytest.approx(small.macro_f1)
    assert large.macro_f1_interval is not None
    large_low, large_high = large.macro_f1_interval
    assert low < large_low < large.macro_f1 < large_high < high
    # A fixed seed: a rerun prints the same interval.
    assert score_units(GOLD, PREDICTED, codes=CODES).macro_f1_interval == small.macro_f1_interval


def test_perfect_agreement_has_no_spread_and_one_unit_has_no_interval() -> None:
    perfect = score_units(GOLD, [pred(set(u.labels)) for u in GOLD], codes=CODES)
    assert perfect.macro_f1_interval == (1.0, 1.0)
    assert score_units(GOLD[:1], PREDICTED[:1], codes=CODES).macro_f1_interval is None


def test_the_interval_is_printed_in_the_table_but_the_json_keeps_its_shape() -> None:
    from pigan.evaluate import format_evaluation

    evaluation = score_units(GOLD, PREDICTED, codes=CODES)
    assert evaluation.macro_f1_interval is not None
    low, high = evaluation.macro_f1_interval
    assert f"macro F1 95% interval {low:.3f} to {high:.3f}" in format_evaluation(evaluation)
    assert set(evaluation.to_dict()) == {"n", "labels", "macro_f1", "micro_f1", "blame"}
