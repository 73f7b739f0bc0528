"""Disclosure control: no table or figure may single out a practitioner.

At an event many agencies send one or two people, so "GP: 1 note about
escalation" names a person. Every breakdown by agency, role, segment or
participant goes through this module before it is shown.

Rules (issue 4)
---------------
- **Count people, not notes.** Counts are distinct participants (the
  ``participant`` column). When participants are not recorded at all, notes
  are counted instead and the explanation says so. Where only some notes
  carry a participant code, each group's unrecorded notes count as one
  further participant (the fewest people they could be), so thresholds err
  towards hiding.
- **Threshold k.** Default 5; configurable; never below 3
  (:class:`~pigan.errors.ConfigError` otherwise).
- **Pooling.** Groups with fewer than k participants are pooled into "Other
  agencies" ("Other roles", "Other segments"...).
- **Dropping.** When even the pool has fewer than k participants, the
  breakdown is dropped: one row for everyone, with a visible explanation.
- **Suppression.** A cell with 1 to k-1 participants is shown as ``"<k"``
  (``"<5"``). Zero is shown as 0.
- **Secondary suppression.** Where totals are shown, any row or column with
  exactly one hidden cell gets a second one hidden (the smallest other
  cell), repeated until stable, so that no hidden cell can be worked out by
  subtracting the shown cells from a total. Column totals under k are hidden
  the same way.
- **Quotes.** Board outputs never attribute a quote to an agency or role:
  use :func:`unattributed`.

API for reports and notebooks
-----------------------------
``disclose_counts(frame, by="agency", columns=None, *, k=5, participant="participant",
note_id="note_id", totals=True, other_label=None) -> DisclosedTable``
    ``frame`` has one row per note (or per note and category, e.g. one row
    per tag with ``columns="code"``). ``.table`` is a DataFrame of display
    strings (groups as rows, categories as columns, plus "Total" row and
    column when ``totals``); ``.note`` the explanation to print under it;
    ``.counts_of`` is ``"participants"`` or ``"notes"``; ``.suppressed`` the
    hidden ``(row, column)`` cells; ``.values`` the numbers with hidden
    cells as ``<NA>`` (for figures); ``.pooled`` and ``.dropped`` say what
    happened to small groups.
``safe_groups(frame, by="agency", *, k=5, participant="participant", note_id="note_id",
other_label=None) -> pandas.Series``
    For each original group, the label it may be published under (itself,
    the pool, or the "All" label when the breakdown is dropped).
``check_k(k) -> int``
    Validate a threshold.
``unattributed(frame, *, keep=("text",)) -> DataFrame``
    Quotes without agency, role, participant or segment, for board outputs.

Example::

    shown = disclose_counts(tags, by="agency", columns="top_code", k=5)
    shown.table      # "<5" where fewer than five practitioners
    print(shown.note)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from pigan.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_K = 5
MIN_K = 3
TOTAL = "Total"
NOT_RECORDED = "Not recorded"
_OTHER_LABELS = {
    "agency": "Other agencies",
    "role": "Other roles",
    "segment": "Other segments",
    "participant": "Other participants",
}
_ALL_LABELS = {
    "agency": "All agencies",
    "role": "All roles",
    "segment": "All segments",
    "participant": "All participants",
}
_UNIT = "_pigan_unit"


def check_k(k: int) -> int:
    """Validate a disclosure threshold: an integer of at least 3.

    Raises
    ------
    ConfigError
        When ``k`` is below 3 or not an integer.
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise ConfigError(f"disclosure threshold k must be a whole number, not {k!r}")
    if k < MIN_K:
        raise ConfigError(f"disclosure threshold k = {k} is too small; it can never be below {MIN_K}")
    return k


@dataclass
class DisclosedTable:
    """A breakdown made safe to show.

    Attributes
    ----------
    table
        Display strings: groups as rows, categories as columns ("Total" row
        and column when totals are shown); hidden cells read ``"<k"``.
    values
        The same cells as numbers, hidden ones as ``<NA>`` (for figures).
    note
        What was counted and what was hidden, to print beside the table.
    counts_of
        ``"participants"`` or ``"notes"``.
    suppressed
        ``(row, column)`` of every hidden cell (primary and secondary).
    pooled
        Original groups pooled into the "Other" row (not for display: naming
        them is for the analyst).
    dropped
        Whether the breakdown was dropped because even the pool was too small.
    k
        The threshold used.
    """

    table: pd.DataFrame
    values: pd.DataFrame
    note: str
    counts_of: str
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    pooled: list[str] = field(default_factory=list)
    dropped: bool = False
    k: int = DEFAULT_K


def _with_unit(frame: pd.DataFrame, participant: str, note_id: str, by: str) -> tuple[pd.DataFrame, str]:
    """The frame with a column identifying the unit counted, and what that unit is."""
    df = frame.copy()
    df[by] = (
        df[by].astype("object").where(df[by].notna() & (df[by].astype(str).str.strip() != ""), NOT_RECORDED)
    )
    recorded = (
        df[participant].notna() & (df[participant].astype(str).str.strip() != "")
        if participant in df.columns
        else pd.Series(False, index=df.index)
    )
    if recorded.any():
        # Notes without a participant code count as the fewest people they could be: nobody new in
        # a group with known participants (they may be those people), one person in a group without.
        codes = df[participant].astype(str)
        known = codes[recorded].groupby(df.loc[recorded, by]).min()
        stand_in = df[by].map(known).fillna("?unrecorded:" + df[by].astype(str))
        df[_UNIT] = codes.where(recorded, stand_in)
        return df, "participants"
    if note_id in df.columns:
        df[_UNIT] = df[note_id].astype(str)
    else:
        df[_UNIT] = [f"row{i}" for i in range(len(df))]
    return df, "notes"


def _publish_map(
    df: pd.DataFrame, by: str, k: int, other_label: str, all_label: str
) -> tuple[dict[str, str], list[str], bool]:
    sizes = df.groupby(by)[_UNIT].nunique()
    small = sorted(str(g) for g in sizes[sizes < k].index)
    mapping = {str(g): str(g) for g in sizes.index}
    if not small:
        return mapping, [], False
    pool_size = df[df[by].astype(str).isin(small)][_UNIT].nunique()
    if pool_size < k or len(small) == len(mapping):  # a pool of every group is no breakdown
        return dict.fromkeys(mapping, all_label), small, True
    for g in small:
        mapping[g] = other_label
    return mapping, small, False


def safe_groups(
    frame: pd.DataFrame,
    by: str = "agency",
    *,
    k: int = DEFAULT_K,
    participant: str = "participant",
    note_id: str = "note_id",
    other_label: str | None = None,
) -> pd.Series:
    """The label each group may be published under: itself, the pool, or "All ..." when dropped.

    Returns
    -------
    pandas.Series
        Indexed by the original group values (missing ones as "Not recorded").
    """
    k = check_k(k)
    df, _ = _with_unit(frame, participant, note_id, by)
    other = other_label or _OTHER_LABELS.get(by, f"Other {by}")
    mapping, _, _ = _publish_map(df, by, k, other, _ALL_LABELS.get(by, "All"))
    return pd.Series(mapping, name=by, dtype="object")


def _pick_second(values: pd.Series, hidden: pd.Series) -> str | None:
    """The cell to hide beside a lone hidden one: the smallest non-zero shown cell, totals last."""
    shown = values[~hidden]
    for pool in (
        shown[(shown > 0) & (shown.index != TOTAL)],
        shown[shown.index != TOTAL],
        shown,
    ):
        if not pool.empty:
            return str(pool.astype(int).idxmin())
    return None


def _secondary(values: pd.DataFrame, hidden: pd.DataFrame, rows: Sequence[str], cols: Sequence[str]) -> None:
    """Hide more cells until no row or column has exactly one hidden cell (in place)."""
    rows, cols = list(rows), list(cols)
    changed = True
    while changed:
        changed = False
        for r in rows:
            line = hidden.loc[r, cols]
            assert isinstance(line, pd.Series)
            if int(line.to_numpy().sum()) == 1:
                row_values = values.loc[r, cols]
                assert isinstance(row_values, pd.Series)
                pick = _pick_second(row_values, line)
                if pick is not None:
                    hidden.loc[r, pick] = True
                    changed = True
        for c in cols:
            line = hidden.loc[rows, c]
            assert isinstance(line, pd.Series)
            if int(line.to_numpy().sum()) == 1:
                col_values = values.loc[rows, c]
                assert isinstance(col_values, pd.Series)
                pick = _pick_second(col_values, line)
                if pick is not None:
                    hidden.loc[pick, c] = True
                    changed = True


def disclose_counts(
    frame: pd.DataFrame,
    by: str = "agency",
    columns: str | None = None,
    *,
    k: int = DEFAULT_K,
    participant: str = "participant",
    note_id: str = "note_id",
    totals: bool = True,
    other_label: str | None = None,
) -> DisclosedTable:
    """Count a breakdown and make it safe to show (pooling, suppression, secondary suppression).

    Parameters
    ----------
    frame
        One row per note, or per note and category (e.g. per tag).
    by
        The column that splits people into groups: agency, role, segment...
    columns
        An optional column of categories (e.g. ``"top_code"``) for a two-way table.
    k
        The threshold (default 5, never below 3).
    participant, note_id
        The columns identifying people and notes.
    totals
        Show a "Total" column (people per group) and a "Total" row (people
        per category); secondary suppression protects them.
    other_label
        The pool's label (default "Other agencies", "Other roles"...).

    Raises
    ------
    ConfigError
        For ``k`` below 3, or a missing ``by`` / ``columns`` column.
    """
    k = check_k(k)
    for name in (by, columns):
        if name is not None and name not in frame.columns:
            raise ConfigError(f"disclosure: the frame has no column {name!r}")
    df, counts_of = _with_unit(frame, participant, note_id, by)
    other = other_label or _OTHER_LABELS.get(by, f"Other {by}")
    all_label = _ALL_LABELS.get(by, "All")
    mapping, pooled, dropped = _publish_map(df, by, k, other, all_label)
    df["_group"] = df[by].astype(str).map(mapping)

    order = sorted(set(mapping.values()) - {other, all_label})
    order += [g for g in (other, all_label) if g in set(mapping.values())]
    if columns is None:
        counts = df.groupby("_group")[_UNIT].nunique().reindex(order, fill_value=0).to_frame(counts_of)
        categories: list[str] = [counts_of]
    else:
        cat = df[columns].astype("object").where(df[columns].notna(), NOT_RECORDED).astype(str)
        df["_cat"] = cat
        counts = (
            df.groupby(["_group", "_cat"])[_UNIT].nunique().unstack(fill_value=0).reindex(order, fill_value=0)
        )
        categories = [str(c) for c in counts.columns]
        counts.columns = categories
    counts = counts.astype(int)
    values = counts.copy()
    hidden = (values > 0) & (values < k)

    rows = list(values.index)
    if totals and columns is not None:
        values[TOTAL] = df.groupby("_group")[_UNIT].nunique().reindex(rows, fill_value=0).astype(int)
        col_totals = df.groupby("_cat")[_UNIT].nunique().reindex(categories, fill_value=0).astype(int)
        values.loc[TOTAL] = [*col_totals.tolist(), int(df[_UNIT].nunique())]
        values = values.astype(int)
        hidden = (values > 0) & (values < k)
        # Hidden totals protect only if another total in the same line is hidden too.
        _secondary(values, hidden, [*rows, TOTAL], [*categories, TOTAL])
    elif totals and columns is None:
        values.loc[TOTAL] = [int(df[_UNIT].nunique())]
        values = values.astype(int)
        hidden = (values > 0) & (values < k)
        _secondary(values, hidden, [], list(values.columns))

    if dropped and totals:
        values, hidden = values.drop(index=all_label), hidden.drop(index=all_label)
    suppressed = [(str(r), str(c)) for r in hidden.index for c in hidden.columns if bool(hidden.loc[r, c])]
    table = values.astype(str).mask(hidden, f"<{k}")
    shown_values = values.astype("Int64").mask(hidden)
    table.index.name = by
    shown_values.index.name = by

    unit_text = "distinct participants" if counts_of == "participants" else "notes"
    parts = [f"Counts are {unit_text}; groups and cells under {k} are not shown."]
    if counts_of == "notes":
        parts.append("Participants were not recorded for these notes, so notes are counted instead.")
    if dropped:
        parts.append(
            f"The breakdown by {by} is not shown: even pooled, the smaller groups "
            f"number fewer than {k} {counts_of}."
        )
    elif pooled:
        parts.append(f"{len(pooled)} group(s) with fewer than {k} {counts_of} are pooled into '{other}'.")
    primary = int(((values > 0) & (values < k)).to_numpy().sum())
    if suppressed:
        parts.append(f"Cells shown as '<{k}' hide 1 to {k - 1} {counts_of}.")
        if len(suppressed) > primary:
            parts.append(
                f"{len(suppressed) - primary} further cell(s) are hidden so that no hidden "
                "value can be worked out from the totals."
            )
    note = " ".join(parts)
    log.info("disclosure by %s: %d groups shown, %d cells hidden", by, len(rows), len(suppressed))
    return DisclosedTable(
        table=table,
        values=shown_values,
        note=note,
        counts_of=counts_of,
        suppressed=suppressed,
        pooled=pooled,
        dropped=dropped,
        k=k,
    )


def unattributed(frame: pd.DataFrame, *, keep: Sequence[str] = ("text",)) -> pd.DataFrame:
    """Quotes for board outputs: only the ``keep`` columns, never agency, role, participant or segment."""
    forbidden = {"agency", "role", "participant", "segment"}
    chosen = [c for c in keep if c in frame.columns and c not in forbidden]
    return frame.loc[:, chosen].reset_index(drop=True)
