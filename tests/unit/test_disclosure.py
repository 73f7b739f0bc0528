"""Disclosure control: people not notes, pooling, dropping, "<k" cells, secondary suppression."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from pigan.disclosure import TOTAL, check_k, disclose_counts, safe_groups, unattributed
from pigan.errors import ConfigError


def notes_frame(groups: dict[str, int], *, notes_each: int = 1, codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per note: ``groups`` maps agency to its number of participants."""
    rows = []
    pid = 0
    for agency, people in groups.items():
        for _ in range(people):
            pid += 1
            for n in range(notes_each):
                code = codes[(pid + n) % len(codes)] if codes else None
                rows.append(
                    {"note_id": f"N{pid}-{n}", "participant": f"P{pid:02d}", "agency": agency, "code": code}
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("k", [0, 1, 2, -5], ids=["zero", "one", "two", "negative"])
def test_k_below_three_is_refused(k: int) -> None:
    with pytest.raises(ConfigError, match="never be below 3"):
        check_k(k)
    with pytest.raises(ConfigError):
        disclose_counts(notes_frame({"Police": 6}), k=k)


def test_counts_distinct_participants_not_notes() -> None:
    shown = disclose_counts(notes_frame({"Police": 6, "Adult Social Care": 5}, notes_each=4))
    assert shown.counts_of == "participants"
    assert shown.table.loc["Police", "participants"] == "6"
    assert shown.table.loc["Adult Social Care", "participants"] == "5"
    assert "distinct participants" in shown.note


def test_small_groups_are_pooled_into_other_agencies() -> None:
    shown = disclose_counts(notes_frame({"Police": 6, "GP": 1, "Housing": 2, "Ambulance": 3}))
    assert list(shown.table.index) == ["Police", "Other agencies", TOTAL]
    assert shown.table.loc["Other agencies", "participants"] == "6"
    assert sorted(shown.pooled) == ["Ambulance", "GP", "Housing"]
    assert "pooled into 'Other agencies'" in shown.note
    assert "GP" not in shown.table.to_string()


def test_breakdown_is_dropped_with_an_explanation_when_the_pool_is_too_small() -> None:
    shown = disclose_counts(notes_frame({"Police": 6, "GP": 1, "Housing": 2}))
    assert shown.dropped
    assert list(shown.table.index) == [TOTAL]
    assert shown.table.loc[TOTAL, "participants"] == "9"
    assert "breakdown by agency is not shown" in shown.note


def test_safe_groups_maps_each_agency_to_what_may_be_published() -> None:
    groups = safe_groups(notes_frame({"Police": 6, "GP": 2, "Housing": 3}))
    assert groups.to_dict() == {"GP": "Other agencies", "Housing": "Other agencies", "Police": "Police"}


def test_small_cells_show_as_less_than_k() -> None:
    frame = notes_frame(
        {"Police": 7, "Adult Social Care": 6}, codes=("context", "context", "context", "good_practice")
    )
    shown = disclose_counts(frame, by="agency", columns="code", totals=False)
    for agency in ("Police", "Adult Social Care"):
        in_group = frame[(frame.agency == agency) & (frame.code == "good_practice")]
        true_value = in_group.participant.nunique()
        assert 0 < true_value < 5
        assert shown.table.loc[agency, "good_practice"] == "<5"
    assert ("Police", "good_practice") in shown.suppressed


def test_k_is_configurable() -> None:
    frame = notes_frame({"Police": 4, "Adult Social Care": 3})
    assert disclose_counts(frame, k=3).table.loc["Police", "participants"] == "4"
    assert disclose_counts(frame, k=5).dropped


def test_notes_are_counted_and_said_so_when_participants_are_not_recorded() -> None:
    frame = notes_frame({"Police": 2, "GP": 3}, notes_each=3).drop(columns="participant")
    shown = disclose_counts(frame)
    assert shown.counts_of == "notes"
    assert shown.table.loc["Police", "notes"] == "6"
    assert "Participants were not recorded" in shown.note


def test_notes_without_a_participant_code_never_make_a_small_group_look_big_enough() -> None:
    # Four known police officers and five uncoded police notes: those notes may be the same four
    # people, so Police stays under k = 5 and is not published as a group of its own.
    frame = notes_frame({"Police": 4, "GP": 3, "Housing": 6}, notes_each=1)
    extra = pd.DataFrame([{"note_id": f"X{i}", "participant": None, "agency": "Police"} for i in range(5)])
    shown = disclose_counts(pd.concat([frame, extra]), k=5)
    assert "Police" not in shown.table.index
    assert shown.table.loc["Housing", "participants"] == "6"


def test_uncoded_notes_in_a_group_without_known_participants_count_as_one_person() -> None:
    frame = notes_frame({"Housing": 6}, notes_each=1)
    extra = pd.DataFrame([{"note_id": f"X{i}", "participant": None, "agency": "GP"} for i in range(9)])
    shown = disclose_counts(pd.concat([frame, extra]), k=5)
    assert "GP" not in shown.table.index


def _hidden_cells_derivable(values: pd.DataFrame, hidden: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Hidden cells one could work out by subtracting shown cells from a shown total (additive data)."""
    derivable = []
    inner_rows = [r for r in values.index if r != TOTAL]
    inner_cols = [c for c in values.columns if c != TOTAL]
    for r in [*inner_rows, TOTAL]:
        line = [(r, c) for c in inner_cols]
        missing = [cell for cell in line if cell in hidden]
        if len(missing) == 1 and (r, TOTAL) not in hidden:
            derivable += missing
    for c in [*inner_cols, TOTAL]:
        line = [(r, c) for r in inner_rows]
        missing = [cell for cell in line if cell in hidden]
        if len(missing) == 1 and (TOTAL, c) not in hidden:
            derivable += missing
    return derivable


def test_secondary_suppression_hides_a_second_cell_beside_a_lone_small_one() -> None:
    # Notes counted (no participants), one code per note: cells add up to the totals exactly.
    rows = (
        [("Police", "context")] * 9 + [("Police", "good_practice")] * 2 + [("Police", "recommendation")] * 6
    )
    rows += [("Adult Social Care", "context")] * 7 + [("Adult Social Care", "good_practice")] * 8
    rows += [("Adult Social Care", "recommendation")] * 5
    frame = pd.DataFrame([{"note_id": f"N{i}", "agency": a, "code": c} for i, (a, c) in enumerate(rows)])
    shown = disclose_counts(frame, by="agency", columns="code", k=5)
    assert shown.table.loc["Police", "good_practice"] == "<5"
    hidden = set(shown.suppressed)
    assert len(hidden) >= 2
    assert ("Police", "good_practice") in hidden
    assert len(shown.suppressed) > 1 and "further cell" in shown.note


@pytest.mark.parametrize("seed", range(12), ids=[f"seed-{s}" for s in range(12)])
def test_no_hidden_cell_can_be_derived_by_differencing(seed: int) -> None:
    import random

    rng = random.Random(seed)
    agencies = ["Police", "GP", "Adult Social Care", "Housing", "Ambulance"]
    codes = ["context", "decision_influence", "good_practice", "recommendation"]
    rows = [
        {"note_id": f"N{i}", "agency": rng.choice(agencies), "code": rng.choice(codes)}
        for i in range(rng.randrange(20, 90))
    ]
    shown = disclose_counts(pd.DataFrame(rows), by="agency", columns="code", k=5)
    values = shown.values.fillna(-1).astype(int)
    hidden = set(shown.suppressed)
    assert _hidden_cells_derivable(values, hidden) == []
    # And every shown inner cell is zero or at least k.
    for r, c in itertools.product(values.index, values.columns):
        if (r, c) not in hidden:
            assert values.loc[r, c] == 0 or values.loc[r, c] >= 5


def test_the_table_never_shows_a_count_between_one_and_k_minus_one() -> None:
    frame = notes_frame({"Police": 8, "Adult Social Care": 6, "GP": 2, "Housing": 3}, codes=("a", "b", "c"))
    shown = disclose_counts(frame, by="agency", columns="code")
    for cell in shown.table.to_numpy().ravel():
        assert cell == "<5" or int(cell) == 0 or int(cell) >= 5


def test_board_quotes_carry_no_agency_or_role() -> None:
    frame = notes_frame({"Police": 2}).assign(text="a quote", role="PC", segment="s1")
    quotes = unattributed(frame, keep=("text", "agency", "role"))
    assert list(quotes.columns) == ["text"]
