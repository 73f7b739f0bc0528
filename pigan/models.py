"""Plain data types passed between stages, and the column names used everywhere."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The note fields in the order they are exported.
NOTE_FIELDS: tuple[str, ...] = (
    "event_id",
    "note_id",
    "text",
    "agency",
    "role",
    "participant",
    "segment",
    "episode_date",
)

#: The optional descriptive fields of a note.
OPTIONAL_FIELDS: tuple[str, ...] = ("agency", "role", "participant", "segment", "episode_date")


@dataclass(frozen=True)
class Note:
    """One recorded contribution at an event.

    ``source`` is the file the note came from and ``row_ref`` where in it
    ("row 12", "line 40", "paragraph 7", "table 1 row 3").
    """

    event_id: str
    note_id: str
    text: str
    agency: str | None = None
    role: str | None = None
    participant: str | None = None
    segment: str | None = None
    episode_date: str | None = None
    source: str | None = None
    row_ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The note as a plain dict (all fields)."""
        return asdict(self)


@dataclass(frozen=True)
class QuarantinedRow:
    """A row that was read but not ingested, kept with where it was and why."""

    source: str
    row_ref: str
    reason: str
    note_id: str | None = None
    raw: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """An event's metadata, from its ``event.yaml`` (all optional but the id)."""

    event_id: str
    review_type: str | None = None
    review_ref: str | None = None
    held_on: str | None = None
    board: str | None = None
    title: str | None = None
    summary: str | None = None
