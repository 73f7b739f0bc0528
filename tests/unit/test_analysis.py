"""Theme counts, breakdowns, co-occurrence, dates, the case timeline and trends (pure pandas)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pigan import analysis
from pigan.analysis import PartialDate


def make_notes(*rows: tuple[str, str, str | None, str | None, str | None, str | None]) -> pd.DataFrame:
    """Notes from (note_id, text, participant, agency, segment, episode_date) tuples, event "e1"."""
    records = [
        {
            "event_id": "e1",
            "note_id": note_id,
            "text": text,
            "agency": agency,
            "role": None,
            "participant": participant,
            "segment": segment,
            "episode_date": episode_date,
        }
        for note_id, text, participant, agency, segment, episode_date in rows
    ]
    return pd.DataFrame.from_records(records)


def tag(
    note_id: str,
    code: str,
    *,
    kind: str = "theme",
    negated: bool = False,
    hypothetical: bool = False,
    event_id: str = "e1",
    start: int = 0,
    end: int = 5,
) -> dict[str, object]:
    return {
        "event_id": event_id,
        "note_id": note_id,
        "kind": kind,
        "code": code,
        "top_code": code.split(".")[0],
        "start": start,
        "end": end,
        "sentence_start": 0,
        "sentence_end": 10,
        "rule": "cue:test",
        "score": 0.9,
        "negated": negated,
        "hypothetical": hypothetical,
    }


NOTES = make_notes(
    ("n1", "Caseloads were very high that winter.", "P1", "GP", "context", "2021-03"),
    ("n2", "Nobody asked about his drinking.", "P2", "Police", "decisions", None),
    ("n3", "Staff were stretched and nobody escalated.", "P1", "GP", "context", None),
    ("n4", "On 12 March 2021 he was admitted.", None, None, "story", None),
)
TAGS = pd.DataFrame(
    [
        tag("n1", "context.workload"),
        tag("n1", "context.workload", start=6, end=9),  # a second cue in the same note counts once
        tag("n2", "decision_influence.curiosity"),
        tag("n3", "context.staffing"),
        tag("n3", "decision_influence.escalation"),
        tag("n3", "context.workload", negated=True),
        tag("n2", "recommendation.training", hypothetical=True),
        tag("n3", "blame", kind="flag"),
        tag("n4", "case_story.chronology"),
        tag("n4", "good_practice"),  # a top-level tag from a classifier: no topic
    ]
)


@pytest.fixture()
def assignments() -> pd.DataFrame:
    return analysis.theme_assignments(TAGS, NOTES)


def test_negated_hypothetical_and_flag_tags_are_not_themes(assignments: pd.DataFrame) -> None:
    asserted = set(zip(assignments["note_id"], assignments["topic"].fillna("-"), strict=True))
    assert ("n3", "context.workload") not in asserted
    assert ("n2", "recommendation.training") not in asserted
    assert "blame" not in set(assignments["top_code"])
    assert ("n4", "-") in asserted


def test_codebook_can_keep_negated_and_hypothetical_tags_of_a_code() -> None:
    kept = analysis.theme_assignments(
        TAGS, NOTES, keep_negated={"context"}, keep_hypothetical={"recommendation"}
    )
    asserted = set(zip(kept["note_id"], kept["topic"].fillna("-"), strict=True))
    assert ("n3", "context.workload") in asserted
    assert ("n2", "recommendation.training") in asserted


def test_assignments_carry_the_note_fields(assignments: pd.DataFrame) -> None:
    row = assignments[assignments["note_id"] == "n2"].iloc[0]
    assert (row["participant"], row["agency"], row["segment"]) == ("P2", "Police", "decisions")


def test_purpose_counts_are_distinct_notes_and_participants(assignments: pd.DataFrame) -> None:
    counts = analysis.purpose_counts(assignments, NOTES)
    assert list(counts.index[:5]) == list(analysis.TOP_CODES)
    # n1 and n3 raise context (n1 twice); both are P1's
    assert counts.loc["context", "notes"] == 2
    assert counts.loc["context", "participants"] == 1
    assert counts.loc["context", "share"] == pytest.approx(0.5)
    assert counts.loc["recommendation", "notes"] == 0
    # n4 has no participant: it counts as a note, not a participant
    assert counts.loc["good_practice", "notes"] == 1
    assert counts.loc["good_practice", "participants"] == 0


def test_topic_counts_list_most_raised_first_within_each_purpose(assignments: pd.DataFrame) -> None:
    counts = analysis.topic_counts(assignments, NOTES)
    assert counts["topic"].tolist() == [
        "context.staffing",
        "context.workload",
        "decision_influence.curiosity",
        "decision_influence.escalation",
        "case_story.chronology",
    ]
    assert counts.set_index("topic").loc["context.workload", "notes"] == 1


@pytest.mark.parametrize(
    ("column", "measure", "expected"),
    [
        (
            "segment",
            "notes",
            {
                ("context", "context"): 2,
                ("decision_influence", "decisions"): 1,
                ("decision_influence", "context"): 1,
            },
        ),
        (
            "agency",
            "participants",
            {
                ("context", "GP"): 1,
                ("decision_influence", "Police"): 1,
                ("good_practice", analysis.NOT_RECORDED): 0,
            },
        ),
        ("agency", "notes", {("good_practice", analysis.NOT_RECORDED): 1, ("context", "Police"): 0}),
    ],
    ids=["segment-notes", "agency-participants", "agency-missing-is-not-recorded"],
)
def test_theme_by_counts_each_group(
    assignments: pd.DataFrame, column: str, measure: str, expected: dict[tuple[str, str], int]
) -> None:
    matrix = analysis.theme_by(assignments, column, measure=measure)
    for (code, group), value in expected.items():
        assert matrix.loc[code, group] == value


def test_cooccurrence_counts_notes_raising_both(assignments: pd.DataFrame) -> None:
    matrix = analysis.cooccurrence(assignments)
    assert list(matrix.index) == ["context", "decision_influence", "good_practice", "case_story"]
    assert matrix.loc["context", "decision_influence"] == 1  # n3 only
    assert matrix.loc["decision_influence", "context"] == 1
    assert matrix.loc["context", "context"] == 2
    assert matrix.loc["good_practice", "case_story"] == 1  # n4
    assert matrix.loc["context", "case_story"] == 0


def test_flagged_notes_list_the_blame_notes_with_offsets() -> None:
    flagged = analysis.flagged_notes(TAGS, NOTES)
    assert flagged["note_id"].tolist() == ["n3"]
    assert flagged.iloc[0]["spans"] == [(0, 5)]
    assert flagged.iloc[0]["segment"] == "context"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 12 March 2021 he was admitted", [PartialDate(date(2021, 3, 12), "day")]),
        (
            "seen 3rd of Sept 2022 and again in October 2022",
            [PartialDate(date(2022, 9, 3), "day"), PartialDate(date(2022, 10, 1), "month")],
        ),
        ("referral dated 02/11/2023", [PartialDate(date(2023, 11, 2), "day")]),
        (
            "ISO 2023-07-19 and month 2023-08",
            [PartialDate(date(2023, 7, 19), "day"), PartialDate(date(2023, 8, 1), "month")],
        ),
        ("March 5, 2020 call", [PartialDate(date(2020, 3, 5), "day")]),
        ("moved in late 2019", [PartialDate(date(2019, 1, 1), "year")]),
        ("31/02/2021 is not a date", []),
        ("caseload of 2019 families", []),
        ("no dates here at all", []),
    ],
    ids=[
        "day-month-name",
        "ordinal-and-month",
        "uk-numeric",
        "iso",
        "us-order",
        "year-after-cue",
        "impossible-date",
        "bare-number-is-not-a-year",
        "none",
    ],
)
def test_find_dates(text: str, expected: list[PartialDate]) -> None:
    assert [found for _, _, found in analysis.find_dates(text)] == expected


def test_find_dates_offsets_slice_back_to_the_date() -> None:
    text = "Seen on 12 March 2021 at home"
    ((start, end, _),) = analysis.find_dates(text)
    assert text[start:end] == "12 March 2021"


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("2021-03", "2021-03"),
        ("2021", "2021"),
        ("March 2021", "2021-03"),
        ("12/03/2021", "2021-03-12"),
        ("", None),
        (None, None),
        ("unknown", None),
    ],
)
def test_parse_partial_date(value: str | None, label: str | None) -> None:
    parsed = analysis.parse_partial_date(value)
    assert (parsed.label if parsed else None) == label


def test_case_timeline_dates_episodes_and_lists_themes_raised_about_them(assignments: pd.DataFrame) -> None:
    timeline = analysis.case_timeline(NOTES, assignments)
    assert timeline["label"].tolist() == ["2021-03", "2021-03-12"]
    month = timeline.iloc[0]
    assert month["note_ids"] == ["n1"]
    assert month["themes"] == ["context"]
    assert month["topics"] == ["context.workload"]
    day = timeline.iloc[1]
    assert day["sources"] == "case story"
    assert day["note_ids"] == ["n4"]
    assert day["themes"] == ["good_practice"]  # the case story code itself is not a theme


def test_case_timeline_ignores_dates_in_notes_that_are_not_case_story(assignments: pd.DataFrame) -> None:
    notes = NOTES.copy()
    notes.loc[notes["note_id"] == "n2", "text"] = "In 2015 he moved, said the officer."
    timeline = analysis.case_timeline(notes, assignments)
    assert "2015" not in timeline["label"].tolist()


EVENTS = analysis.event_frame(
    [
        {"event_id": "b", "review_type": "cspr", "held_on": "2024-06-01", "board": None},
        {"event_id": "a", "review_type": "SAR", "held_on": "2023-01-10", "board": None},
        {"event_id": "c", "review_type": "SAR", "held_on": "2025-02-01", "board": None},
    ]
)


def board_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    notes = pd.DataFrame(
        [
            {
                "event_id": e,
                "note_id": f"{e}{i}",
                "text": "x",
                "participant": f"P{i}",
                "agency": None,
                "role": None,
                "segment": None,
                "episode_date": None,
            }
            for e in "abc"
            for i in range(10)
        ]
    )
    tags = [tag(f"a{i}", "context.workload", event_id="a") for i in range(2)]
    tags += [tag(f"b{i}", "context.workload", event_id="b") for i in range(2)]
    tags += [tag(f"c{i}", "context.workload", event_id="c") for i in range(2)]
    tags += [tag(f"a{i}", "decision_influence.curiosity", event_id="a") for i in range(1)]
    tags += [tag(f"c{i}", "decision_influence.curiosity", event_id="c") for i in range(6)]
    tags += [tag("c1", "good_practice.persistence", event_id="c")]
    tags += [tag("a1", "recommendation.training", event_id="a")]
    return notes, analysis.theme_assignments(pd.DataFrame(tags), notes)


def test_event_frame_orders_events_by_date_held() -> None:
    assert EVENTS["event_id"].tolist() == ["a", "b", "c"]
    assert EVENTS["review_type"].tolist() == ["SAR", "CSPR", "SAR"]


def test_event_prevalence_has_a_row_for_every_event_and_topic() -> None:
    notes, assignments = board_frames()
    prevalence = analysis.event_prevalence(assignments, notes, EVENTS)
    assert len(prevalence) == 3 * 4
    row = prevalence[
        (prevalence["event_id"] == "c") & (prevalence["topic"] == "decision_influence.curiosity")
    ]
    assert row["notes"].item() == 6
    assert row["share"].item() == pytest.approx(0.6)
    absent = prevalence[
        (prevalence["event_id"] == "b") & (prevalence["topic"] == "decision_influence.curiosity")
    ]
    assert absent["notes"].item() == 0


def test_topic_trends_classify_rising_persisting_new_and_not_recent() -> None:
    notes, assignments = board_frames()
    trends = analysis.topic_trends(analysis.event_prevalence(assignments, notes, EVENTS)).set_index("topic")
    assert trends.loc["decision_influence.curiosity", "status"] == "rising"  # 10% earlier mean 5%, now 60%
    assert trends.loc["context.workload", "status"] == "persisting"  # 20% in every event
    assert trends.loc["good_practice.persistence", "status"] == "new"
    assert trends.loc["recommendation.training", "status"] == "not recent"
    assert trends.loc["context.workload", "events_raising"] == 3


def test_prevalence_by_review_type_counts_events_raising() -> None:
    notes, assignments = board_frames()
    by_type = analysis.prevalence_by_review_type(analysis.event_prevalence(assignments, notes, EVENTS))
    row = by_type[(by_type["topic"] == "decision_influence.curiosity") & (by_type["review_type"] == "SAR")]
    assert (row["events_raising"].item(), row["events"].item()) == (2, 2)
    assert row["mean_share"].item() == pytest.approx(0.35)


def test_empty_tags_give_empty_frames_not_errors() -> None:
    empty = analysis.theme_assignments(pd.DataFrame(), NOTES)
    assert empty.empty
    assert analysis.purpose_counts(empty, NOTES)["notes"].sum() == 0
    assert analysis.topic_counts(empty, NOTES).empty
    assert analysis.case_timeline(NOTES, empty)["label"].tolist() == ["2021-03"]
