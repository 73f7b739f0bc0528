"""Representative excerpts: central, not repetitive, independent of row order, each with its note id."""

from __future__ import annotations

import pandas as pd
import pytest

from pigan import analysis


def candidates(*sentences: tuple[str, str]) -> pd.DataFrame:
    """Candidate sentences for one topic from (note_id, text) pairs."""
    return pd.DataFrame(
        [
            {
                "event_id": "e1",
                "note_id": note_id,
                "top_code": "context",
                "topic": "context.workload",
                "start": 0,
                "end": len(text),
                "text": text,
            }
            for note_id, text in sentences
        ]
    )


# The first sentence is off-topic chatter: a first-N choice would pick it.
WORKLOAD = candidates(
    ("n01", "The meeting room was cold and the coffee arrived late this morning."),
    ("n02", "Health visitor caseloads were far too high to allow extra home visits."),
    ("n03", "Caseloads in the duty team were high, so home visits were cut short."),
    ("n04", "With caseloads that high nobody had time for extra home visits."),
    ("n05", "Health visitor caseloads were far too high to allow extra home visits!"),  # near-copy of n02
    ("n06", "Vacancies meant agency staff covered most home visits that winter."),
)


def test_the_most_central_sentence_comes_first_not_the_first_row() -> None:
    chosen = analysis.select_excerpts(WORKLOAD, k=1)
    assert chosen["note_id"].tolist() != ["n01"]
    assert chosen.iloc[0]["note_id"] in {"n02", "n03", "n04", "n05"}
    assert chosen.iloc[0]["rank"] == 1


def test_off_topic_sentence_is_never_chosen_while_topical_ones_remain() -> None:
    chosen = analysis.select_excerpts(WORKLOAD, k=4)
    assert "n01" not in chosen["note_id"].tolist()


def test_near_duplicates_are_not_both_chosen() -> None:
    chosen = set(analysis.select_excerpts(WORKLOAD, k=5)["note_id"])
    assert not {"n02", "n05"} <= chosen


def test_one_sentence_per_note() -> None:
    pool = candidates(
        ("n1", "Caseloads were high across the whole duty team."),
        ("n1", "Caseloads in the duty team were high all year."),
        ("n2", "Duty team caseloads stayed high for months."),
    )
    chosen = analysis.select_excerpts(pool, k=3)
    assert sorted(chosen["note_id"]) == ["n1", "n2"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3], ids=lambda s: f"shuffle-{s}")
def test_choice_does_not_depend_on_row_order(seed: int) -> None:
    expected = analysis.select_excerpts(WORKLOAD, k=3)[["note_id", "text"]].to_numpy().tolist()
    shuffled = WORKLOAD.sample(frac=1.0, random_state=seed)
    assert analysis.select_excerpts(shuffled, k=3)[["note_id", "text"]].to_numpy().tolist() == expected


def test_diversity_prefers_a_different_point_over_a_restatement() -> None:
    pool = candidates(
        ("a", "Caseloads were high and home visits were cut short."),
        ("b", "Caseloads were high so home visits were cut short for weeks."),
        ("c", "Home visits were cut short because caseloads were high in the team."),
        ("d", "Caseloads were high and agency staff covered the vacancies."),
    )
    top_two = analysis.select_excerpts(pool, k=2, diversity=0.5, near_duplicate=0.99)
    assert "d" in top_two["note_id"].tolist()
    without_diversity = analysis.select_excerpts(pool, k=2, diversity=0.0, near_duplicate=0.99)
    assert "d" not in without_diversity["note_id"].tolist()


@pytest.mark.parametrize(
    ("k", "expected"), [(0, 0), (2, 2), (50, 5)], ids=["none", "two", "more-than-there-are"]
)
def test_k_bounds_the_number_of_excerpts(k: int, expected: int) -> None:
    assert len(analysis.select_excerpts(WORKLOAD, k=k)) == expected


def test_short_fragments_only_used_when_nothing_longer_is_left() -> None:
    pool = candidates(("a", "Caseloads high."), ("b", "Caseloads in the duty team were high for months."))
    assert analysis.select_excerpts(pool, k=1)["note_id"].tolist() == ["b"]
    assert analysis.select_excerpts(pool, k=2)["note_id"].tolist() == ["b", "a"]


def test_every_excerpt_keeps_its_note_id_and_text() -> None:
    chosen = analysis.select_excerpts(WORKLOAD, k=3)
    original = dict(zip(WORKLOAD["note_id"], WORKLOAD["text"], strict=True))
    for row in chosen.itertuples():
        assert original[row.note_id] == row.text


def test_representative_excerpts_choose_per_topic() -> None:
    other = candidates(
        ("m1", "The GP referred promptly and followed it up by phone."),
        ("m2", "A prompt referral from the GP was followed up the next day."),
    )
    other["topic"] = "good_practice.timely_referral"
    chosen = analysis.representative_excerpts(pd.concat([WORKLOAD, other]), k=2)
    assert chosen.groupby("topic").size().to_dict() == {
        "context.workload": 2,
        "good_practice.timely_referral": 2,
    }


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("The caseloads were HIGH!", ["caseload", "high"]),
        ("Agencies' referrals and the family's story", ["agency", "referral", "family", "story"]),
        ("It was not a process issue", ["process", "issue"]),
    ],
    ids=["plural-and-case", "possessives", "stop-words"],
)
def test_excerpt_terms(text: str, terms: list[str]) -> None:
    assert analysis.excerpt_terms(text) == terms


@pytest.mark.parametrize(
    ("original", "shown", "span", "expected"),
    [
        (
            "Mum Jane Smith rang. Then nothing.",
            "Mum [PERSON 1] rang. Then nothing.",
            (21, 34),
            "Then nothing.",
        ),
        (
            "Mum Jane Smith rang. Then nothing.",
            "Mum [PERSON 1] rang. Then nothing.",
            (0, 20),
            "Mum [PERSON 1] rang.",
        ),
        ("Call 07700 900461 now. Next.", "Call [PHONE] now. Next.", (5, 22), "[PHONE] now."),
        ("Unchanged text.", "Unchanged text.", (0, 9), "Unchanged"),
    ],
    ids=[
        "after-a-redaction",
        "sentence-holding-a-redaction",
        "span-starting-inside-a-redaction",
        "unchanged",
    ],
)
def test_map_offsets_follow_redactions(
    original: str, shown: str, span: tuple[int, int], expected: str
) -> None:
    start, end = analysis.map_offsets(original, shown, *span)
    assert shown[start:end] == expected


def test_excerpt_candidates_use_the_text_the_gate_allows() -> None:
    notes = pd.DataFrame(
        [
            {
                "event_id": "e1",
                "note_id": "n1",
                "text": "Mum Jane Smith rang. Caseloads were high.",
                "participant": "P1",
                "agency": None,
                "role": None,
                "segment": None,
                "episode_date": None,
            },
            {
                "event_id": "e1",
                "note_id": "n2",
                "text": "Blocked note about caseloads.",
                "participant": "P2",
                "agency": None,
                "role": None,
                "segment": None,
                "episode_date": None,
            },
        ]
    )
    assignments = pd.DataFrame(
        [
            {
                "event_id": "e1",
                "note_id": "n1",
                "top_code": "context",
                "topic": "context.workload",
                "sentence_start": 0,
                "sentence_end": 20,
            },
            {
                "event_id": "e1",
                "note_id": "n2",
                "top_code": "context",
                "topic": "context.workload",
                "sentence_start": 0,
                "sentence_end": 29,
            },
        ]
    )
    shown = {"n1": "Mum [PERSON 1] rang. Caseloads were high."}
    found = analysis.excerpt_candidates(assignments, notes, texts=shown)
    assert found["text"].tolist() == ["Mum [PERSON 1] rang."]
    assert "Jane" not in " ".join(found["text"])


def test_a_fuller_sentence_beats_a_central_fragment() -> None:
    pool = candidates(
        ("a", "Duty team caseloads high."),
        ("b", "Duty team caseloads were high all winter, so home visits were cut and referrals waited."),
        ("c", "Caseloads in the duty team stayed high and referrals waited for weeks."),
        ("d", "High duty team caseloads."),
    )
    assert analysis.select_excerpts(pool, k=1)["note_id"].tolist() in (["b"], ["c"])
    assert analysis.select_excerpts(pool, k=1, informative_terms=1)["note_id"].tolist() in (["a"], ["d"])
