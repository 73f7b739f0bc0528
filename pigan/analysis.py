"""Theme analysis in plain pandas: counts, breakdowns, co-occurrence, the case timeline, trends, excerpts.

Everything here works on two frames and returns frames:

- a **notes** frame (:meth:`pigan.store.Store.notes_frame`: one row per note,
  columns :data:`pigan.models.NOTE_FIELDS`);
- a **tags** frame (:func:`pigan.tagging.load_tags`: one row per tag, with at
  least ``event_id``, ``note_id``, ``kind``, ``code`` and, where known,
  ``top_code``, ``sentence_start``, ``sentence_end``, ``score``, ``negated``,
  ``hypothetical``).

:func:`theme_assignments` turns the tags into *assertions*: one row per note
and theme actually raised (negated and hypothetical tags are dropped, so "no
concerns about workload were raised" never counts as workload). Every count is
of distinct notes and of distinct participants (participant codes are only
unique within an event, so participants are counted as (event, code) pairs).

Breakdowns by agency or role are returned raw here; anything published goes
through :mod:`pigan.disclosure` first (the report module does that).

Nothing in this module logs or raises with note text.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

# -- column names (defined once) -------------------------------------------------------------------

EVENT = "event_id"
NOTE = "note_id"
TOP_CODE = "top_code"
TOPIC = "topic"
PARTICIPANT = "participant"
NOTES = "notes"
PARTICIPANTS = "participants"
SHARE = "share"

#: The purposes of an event, in report order (DOMAIN.md), then the case story.
PURPOSES: tuple[str, ...] = ("context", "decision_influence", "good_practice", "recommendation")
CASE_STORY = "case_story"
TOP_CODES: tuple[str, ...] = (*PURPOSES, CASE_STORY)

#: Label used for a missing value in a breakdown column.
NOT_RECORDED = "not recorded"

#: Columns of :func:`theme_assignments`.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    EVENT,
    NOTE,
    TOP_CODE,
    TOPIC,
    "score",
    "sentence_start",
    "sentence_end",
    PARTICIPANT,
    "agency",
    "role",
    "segment",
    "episode_date",
)

_NOTE_DESCRIPTORS: tuple[str, ...] = (PARTICIPANT, "agency", "role", "segment", "episode_date")


# -- assertions ------------------------------------------------------------------------------------


def _truthy(series: pd.Series) -> pd.Series:
    """A boolean column that may arrive as bools, 0/1 or strings."""
    if series.dtype == bool:
        return series
    return series.map(lambda v: str(v).strip().lower() in {"true", "1", "yes"} if pd.notna(v) else False)


def theme_assignments(
    tags: pd.DataFrame,
    notes: pd.DataFrame,
    *,
    keep_negated: Collection[str] = (),
    keep_hypothetical: Collection[str] = (),
) -> pd.DataFrame:
    """The themes each note actually raises, one row per (note, tag), with the note's fields.

    Parameters
    ----------
    tags
        One row per tag (see the module docstring). Flags (``kind != "theme"``),
        negated and hypothetical tags are dropped, except for the top-level
        codes the codebook says keep them.
    notes
        The notes the tags belong to; their participant, agency, role, segment
        and episode date are joined on ``(event_id, note_id)``.
    keep_negated, keep_hypothetical
        Top-level codes whose negated (hypothetical) tags still count: "there
        was no risk assessment" is a decision influence; a recommendation is
        hypothetical by nature.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ASSIGNMENT_COLUMNS`. ``topic`` is the full topic id
        (``"context.workload"``) or missing when only the top-level code is
        known (a tag from a trained classifier).
    """
    if tags.empty or "code" not in tags.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ASSIGNMENT_COLUMNS})
    frame = tags.copy()
    if "kind" in frame.columns:
        frame = frame[frame["kind"].astype("object") == "theme"]
    tops = frame["code"].astype("object").str.split(".", n=1).str[0]
    for column, kept in (("negated", keep_negated), ("hypothetical", keep_hypothetical)):
        if column in frame.columns:
            frame = frame[~_truthy(frame[column]) | tops.loc[frame.index].isin(list(kept))]
    if EVENT not in frame.columns:
        events = notes[EVENT].dropna().unique()
        frame[EVENT] = events[0] if len(events) == 1 else pd.NA
    code = frame["code"].astype("object")
    frame[TOPIC] = code.where(code.str.contains(".", regex=False), None)
    top = code.str.split(".", n=1).str[0]
    if TOP_CODE in frame.columns:
        top = frame[TOP_CODE].astype("object").where(frame[TOP_CODE].notna(), top)
    frame[TOP_CODE] = top
    for column in ("score", "sentence_start", "sentence_end"):
        if column not in frame.columns:
            frame[column] = pd.NA
    frame = frame[[EVENT, NOTE, TOP_CODE, TOPIC, "score", "sentence_start", "sentence_end"]]
    descriptors = notes[[EVENT, NOTE, *_NOTE_DESCRIPTORS]].drop_duplicates([EVENT, NOTE])
    merged = frame.merge(descriptors, on=[EVENT, NOTE], how="left")
    return merged[list(ASSIGNMENT_COLUMNS)].reset_index(drop=True)


def flagged_notes(
    tags: pd.DataFrame, notes: pd.DataFrame, *, flags: Sequence[str] = ("blame",)
) -> pd.DataFrame:
    """Notes carrying a flag (blame language, singling out), for the reviewer's eyes.

    Returns
    -------
    pandas.DataFrame
        One row per flagged note: ``event_id``, ``note_id``, ``segment``,
        ``flags`` (comma-separated), ``evidence`` (how many flagged spans),
        ``spans`` (a list of ``(start, end)`` character offsets).
    """
    columns = [EVENT, NOTE, "segment", "flags", "evidence", "spans"]
    if tags.empty or "kind" not in tags.columns:
        return pd.DataFrame(columns=columns)
    frame = tags[(tags["kind"].astype("object") == "flag") & tags["code"].isin(list(flags))].copy()
    for column in ("negated", "hypothetical"):
        if column in frame.columns:
            frame = frame[~_truthy(frame[column])]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if EVENT not in frame.columns:
        frame[EVENT] = notes[EVENT].iloc[0] if len(notes) else pd.NA
    rows = []
    for (event_id, note_id), group in frame.groupby([EVENT, NOTE], sort=True):
        rows.append(
            {
                EVENT: event_id,
                NOTE: note_id,
                "flags": ", ".join(sorted(set(group["code"]))),
                "evidence": len(group),
                "spans": sorted(zip(group["start"].astype(int), group["end"].astype(int), strict=True)),
            }
        )
    result = pd.DataFrame(rows)
    segments = notes[[EVENT, NOTE, "segment"]].drop_duplicates([EVENT, NOTE])
    result = result.merge(segments, on=[EVENT, NOTE], how="left")
    return result[columns]


# -- counts ----------------------------------------------------------------------------------------


def _distinct_counts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Distinct notes and participants per group of ``keys``."""
    if frame.empty:
        return pd.DataFrame(columns=[*keys, NOTES, PARTICIPANTS])
    work = frame.assign(
        _note=frame[EVENT].astype(str) + "\x1f" + frame[NOTE].astype(str),
        _participant=(frame[EVENT].astype(str) + "\x1f" + frame[PARTICIPANT].astype(str)).where(
            frame[PARTICIPANT].notna()
        ),
    )
    grouped = work.groupby(keys, dropna=False, sort=False)
    return pd.DataFrame(
        {NOTES: grouped["_note"].nunique(), PARTICIPANTS: grouped["_participant"].nunique()}
    ).reset_index()


def note_totals(notes: pd.DataFrame) -> tuple[int, int]:
    """How many notes and distinct participants the notes frame holds."""
    if notes.empty:
        return 0, 0
    participants = notes.loc[notes[PARTICIPANT].notna(), [EVENT, PARTICIPANT]].drop_duplicates()
    return int(notes[[EVENT, NOTE]].drop_duplicates().shape[0]), len(participants)


def purpose_counts(
    assignments: pd.DataFrame, notes: pd.DataFrame, *, codes: Sequence[str] = TOP_CODES
) -> pd.DataFrame:
    """How many notes and participants raised each top-level code.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``top_code`` in the order of ``codes`` (codes nobody raised
        show 0), columns ``notes``, ``participants`` and ``share`` (of all
        notes, 0 to 1).
    """
    counts = _distinct_counts(assignments, [TOP_CODE]).set_index(TOP_CODE)
    extra = [c for c in counts.index if c not in codes]
    counts = counts.reindex([*codes, *sorted(extra)], fill_value=0)
    total, _ = note_totals(notes)
    counts[NOTES] = counts[NOTES].astype(int)
    counts[PARTICIPANTS] = counts[PARTICIPANTS].astype(int)
    counts[SHARE] = counts[NOTES] / total if total else 0.0
    counts.index.name = TOP_CODE
    return counts


def topic_counts(assignments: pd.DataFrame, notes: pd.DataFrame) -> pd.DataFrame:
    """How many notes and participants raised each topic, most raised first within each purpose.

    Tags that carry only a top-level code are left out (they have no topic).

    Returns
    -------
    pandas.DataFrame
        Columns ``top_code``, ``topic``, ``notes``, ``participants``, ``share``.
    """
    with_topic = assignments[assignments[TOPIC].notna()]
    counts = _distinct_counts(with_topic, [TOP_CODE, TOPIC])
    total, _ = note_totals(notes)
    counts[SHARE] = counts[NOTES] / total if total else 0.0
    order = {code: i for i, code in enumerate(TOP_CODES)}
    counts["_order"] = counts[TOP_CODE].map(lambda c: order.get(c, len(order)))
    counts = counts.sort_values(["_order", NOTES, TOPIC], ascending=[True, False, True], kind="stable")
    return counts.drop(columns="_order").reset_index(drop=True)


def theme_by(
    assignments: pd.DataFrame,
    column: str,
    *,
    level: str = TOP_CODE,
    measure: str = NOTES,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A code by group matrix (e.g. theme by segment) of distinct notes or participants.

    Missing group values are shown as ``"not recorded"``. This is the raw
    matrix: agency and role breakdowns must go through :mod:`pigan.disclosure`
    before anyone sees them.

    Parameters
    ----------
    assignments
        From :func:`theme_assignments`.
    column
        The note field to break down by (``segment``, ``agency``, ``role``...).
    level
        ``"top_code"`` or ``"topic"``.
    measure
        ``"notes"`` or ``"participants"``.
    codes
        Row order (and the rows to keep); default every code present.
    """
    if measure not in {NOTES, PARTICIPANTS}:
        raise ValueError(f"measure must be {NOTES!r} or {PARTICIPANTS!r}, not {measure!r}")
    frame = assignments[assignments[level].notna()].copy()
    frame[column] = frame[column].astype("object").where(frame[column].notna(), NOT_RECORDED)
    counts = _distinct_counts(frame, [level, column])
    matrix = counts.pivot_table(index=level, columns=column, values=measure, aggfunc="sum", fill_value=0)
    if codes is not None:
        matrix = matrix.reindex(list(codes), fill_value=0)
    matrix = matrix.astype(int)
    matrix.columns.name = column
    return matrix


def cooccurrence(
    assignments: pd.DataFrame, *, level: str = TOP_CODE, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """How many notes raise both codes of each pair (the diagonal: notes raising the code).

    Returns
    -------
    pandas.DataFrame
        A symmetric square matrix of distinct note counts, rows and columns in
        the order of ``codes`` (default: the top-level codes present, in
        report order).
    """
    frame = assignments[assignments[level].notna()]
    present = frame[level].unique().tolist()
    if codes is None:
        order = {code: i for i, code in enumerate(TOP_CODES)}
        codes = sorted(present, key=lambda c: (order.get(str(c).split(".")[0], 99), str(c)))
    keys = frame[EVENT].astype(str) + "\x1f" + frame[NOTE].astype(str)
    indicator = pd.crosstab(keys, frame[level]).clip(upper=1)
    indicator = indicator.reindex(columns=list(codes), fill_value=0)
    matrix = indicator.T.dot(indicator)
    matrix.index.name = level
    matrix.columns.name = level
    return matrix.astype(int)


# -- dates and the case timeline -------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    when: date
    precision: str  # "day", "month" or "year"

    @property
    def label(self) -> str:
        """``"2021-03-12"``, ``"2021-03"`` or ``"2021"``."""
        if self.precision == "day":
            return self.when.isoformat()
        if self.precision == "month":
            return f"{self.when.year:04d}-{self.when.month:02d}"
        return f"{self.when.year:04d}"


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_YEAR}-(?P<mon>\d{{1,2}})-(?P<day>\d{{1,2}})\b"), "day"),
    (re.compile(r"\b(?P<day>\d{1,2})/(?P<mon>\d{1,2})/(?P<year>(?:19|20)?\d{2})\b"), "day"),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s+{_YEAR}\b", re.I), "day"),
    (re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I), "day"),
    (re.compile(rf"\b{_YEAR}-(?P<mon>\d{{1,2}})\b(?!-)"), "month"),
    (re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.I), "month"),
    (
        re.compile(rf"\b(?:in|during|since|until|by|from|early|mid|late|end of|start of)\s+{_YEAR}\b", re.I),
        "year",
    ),
    (re.compile(rf"^\s*{_YEAR}\s*$"), "year"),
)


def _build_date(match: re.Match[str], precision: str) -> PartialDate | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if year < 100:
        year += 2000
    if parts.get("month"):
        month = _MONTHS[parts["month"].lower().rstrip(".")]
    elif parts.get("mon"):
        month = int(parts["mon"])
    else:
        month = 1
    day = int(parts["day"]) if parts.get("day") else 1
    try:
        return PartialDate(date(year, month, day), precision)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, int, PartialDate]]:
    """Dates mentioned in a text, with their character offsets, most precise reading first.

    Recognised: ISO dates (``2021-03-12``, ``2021-03``), UK numeric dates
    (``12/03/2021``, day first), ``12 March 2021``, ``March 12, 2021``,
    ``March 2021``, and years after "in", "during", "since", "until", "by",
    "from", "early", "mid", "late". Overlapping readings keep the most precise.
    Impossible dates (31/02/2021) are skipped.
    """
    found: list[tuple[int, int, PartialDate]] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            built = _build_date(match, precision)
            if built is None:
                continue
            found.append((start, end, built))
            taken.append((start, end))
    return sorted(found, key=lambda item: item[0])


def parse_partial_date(value: object) -> PartialDate | None:
    """Read an ``episode_date`` value ("2021-03-12", "2021-03", "2021", "March 2021", "12/03/2021")."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    dates = find_dates(text)
    return dates[0][2] if dates else None


def case_timeline(
    notes: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    texts: Mapping[str, str] | None = None,
    case_story_code: str = CASE_STORY,
) -> pd.DataFrame:
    """The dated episodes of the case, with the themes raised about each.

    An episode is a date (to the day, month or year) taken from a note's
    ``episode_date`` or mentioned in a note tagged ``case_story``. The notes
    *about* an episode are the notes dated to it or mentioning it; the themes
    raised about it are the purpose codes and topics those notes carry.

    ``texts`` are the texts the screening gate lets the report show, by note
    id: dates are looked for in those (a redacted date of birth is not an
    episode), and notes missing from it are not searched. ``None`` searches
    the original text.

    Returns
    -------
    pandas.DataFrame
        One row per episode in date order: ``date`` (the first day of the
        period), ``label``, ``precision``, ``event_id``, ``note_ids`` (list),
        ``sources`` (``episode_date`` and/or ``case story``), ``themes`` and
        ``topics`` (sorted lists of codes, case story excluded).
    """
    columns = [
        "date",
        "label",
        "precision",
        EVENT,
        "note_ids",
        "sources",
        "themes",
        "topics",
    ]
    if notes.empty:
        return pd.DataFrame(columns=columns)
    story_keys = set(
        zip(
            assignments.loc[assignments[TOP_CODE] == case_story_code, EVENT],
            assignments.loc[assignments[TOP_CODE] == case_story_code, NOTE],
            strict=True,
        )
    )
    mentions: list[tuple[str, str, PartialDate, str]] = []
    for row in notes[[EVENT, NOTE, "text", "episode_date"]].itertuples(index=False):
        event_id, note_id, text, episode_date = row
        parsed = parse_partial_date(episode_date)
        if parsed is not None:
            mentions.append((event_id, note_id, parsed, "episode_date"))
        shown = text if texts is None else texts.get(note_id)
        if (event_id, note_id) in story_keys and isinstance(shown, str):
            for _, _, mentioned in find_dates(shown):
                mentions.append((event_id, note_id, mentioned, "case story"))
    if not mentions:
        return pd.DataFrame(columns=columns)
    purposes = assignments[assignments[TOP_CODE] != case_story_code]
    themes_by_note: dict[tuple[str, str], set[str]] = {}
    topics_by_note: dict[tuple[str, str], set[str]] = {}
    for row in purposes[[EVENT, NOTE, TOP_CODE, TOPIC]].itertuples(index=False):
        key = (row[0], row[1])
        themes_by_note.setdefault(key, set()).add(str(row[2]))
        if pd.notna(row[3]):
            topics_by_note.setdefault(key, set()).add(str(row[3]))
    episodes: dict[tuple[str, PartialDate], dict[str, set[str]]] = {}
    for event_id, note_id, when, source in mentions:
        entry = episodes.setdefault((event_id, when), {"notes": set(), "sources": set()})
        entry["notes"].add(note_id)
        entry["sources"].add(source)
    rows = []
    for (event_id, when), entry in sorted(episodes.items(), key=lambda item: (item[0][1], item[0][0])):
        keys = [(event_id, n) for n in entry["notes"]]
        rows.append(
            {
                "date": pd.Timestamp(when.when),
                "label": when.label,
                "precision": when.precision,
                EVENT: event_id,
                "note_ids": sorted(entry["notes"]),
                "sources": ", ".join(sorted(entry["sources"], key=lambda s: s != "episode_date")),
                "themes": sorted(set().union(*(themes_by_note.get(k, set()) for k in keys))),
                "topics": sorted(set().union(*(topics_by_note.get(k, set()) for k in keys))),
            }
        )
    return pd.DataFrame(rows, columns=columns)


# -- trends across events --------------------------------------------------------------------------


def event_frame(events: Iterable[object]) -> pd.DataFrame:
    """Events (:class:`pigan.models.Event` or dicts) as a frame in the order they were held.

    Events without a ``held_on`` date come last, by id.
    """
    records = [e if isinstance(e, Mapping) else vars(e) for e in events]
    frame = pd.DataFrame.from_records(records, columns=[EVENT, "review_type", "held_on", "board"])
    frame["review_type"] = frame["review_type"].astype("object").where(frame["review_type"].notna(), None)
    frame["review_type"] = frame["review_type"].map(lambda v: str(v).upper() if v else NOT_RECORDED)
    frame["_held"] = pd.to_datetime(frame["held_on"], errors="coerce")
    frame = frame.sort_values(["_held", EVENT], na_position="last", kind="stable")
    return frame.drop(columns="_held").reset_index(drop=True)


def event_prevalence(
    assignments: pd.DataFrame, notes: pd.DataFrame, events: pd.DataFrame, *, level: str = TOPIC
) -> pd.DataFrame:
    """For every event and code: notes and participants raising it, and its share of the event's notes.

    Parameters
    ----------
    events
        From :func:`event_frame` (gives ``review_type`` and ``held_on``).
    level
        ``"topic"`` or ``"top_code"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id``, ``review_type``, ``held_on``, ``top_code``,
        ``topic`` (when ``level`` is topic), ``notes``, ``participants``,
        ``event_notes``, ``event_participants``, ``share``; every (event, code)
        pair appears, with zeros where the event did not raise the code.
    """
    keys = [TOP_CODE, TOPIC] if level == TOPIC else [TOP_CODE]
    frame = assignments[assignments[level].notna()]
    counts = _distinct_counts(frame, [EVENT, *keys])
    codes = frame[keys].drop_duplicates()
    grid = events[[EVENT, "review_type", "held_on"]].merge(codes, how="cross")
    merged = grid.merge(counts, on=[EVENT, *keys], how="left")
    merged[[NOTES, PARTICIPANTS]] = merged[[NOTES, PARTICIPANTS]].fillna(0).astype(int)
    totals = pd.DataFrame(
        [(event_id, *note_totals(notes[notes[EVENT] == event_id])) for event_id in events[EVENT]],
        columns=[EVENT, "event_notes", "event_participants"],
    )
    merged = merged.merge(totals, on=EVENT, how="left")
    merged[SHARE] = np.where(
        merged["event_notes"] > 0, merged[NOTES] / merged["event_notes"].clip(lower=1), 0.0
    )
    return merged.reset_index(drop=True)


def prevalence_by_review_type(prevalence: pd.DataFrame, *, level: str = TOPIC) -> pd.DataFrame:
    """Per code and review type (SAR, CSPR): events raising it, of how many, and the mean share.

    Returns
    -------
    pandas.DataFrame
        Columns ``top_code``, (``topic``,) ``review_type``, ``events_raising``,
        ``events``, ``mean_share``.
    """
    keys = [TOP_CODE, TOPIC] if level == TOPIC else [TOP_CODE]
    grouped = prevalence.assign(_raised=prevalence[NOTES] > 0).groupby([*keys, "review_type"], sort=True)
    result = grouped.agg(
        events_raising=("_raised", "sum"), events=(EVENT, "nunique"), mean_share=(SHARE, "mean")
    ).reset_index()
    result["events_raising"] = result["events_raising"].astype(int)
    return result


#: A topic counts as rising when its share in the latest event exceeds its mean earlier share by this.
RISING_MARGIN = 0.10


def topic_trends(
    prevalence: pd.DataFrame, *, level: str = TOPIC, rising_margin: float = RISING_MARGIN
) -> pd.DataFrame:
    """Which codes recur across events, and which are rising.

    Events are ordered by ``held_on`` (as in :func:`event_frame`). For each code:

    - ``rising``: raised in the latest event, whose share of notes exceeds the
      mean share over the earlier events by at least ``rising_margin``;
    - ``persisting``: raised in the latest event and in at least one earlier one;
    - ``new``: raised in the latest event only;
    - ``not recent``: raised earlier but not in the latest event.

    Returns
    -------
    pandas.DataFrame
        Columns ``top_code``, (``topic``,) ``events_raising``, ``events``,
        ``first_share``, ``latest_share``, ``mean_earlier_share``, ``status``;
        rising first, then persisting, new, not recent; most widespread first.
    """
    keys = [TOP_CODE, TOPIC] if level == TOPIC else [TOP_CODE]
    columns = [
        *keys,
        "events_raising",
        "events",
        "first_share",
        "latest_share",
        "mean_earlier_share",
        "status",
    ]
    if prevalence.empty:
        return pd.DataFrame(columns=columns)
    order = {event_id: i for i, event_id in enumerate(pd.unique(prevalence[EVENT]))}
    rows = []
    for key, group in prevalence.groupby(keys, sort=True):
        group = group.assign(_order=group[EVENT].map(order)).sort_values("_order")
        shares = group[SHARE].to_numpy(dtype=float)
        raised = group[NOTES].to_numpy() > 0
        earlier = shares[:-1]
        mean_earlier = float(earlier.mean()) if len(earlier) else 0.0
        if not raised.any():
            continue
        if raised[-1] and len(raised) > 1 and raised[:-1].any():
            status = "rising" if shares[-1] - mean_earlier >= rising_margin else "persisting"
        elif raised[-1]:
            status = "new"
        else:
            status = "not recent"
        key_values = key if isinstance(key, tuple) else (key,)
        rows.append(
            [
                *key_values,
                int(raised.sum()),
                len(raised),
                float(shares[0]),
                float(shares[-1]),
                mean_earlier,
                status,
            ]
        )
    result = pd.DataFrame(rows, columns=columns)
    rank = {"rising": 0, "persisting": 1, "new": 2, "not recent": 3}
    result["_rank"] = result["status"].map(rank)
    result = result.sort_values(
        ["_rank", "events_raising", "latest_share", keys[-1]],
        ascending=[True, False, False, True],
        kind="stable",
    )
    return result.drop(columns="_rank").reset_index(drop=True)


# -- representative excerpts -----------------------------------------------------------------------


_WORD = re.compile(r"[a-z][a-z'\u2019]+")


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def excerpt_terms(text: str, *, stop_words: frozenset[str] | None = None) -> list[str]:
    """The content words of a sentence, lower-cased, stop words removed, plural ``s`` folded.

    This is the bag of words the excerpt selection compares; it needs no
    model, so the choice is reproducible anywhere.
    """
    stops = _stop_words() if stop_words is None else stop_words
    terms = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("\u2019", "'").removesuffix("'s").rstrip("'")
        if word in stops or len(word) < 3:
            continue
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        terms.append(word)
    return terms


def map_offsets(original: str, shown: str, start: int, end: int) -> tuple[int, int]:
    """Map a span of ``original`` onto ``shown`` (the same text after redaction).

    Redaction replaces some spans and leaves the rest untouched, so the
    unchanged stretches line up; a boundary inside a replaced stretch moves
    to that replacement's edge (so a pseudonym is never cut in half).
    """
    if original == shown:
        return start, end
    matcher = difflib.SequenceMatcher(None, original, shown, autojunk=False)

    def convert(offset: int, *, is_end: bool) -> int:
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if i1 <= offset < i2 or (offset == i2 and (is_end or i2 == len(original))):
                if tag == "equal":
                    return j1 + (offset - i1)
                return j2 if is_end else j1
        return len(shown)

    return convert(start, is_end=False), convert(end, is_end=True)


def excerpt_candidates(
    assignments: pd.DataFrame, notes: pd.DataFrame, *, texts: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The evidence sentences behind each theme, as candidate excerpts.

    Parameters
    ----------
    assignments
        From :func:`theme_assignments` (one event; sentences come from
        ``sentence_start``/``sentence_end``).
    notes
        The event's notes (original text, which the offsets refer to).
    texts
        The text each note may be shown as, by note id (from the screening
        gate: original for ``warn``, redacted for ``redact``). Notes missing
        here are never used. ``None`` uses the original text.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id``, ``note_id``, ``top_code``, ``topic``, ``start``,
        ``end`` (offsets into the shown text), ``text``.
    """
    columns = [EVENT, NOTE, TOP_CODE, TOPIC, "start", "end", "text"]
    frame = assignments.dropna(subset=["sentence_start", "sentence_end"])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    originals = dict(zip(notes[NOTE], notes["text"], strict=True))
    rows = []
    seen: set[tuple[object, ...]] = set()
    for row in frame[[EVENT, NOTE, TOP_CODE, TOPIC, "sentence_start", "sentence_end"]].itertuples(
        index=False
    ):
        event_id, note_id, top_code, topic, s_start, s_end = row
        original = originals.get(note_id)
        shown = original if texts is None else texts.get(note_id)
        if not isinstance(original, str) or not isinstance(shown, str):
            continue
        start, end = map_offsets(original, shown, int(s_start), int(s_end))
        key = (event_id, note_id, top_code, topic if pd.notna(topic) else None, start, end)
        if key in seen:
            continue
        seen.add(key)
        sentence = shown[start:end].strip()
        if sentence:
            rows.append(
                [event_id, note_id, top_code, topic if pd.notna(topic) else None, start, end, sentence]
            )
    return pd.DataFrame(rows, columns=columns)


def _tfidf(term_lists: Sequence[Sequence[str]], idf: Mapping[str, float]) -> np.ndarray:
    vocabulary = sorted({t for terms in term_lists for t in terms})
    index = {t: i for i, t in enumerate(vocabulary)}
    matrix = np.zeros((len(term_lists), max(len(vocabulary), 1)))
    for row, terms in enumerate(term_lists):
        for term in terms:
            matrix[row, index[term]] += idf.get(term, 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def inverse_document_frequencies(texts: Iterable[str]) -> dict[str, float]:
    """Smoothed IDF of each term over a set of sentences (the whole event, say)."""
    term_sets = [set(excerpt_terms(t)) for t in texts]
    n = len(term_sets)
    frequency: dict[str, int] = {}
    for terms in term_sets:
        for term in terms:
            frequency[term] = frequency.get(term, 0) + 1
    return {t: math.log((1 + n) / (1 + df)) + 1.0 for t, df in frequency.items()}


def select_excerpts(
    candidates: pd.DataFrame,
    *,
    k: int = 3,
    diversity: float = 0.3,
    near_duplicate: float = 0.8,
    min_terms: int = 3,
    informative_terms: int = 6,
    idf: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Choose the ``k`` sentences that best represent a theme, without repeating one another.

    The method (maximal marginal relevance over centrality):

    1. each candidate becomes a TF-IDF vector of its content words
       (:func:`excerpt_terms`; IDF from ``idf``, by default over the candidates);
    2. its **centrality** is its mean cosine similarity to the other
       candidates: the sentence that shares most with what everyone else said
       about the theme represents it best; its **relevance** is centrality
       scaled down for sentences of fewer than ``informative_terms`` content
       words (a fragment is central only because it says little);
    3. excerpts are picked greedily by ``(1 - diversity) * relevance -
       diversity * (highest similarity to an excerpt already picked)``,
       skipping near-duplicates (similarity at least ``near_duplicate``) and a
       second sentence from the same note;
    4. ties go to the lower note id, then the earlier offset, so the result
       never depends on the order of the input rows.

    Sentences with fewer than ``min_terms`` content words are only used when
    nothing longer is left.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``candidates`` in rank order, plus ``centrality``
        and ``rank`` (1-based).
    """
    if k < 1 or candidates.empty:
        return candidates.iloc[0:0].assign(centrality=pd.Series(dtype=float), rank=pd.Series(dtype=int))
    sort_keys = [c for c in (EVENT, NOTE, "start", "end", "text") if c in candidates.columns]
    pool = candidates.sort_values(sort_keys, kind="stable").reset_index(drop=True)
    term_lists = [excerpt_terms(str(t)) for t in pool["text"]]
    weights = idf if idf is not None else inverse_document_frequencies(pool["text"].astype(str))
    vectors = _tfidf(term_lists, weights)
    similarity = vectors @ vectors.T
    n = len(pool)
    centrality = (similarity.sum(axis=1) - np.diag(similarity)) / (n - 1) if n > 1 else np.ones(n)
    long_enough = np.array([len(terms) >= min_terms for terms in term_lists])
    # A fragment can be central only because it says little; an excerpt should stand on its own.
    fullness = np.array([min(1.0, len(terms) / informative_terms) for terms in term_lists])
    relevance = centrality * fullness
    chosen: list[int] = []
    used_notes: set[object] = set()
    for _ in range(min(k, n)):
        best, best_score = -1, -math.inf
        for prefer_long in (True, False):
            for i in range(n):
                if i in chosen or (prefer_long and not long_enough[i]):
                    continue
                note_key = (pool.at[i, EVENT] if EVENT in pool.columns else None, pool.at[i, NOTE])
                if note_key in used_notes:
                    continue
                redundancy = max((similarity[i, j] for j in chosen), default=0.0)
                if redundancy >= near_duplicate:
                    continue
                score = (1 - diversity) * relevance[i] - diversity * redundancy
                if score > best_score + 1e-12:
                    best, best_score = i, score
            if best >= 0:
                break
        if best < 0:
            break
        chosen.append(best)
        used_notes.add((pool.at[best, EVENT] if EVENT in pool.columns else None, pool.at[best, NOTE]))
    result = pool.iloc[chosen].copy()
    result["centrality"] = centrality[chosen]
    result["rank"] = range(1, len(chosen) + 1)
    return result.reset_index(drop=True)


def representative_excerpts(
    candidates: pd.DataFrame,
    *,
    by: str = TOPIC,
    k: int = 3,
    diversity: float = 0.3,
    near_duplicate: float = 0.8,
) -> pd.DataFrame:
    """:func:`select_excerpts` for every theme (``by`` = ``"topic"`` or ``"top_code"``).

    IDF weights come from all candidate sentences together, so words common
    to every theme weigh little everywhere.
    """
    if candidates.empty:
        return candidates.assign(centrality=pd.Series(dtype=float), rank=pd.Series(dtype=int))
    unique_sentences = candidates.drop_duplicates([NOTE, "start", "end"])["text"].astype(str)
    idf = inverse_document_frequencies(unique_sentences)
    parts = [
        select_excerpts(group, k=k, diversity=diversity, near_duplicate=near_duplicate, idf=idf)
        for _, group in candidates[candidates[by].notna()].groupby(by, sort=True)
    ]
    if not parts:
        return candidates.iloc[0:0].assign(centrality=pd.Series(dtype=float), rank=pd.Series(dtype=int))
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "ASSIGNMENT_COLUMNS",
    "CASE_STORY",
    "NOT_RECORDED",
    "PURPOSES",
    "TOP_CODES",
    "PartialDate",
    "case_timeline",
    "cooccurrence",
    "event_frame",
    "event_prevalence",
    "excerpt_candidates",
    "excerpt_terms",
    "find_dates",
    "flagged_notes",
    "inverse_document_frequencies",
    "map_offsets",
    "note_totals",
    "parse_partial_date",
    "prevalence_by_review_type",
    "purpose_counts",
    "representative_excerpts",
    "select_excerpts",
    "theme_assignments",
    "theme_by",
    "topic_counts",
    "topic_trends",
]
