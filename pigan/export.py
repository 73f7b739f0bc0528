"""Write an event's notes back out as JSONL or as a CSV that is safe to open in Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from pigan.models import NOTE_FIELDS, Note

# A cell starting with one of these is read by spreadsheet programs as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str | None) -> str:
    """Make a value safe for a spreadsheet: a leading formula character gets a quote.

    "=HYPERLINK(...)" becomes "'=HYPERLINK(...)"; ordinary text is unchanged.
    """
    if value is None:
        return ""
    if value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def notes_to_jsonl(notes: Iterable[Note]) -> str:
    """One JSON object per note, with every note field (UTF-8, no ASCII escaping)."""
    lines = []
    for note in notes:
        record = {name: getattr(note, name) for name in NOTE_FIELDS}
        record["source"] = note.source
        record["row_ref"] = note.row_ref
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def notes_to_csv(notes: Iterable[Note]) -> str:
    """A CSV of the notes with formula-like cells neutralised (see :func:`neutralise_cell`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = [*NOTE_FIELDS, "source", "row_ref"]
    writer.writerow(columns)
    for note in notes:
        writer.writerow([neutralise_cell(getattr(note, name)) for name in columns])
    return buffer.getvalue()
