"""Read notes files (CSV, XLSX, DOCX, TXT/Markdown, JSONL) into notes, losing nothing.

Every reader returns a :class:`ReadResult`: the notes it could read, the rows
it quarantined with where they were and why, and how many rows it read, so
that ``rows_read == len(notes) + len(quarantined)`` always holds. A file that
cannot be read at all raises :class:`~pigan.errors.InputError` naming the
file (and the line or row) without quoting any note text.

:func:`ingest_paths` reads every file first and writes to the store only when
all of them were readable, in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from pigan.errors import ConfigError, InputError
from pigan.models import OPTIONAL_FIELDS, Event, Note, QuarantinedRow
from pigan.store import SourceOutcome, Store

log = logging.getLogger(__name__)

#: Extensions pigan reads, and the reader for each.
SUPPORTED_EXTENSIONS = (
    *(".csv", ".tsv", ".xlsx", ".docx", ".txt", ".md", ".jsonl"),
    *(".xlsm", ".text", ".markdown", ".ndjson"),  # the same formats under other names
)
# What to do with a file pigan cannot read, by its type.
_SAVE_AS = {
    **dict.fromkeys((".xls", ".ods", ".numbers"), "save it as .xlsx or .csv"),
    **dict.fromkeys((".doc", ".odt", ".rtf", ".pages"), "save it as .docx"),
    ".pdf": "save it as text (.txt) or Word (.docx): page numbers and running headers are left out",
}

#: Files in an event folder that are not notes.
RESERVED_NAMES = {"event.yaml", "event.yml", "deny_list.yaml", "deny_list.yml", "readme.md"}

#: Limits that keep a hostile or mistaken file from exhausting the machine.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_NOTE_CHARS = 100_000
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200
#: How many leading non-blank rows may be titles above a table's header row.
_HEADER_SEARCH_ROWS = 10

#: Accepted column headers for each note field (compared after :func:`_header_key`).
# Column headings of learning-event templates whose cells are notes ("What went well").
_TEMPLATE_QUESTIONS = (
    *("what went well", "what worked well", "went well", "what is working well", "what's working well"),
    "what\u2019s working well",
    *("what helped", "what hindered", "what could be better", "what could have been better"),
    *("what could be improved", "what could have been done differently", "even better if"),
    *("what could we do differently", "what would you do differently", "what needs to change"),
    *("what needs to happen", "what are we worried about", "worries", "challenges", "barriers"),
    *("what happened", "learning", "learning point", "learning points", "key learning"),
    *("suggestion", "suggestions", "recommendation", "recommendations"),
)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "note",
        "notes",
        "note text",
        "comment",
        "comments",
        "point",
        "contribution",
        "what was said",
        "discussion",
        "discussion point",
        "discussion points",
        "point made",
        "points made",
        "point raised",
        "key point",
        "key points",
        "reflection",
        "reflections",
        "observation",
        "observations",
        "content",
        *_TEMPLATE_QUESTIONS,
    ),
    "note_id": ("note id", "id", "note ref", "ref", "reference", "note no", "note number", "no"),
    "event_id": ("event id", "event"),
    "agency": ("agency", "organisation", "organization", "org", "service", "agency type"),
    "role": ("role", "job title", "job role", "position", "practitioner role"),
    "participant": (
        "participant",
        "participant id",
        "participant code",
        "attendee",
        "contributor",
        "speaker",
    ),
    "segment": (
        "segment",
        "agenda item",
        "session",
        "section",
        "theme heading",
        "topic",
        "agenda",
        "theme",
        "breakout",
        "breakout group",
    ),
    "episode_date": (
        "episode date",
        "date of episode",
        "episode",
        "date",
        "when",
        "date of contact",
        "contact date",
        "date of incident",
        "incident date",
    ),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}

# "[GP] ...", "[Police, P07] ...", "Police: ...", "Adult Social Care (P04): ..."
_BRACKET_PREFIX = re.compile(r"^\[(?P<who>[^\]\n]{1,60})\]\s*[:\-\u2013\u2014]?\s*(?P<text>\S.*)$", re.S)
_COLON_PREFIX = re.compile(
    r"^(?P<who>[A-Z][\w'\u2019&/\.\- ]{0,50}?(?:\s*\([A-Za-z]{0,3}\d{1,4}\))?)\s*:\s+(?P<text>\S.*)$",
    re.S,
)
_WHO_PARTICIPANT = re.compile(r"^(?P<agency>.*?)\s*(?:[,;]\s*|\()(?P<pid>[A-Za-z]{0,3}\d{1,4})\)?$")
# Colon prefixes that label the note rather than name an agency.
_NOT_AGENCIES = {
    "note",
    "notes",
    "nb",
    "action",
    "actions",
    "question",
    "questions",
    "q",
    "a",
    "update",
    "date",
    "comment",
    "response",
    "answer",
    "summary",
    "agreed",
    "point",
    "example",
    "e.g",
    "i.e",
    "quote",
    "facilitator",
    "reviewer",
    "chair",
    # labels of report prose and front pages ("Finding 1:", "Author:", "Learning point:")
    "finding",
    "findings",
    "key finding",
    "recommendation",
    "recommendations",
    "learning",
    "learning point",
    "key learning",
    "issue",
    "theme",
    "context",
    "reflection",
    "observation",
    "good practice",
    "outcome",
    "next steps",
    "background",
    "purpose",
    "author",
    "authors",
    "version",
    "status",
    "title",
    "subject",
    "venue",
    "present",
    "attendees",
    "apologies",
    "episode",
    "group",
    "page",
    "tbc",
}
# Words that show a colon prefix is the start of a sentence ("The GP said: ..."), not an agency.
_SENTENCE_WORDS = {
    "the",
    "a",
    "an",
    "he",
    "she",
    "they",
    "we",
    "it",
    "i",
    "this",
    "that",
    "there",
    "said",
    "says",
    "noted",
    "asked",
    "explained",
    "felt",
    "added",
    "reported",
    "stated",
    "told",
    "thought",
    "commented",
    "replied",
    "recalled",
    "described",
    "was",
    "were",
    "is",
    "are",
}
# Bullets a keyboard, Word or a paste gives (-, *, +, bullet, en dash, middle dot, Symbol's U+F0B7),
# and numbered or lettered items: "1.", "2)", "(3)", "a)", "(b)", "iv.".
_BULLET = re.compile(
    r"^\s*(?:[-*+\u2022\u2023\u25e6\u25aa\u25cf\u00b7\u2013\u2014\u2043\u2219\uf0b7]"
    r"|\(?(?:\d{1,3}|[a-z]|[ivx]{2,4})[.)]|\((?:\d{1,3}|[a-z]|[ivx]{1,4})\))\s+"
)
# A short line on its own that labels what follows: "Context:" or "KEY PRACTICE EPISODE 2".
_LABEL_LINE = re.compile(
    r"^(?:[A-Z][\w ,'\u2019&/()\-\u2013\u2014]{1,60}:|[A-Z][A-Z0-9 ,'\u2019&/()\-\u2013\u2014:]{2,60})$"
)
# Markdown emphasis around a leading agency: "**GP:** ...", "**GP**: ...", "_School nurse_: ...".
_EMPHASIS_PREFIX = re.compile(
    r"^(\*\*|__|\*|_)(?P<who>[^*_\n:]{1,60}?)(?P<c1>:?)\1(?P<c2>:?)\s+(?P<text>\S.*)$", re.S
)
# An agency set off by a spaced dash: "Housing \u2013 repairs backlog", "ASC (P04) \u2014 no assessment".
_DASH_PREFIX = re.compile(
    r"^(?P<who>[A-Z][A-Za-z'\u2019&/ ]{0,40}?(?:\s*\([A-Za-z]{0,3}\d{1,4}\))?)"
    r"\s+[\u2013\u2014]\s+(?P<text>\S.*)$",
    re.S,
)
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
# In plain text a line that follows a finished sentence and starts like a note is a new note;
# otherwise it continues a wrapped paragraph.
_ENDS_SENTENCE = re.compile(r"[.!?:;)\]\"'\u2019\u201d]$")
_STARTS_NOTE = re.compile(r"^[\[\(\"'\u2018\u201cA-Z0-9]")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<title>.*?)\s*#*\s*$")


@dataclass
class ReadResult:
    """What a reader got out of one file."""

    path: Path
    notes: list[Note] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    rows_read: int = 0
    sha256: str = ""

    def check_account(self) -> None:
        """Assert the account balances (a reader bug otherwise)."""
        if self.rows_read != len(self.notes) + len(self.quarantined):
            raise AssertionError(
                f"{self.path}: {self.rows_read} rows read but "
                f"{len(self.notes)} ingested + {len(self.quarantined)} quarantined"
            )


@dataclass(frozen=True)
class _RawRow:
    """A row as read, before validation: field values and where it was."""

    ref: str
    values: dict[str, str | None]
    problem: str | None = None


# -- public API ---------------------------------------------------------------


def load_event_yaml(folder: Path) -> Event | None:
    """Read ``event.yaml`` from a folder, if there is one.

    Raises
    ------
    ConfigError
        When the file is not valid YAML, not a mapping, or has no ``event_id``.
    """
    for name in ("event.yaml", "event.yml"):
        path = folder / name
        if path.is_file():
            break
    else:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read event metadata ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of event metadata")
    event_id = data.get("event_id")
    if not isinstance(event_id, str) or not event_id.strip():
        raise ConfigError(f"{path}: key 'event_id' is missing or not text")
    review_type = data.get("review_type")
    if review_type is not None and str(review_type).upper() not in {"SAR", "CSPR", "DHR", "OTHER"}:
        raise ConfigError(f"{path}: key 'review_type' must be SAR or CSPR, not {review_type!r}")

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return Event(
        event_id=event_id.strip(),
        review_type=None if review_type is None else str(review_type).upper(),
        review_ref=text("review_ref"),
        held_on=text("held_on"),
        board=text("board"),
        title=text("title"),
        summary=text("summary"),
    )


def expand_paths(paths: Iterable[Path | str]) -> list[tuple[Path, Event | None]]:
    """Turn files and event folders into (notes file, folder event metadata) pairs.

    Raises
    ------
    InputError
        For a path that does not exist, cannot be read, is of an unsupported
        type, or is a folder with no notes files.
    """
    out: list[tuple[Path, Event | None]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            event = load_event_yaml(path)
            try:
                children = sorted(path.iterdir())
            except OSError as exc:
                raise InputError(path, f"cannot read folder ({exc.strerror})") from None
            files = [
                child
                for child in children
                if child.is_file()
                and child.suffix.lower() in SUPPORTED_EXTENSIONS
                and child.name.lower() not in RESERVED_NAMES
                and not child.name.startswith((".", "~$"))
            ]
            if not files:
                raise InputError(path, "folder holds no notes files (csv, xlsx, docx, txt, md, jsonl)")
            out.extend((child, event) for child in files)
        else:
            _check_file(path)
            out.append((path, load_event_yaml(path.parent)))
    return out


def read_notes(path: Path | str, *, event_id: str = "file") -> ReadResult:
    """Read one notes file without touching the store.

    Parameters
    ----------
    path
        A CSV, TSV, XLSX, DOCX, TXT, Markdown or JSONL file.
    event_id
        Event id given to notes that do not name one.

    Raises
    ------
    InputError
        When the file cannot be read as notes at all.
    """
    path = Path(path)
    data = _check_file(path)
    reader = _READERS[path.suffix.lower()]
    raw_rows = reader(path, data)
    result = _validate(path, raw_rows, event_id=event_id)
    result.sha256 = hashlib.sha256(data).hexdigest()
    result.check_account()
    return result


@dataclass(frozen=True)
class IngestReport:
    """The account of one ``ingest`` call, per file."""

    outcomes: list[SourceOutcome]
    quarantined: dict[str, list[QuarantinedRow]]

    @property
    def rows_read(self) -> int:
        return sum(o.rows_read for o in self.outcomes)

    @property
    def rows_ingested(self) -> int:
        return sum(o.rows_ingested for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)


def ingest_paths(
    paths: Sequence[Path | str], *, store: Store | Path | str | None = None, event_id: str | None = None
) -> IngestReport:
    """Read every file, then store them all in one transaction.

    Nothing is written unless every file could be read, so a bad input
    leaves the store exactly as it was (not even created).

    Parameters
    ----------
    paths
        Notes files and event folders.
    store
        An open store, or a store folder (default: see :func:`pigan.store.resolve_store_dir`).
    event_id
        Overrides the event of every file (else ``event.yaml``, else an
        ``event_id`` column).
    """
    planned: list[tuple[Path, Event, ReadResult]] = []
    for path, folder_event in expand_paths(paths):
        chosen = event_id or (folder_event.event_id if folder_event else None)
        result = read_notes(path, event_id=chosen or "")
        if not chosen:
            missing = [n for n in result.notes if not n.event_id]
            if missing or not result.notes:
                raise InputError(
                    path,
                    "no event id: give --event ID, put an event.yaml beside it, or add an event_id column",
                )
        base = folder_event if folder_event and folder_event.event_id == chosen else None
        for eid in [chosen] if chosen else sorted({n.event_id for n in result.notes}):
            planned.append(
                (path, base if base and base.event_id == eid else Event(eid), _subset(result, eid, chosen))
            )

    opened = store if isinstance(store, Store) else Store.open(store)
    try:
        outcomes: list[SourceOutcome] = []
        quarantined: dict[str, list[QuarantinedRow]] = {}
        with opened.transaction() as db:
            for path, event, result in planned:
                opened.upsert_event(db, event)
                outcome = opened.add_source(
                    db,
                    event_id=event.event_id,
                    name=path.name,
                    path=str(path.resolve()),
                    sha256=result.sha256,
                    rows_read=result.rows_read,
                    notes=result.notes,
                    quarantined=result.quarantined,
                )
                outcomes.append(outcome)
                log.info(
                    "%s: %s (%d read, %d ingested, %d quarantined)",
                    path.name,
                    outcome.status,
                    outcome.rows_read,
                    outcome.rows_ingested,
                    outcome.rows_quarantined,
                )
        for outcome in outcomes:
            quarantined[f"{outcome.event_id}/{outcome.name}"] = [
                q for q in opened.quarantined(outcome.event_id) if q.source == outcome.name
            ]
        return IngestReport(outcomes, quarantined)
    finally:
        if not isinstance(store, Store):
            opened.close()


# -- checks -------------------------------------------------------------------


def _check_file(path: Path) -> bytes:
    """Return the file's bytes after checking it exists, is readable, supported and not too big."""
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        hint = f" ({_SAVE_AS[path.suffix.lower()]})" if path.suffix.lower() in _SAVE_AS else ""
        raise InputError(
            path,
            f"unsupported file type {path.suffix or '(none)'!r}{hint}; "
            "pigan reads .csv .tsv .xlsx .docx .txt .md .jsonl",
        )
    return read_input_bytes(path)


def read_input_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """A user's input file as bytes, or an :class:`InputError` saying why it cannot be read.

    Refuses what does not exist, is not a file, cannot be read, is over
    ``limit`` bytes, or holds nothing but white space.
    """
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(path, "not a file")
        if size > limit:
            raise InputError(path, f"file is {size:,} bytes, over the {limit:,}-byte limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(path, "file is empty")
    return data


def _decode(path: Path, data: bytes) -> str:
    """UTF-16 with a BOM, else UTF-8 (with or without BOM), else strict Windows-1252; universal newlines."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark says what it is.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(path, "UTF-16 text that does not decode (is the file cut short?)") from None
        return _check_text(path, text)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, "binary content (NUL byte), not a text file", line=line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                path, f"not UTF-8 or Windows-1252 text (byte 0x{data[exc.start]:02x})", line=line
            ) from None
        log.info("%s: read as Windows-1252", path.name)
    return _check_text(path, text)


def _check_text(path: Path, text: str) -> str:
    """Refuse control characters (a binary file); give universal newlines."""
    control = re.search(r"[\x00-\x08\x0e-\x1f\x7f]", text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise InputError(path, "binary content (control characters), not a text file", line=line)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_zip(path: Path, data: bytes, kind: str) -> zipfile.ZipFile:
    """Open an Office file's zip after checking it is one and is not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(path, f"not a valid {kind} file (corrupt or not a zip archive)") from None
    total = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if total > MAX_UNZIPPED_BYTES or total / compressed > MAX_ZIP_RATIO:
        raise InputError(
            path, f"refused: unpacks to {total:,} bytes from {compressed:,} (looks like a zip bomb)"
        )
    return archive


def _header_key(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s_\-./]+", " ", text.strip().lower()).strip(" :#")


def _fields_of(header: Sequence[Any]) -> set[str]:
    return {_ALIAS_TO_FIELD[k] for k in map(_header_key, header) if k in _ALIAS_TO_FIELD}


def _map_header(path: Path, header: Sequence[Any], *, line: int | None) -> list[str | None]:
    """Map header cells to note fields; raise when there is no text column."""
    mapped: list[str | None] = []
    seen: set[str] = set()
    for cell in header:
        name = _ALIAS_TO_FIELD.get(_header_key(cell))
        if name == "text" and name in seen:
            # A second column of note text ("Discussion point" and "Notes") is kept: each
            # note joins the row's text cells, so nothing written at the event is dropped.
            log.warning(
                "%s: column %r also holds note text: it is joined to the note, after a blank line",
                path.name,
                str(cell).strip()[:40],
            )
        elif name in seen:
            log.warning(
                "%s: column %r is read as nothing: an earlier column already gives the %s",
                path.name,
                str(cell).strip()[:40],
                name.replace("_", " "),
            )
            name = None
        if name:
            seen.add(name)
        mapped.append(name)
    if "text" not in seen:
        # Name only the cells pigan recognised: an unrecognised "header" may be a row of notes.
        known = [str(c).strip() for c, name in zip(header, mapped, strict=True) if name]
        others = sum(1 for c, name in zip(header, mapped, strict=True) if not name and _cell_text(c))
        found = ", ".join(known) or "none recognised"
        raise InputError(
            path,
            "missing required column for the note text (one of: text, note, notes, comment, "
            f"discussion point, reflection); found columns: {found[:200]}"
            + (
                f" and {others} other(s)"
                if others and known
                else f" ({others} other cell(s))"
                if others
                else ""
            ),
            line=line,
        )
    return mapped


def _cell_text(value: Any) -> str | None:
    """A spreadsheet cell as text, as the user would read it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- readers ------------------------------------------------------------------


def _rows_from_table(
    path: Path, table: Iterable[tuple[str, Sequence[Any]]], *, row_word: str
) -> list[_RawRow]:
    """Header-then-rows tables (CSV, sheets, DOCX tables) to raw rows."""
    rows = iter(table)
    # The header is the first non-blank row, unless a title or two sit above it: then the
    # first of the next few rows that names a note-text column.
    leading: list[tuple[str, Sequence[Any]]] = []
    for ref, cells in rows:
        if any(_cell_text(c) not in (None, "") and str(c).strip() for c in cells):
            leading.append((ref, cells))
            if len(leading) == _HEADER_SEARCH_ROWS or "text" in _fields_of(cells):
                break
    if not leading:
        raise InputError(path, "file is empty (no header row)")
    found = next((i for i, (_, cells) in enumerate(leading) if "text" in _fields_of(cells)), 0)
    header_ref, header = leading[found]
    line = int(header_ref) if header_ref.isdigit() else None
    mapped = _map_header(path, header, line=line)
    if found < len(leading) - 1:  # rows read past a header found early belong to the data
        rows = itertools.chain(leading[found + 1 :], rows)
    width = len(header)
    while width and _cell_text(header[width - 1]) in (None, ""):
        width -= 1
    out: list[_RawRow] = []
    for ref, cells in rows:
        texts = [_cell_text(c) for c in cells]
        if not any(t and t.strip() for t in texts):
            continue  # blank line or empty spreadsheet row: not a row
        values: dict[str, str | None] = {}
        note_text: list[str] = []
        for name, value in zip(mapped, texts, strict=False):
            if name == "text":
                if value and value.strip():
                    note_text.append(value.strip())
            elif name:
                values[name] = value
        values["text"] = "\n\n".join(note_text) or None
        problem = None
        extra = [t for t in texts[width:] if t and t.strip()]
        if row_word == "line" and len(texts) != len(header):
            problem = f"ragged row: {len(texts)} fields, header has {len(header)}"
        elif extra:
            problem = f"ragged row: {len(extra)} value(s) beyond the header's {width} columns"
        elif _is_totals_row(texts, values.get("text")):
            problem = 'a totals row ("Total" with a count), not a note'
        out.append(_RawRow(f"{row_word} {ref}", values, problem))
    if not out:
        raise InputError(path, "no notes: the file has a header row but no data rows")
    return out


_TOTAL_CELL = re.compile(r"(?:grand\s+|sub-?\s*)?totals?\s*:?|count|sum", re.I)


def _is_totals_row(texts: Sequence[str | None], text: str | None) -> bool:
    """A spreadsheet's summary row: a cell saying "Total" and no note longer than a count."""
    if not any(t and _TOTAL_CELL.fullmatch(t.strip()) for t in texts):
        return False
    if text is None or _TOTAL_CELL.fullmatch(text.strip()):
        return True
    return bool(re.fullmatch(r"[\d,.]+\s*\w*|\w+\s*[:=]?\s*[\d,.]+", text.strip()))


def _read_csv(path: Path, data: bytes) -> list[_RawRow]:
    return _csv_rows(path, _decode(path, data))


def _csv_rows(path: Path, text: str) -> list[_RawRow]:
    """The rows of decoded delimited text (comma, semicolon or tab, whichever the first line uses)."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if path.suffix.lower() == ".tsv" or (first.count("\t") > first.count(",") and "\t" in first):
        delimiter = "\t"
    elif first.count(";") > first.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def table() -> Iterator[tuple[str, list[str]]]:
        # Report the line a row starts on (a quoted note may span several lines).
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(path, f"malformed CSV ({exc})", line=start) from None
            yield str(start), cells

    csv.field_size_limit(MAX_FILE_BYTES)
    return _rows_from_table(path, table(), row_word="line")


def _read_xlsx(path: Path, data: bytes) -> list[_RawRow]:
    _check_zip(path, data, "Excel (.xlsx)")
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InputError(path, f"not a readable Excel workbook ({exc.__class__.__name__})") from None
    except Exception as exc:  # openpyxl raises many kinds on corrupt XML
        raise InputError(path, f"not a readable Excel workbook ({exc.__class__.__name__})") from None
    try:
        problems: list[str] = []
        read: list[tuple[str, list[_RawRow]]] = []
        for sheet in book.worksheets:
            try:
                rows = [(str(i), list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), 1)]
            except Exception as exc:  # corrupt sheet XML
                raise InputError(
                    path, f"sheet {sheet.title!r} is corrupt ({exc.__class__.__name__})"
                ) from None
            try:
                read.append((sheet.title, _rows_from_table(path, rows, row_word="row")))
            except InputError as exc:
                problems.append(f"sheet {sheet.title!r}: {exc.reason}")
        if not read:
            raise InputError(path, "; ".join(problems)[:300] or "workbook has no sheets")
    finally:
        book.close()
    if len(book.worksheets) == 1:
        return read[0][1]
    # Every sheet with a note-text column is read (one sheet a breakout group, say); the
    # sheet's name is the segment of rows that do not give one, when several sheets hold notes.
    ids = [r.values.get("note_id") for _, out in read for r in out if r.values.get("note_id")]
    clash = len(read) > 1 and len(ids) != len(set(ids))
    merged: list[_RawRow] = []
    for title, out in read:
        for r in out:
            values = dict(r.values)
            if len(read) > 1 and not (values.get("segment") or "").strip():
                values["segment"] = title
            if clash and values.get("note_id"):
                values["note_id"] = f"{title}/{values['note_id']}"
            merged.append(_RawRow(f"sheet {title!r} {r.ref}", values, r.problem))
    return merged


def _split_prefix(text: str) -> tuple[str | None, str | None, str]:
    """Split "[GP] ..." / "Police (P07): ..." / "**GP:** ..." into (agency, participant, text)."""
    original = text
    emphasis = _EMPHASIS_PREFIX.match(text)
    if emphasis and (emphasis["c1"] or emphasis["c2"]):
        text = f"{emphasis['who'].strip()}: {emphasis['text']}"
    match = _BRACKET_PREFIX.match(text)
    if not match:
        for pattern, most_words in ((_COLON_PREFIX, 6), (_DASH_PREFIX, 4)):
            match = pattern.match(text)
            if match is None:
                continue
            who = match["who"].strip()
            bare = who.split("(")[0].strip()
            shouted = pattern is _DASH_PREFIX and " " in bare and bare.isupper()  # a title line
            if shouted or not _names_agency(who, most_words):
                match = None
            if match:
                break
    if not match:
        return None, None, original
    who = match["who"].strip()
    participant = None
    split = _WHO_PARTICIPANT.match(who)
    if split and split["agency"].strip():
        who, participant = split["agency"].strip(), split["pid"]
    return who, participant, match["text"].strip()


def _names_agency(who: str, most_words: int) -> bool:
    """Whether a prefix before ":" or a dash reads as an agency, not a label or a sentence."""
    words = _header_key(who).split(" (")[0].split()
    return (
        bool(words)
        and not (
            " ".join(words) in _NOT_AGENCIES
            or words[-1].isdigit()  # "Finding 1", "Episode 2": a numbered label
            or len(words) > most_words
            or words[0] in _SENTENCE_WORDS
            or any(w in _SENTENCE_WORDS - {"a", "i"} for w in words[1:])
        )
    )


def _looks_like_heading(paragraph: Any) -> bool:
    """A short paragraph set wholly in bold, without a full stop, used as a heading."""
    text = paragraph.text.strip()
    runs = [r for r in paragraph.runs if r.text.strip()]
    return (
        bool(runs)
        and all(r.bold for r in runs)
        and len(text.split()) <= 10
        and not text.endswith((".", "?", "!"))
        and _split_prefix(text)[0] is None
    )


# A contents line: "Introduction<tab>3" or "Findings ........ 12".
_CONTENTS_LINE = re.compile(r"(?:\t|\.{4,}|\u2026{2,})\s*\d{1,4}$")


# A report's front page: "Author: ...", "Version 0.3 DRAFT", "OFFICIAL-SENSITIVE", "Page 1 of 12".
_FRONT_LABEL = re.compile(
    r"(?P<label>authors?|report author|lead reviewer|independent (?:author|reviewer)s?|prepared by|"
    r"written by|approved by|owner|version|document version|status|classification|"
    r"security classification|protective marking|circulation|distribution|"
    r"(?:review|document|report) ref(?:erence)?|date of (?:report|draft|issue|publication))"
    r"\s*[:\-\u2013]\s*(?P<value>\S.*)",
    re.I,
)
# A protective marking on a line of its own.
_MARKING = re.compile(
    r"(?:official|government)[- ]sensitive\b.{0,30}|official|confidential|restricted|not protectively marked",
    re.I,
)
_FRONT_MARK = re.compile(
    rf"(?:version|v)\s*\d+(?:\.\d+)*\b.*|draft\b.*|page \d+(?: of \d+)?|(?:table of )?contents|"
    rf"{_MARKING.pattern}",
    re.I,
)
_DATE_ONLY = re.compile(r"date\s*[:\-\u2013]\s*[\w ,/.\-]{4,24}", re.I)


def _front_matter(text: str) -> str | None:
    """Why a line before a document's first heading is its front page, or None if it may be a note."""
    line = text.strip()
    if len(line.split()) > 12 or "\n" in line:
        return None
    label = _FRONT_LABEL.fullmatch(line)
    if label and len(label["value"].split()) <= 8:
        return f"document front matter ({label['label'].strip().capitalize()}), not a note"
    if _FRONT_MARK.fullmatch(line) or (_DATE_ONLY.fullmatch(line) and re.search(r"\d", line)):
        return "document front matter (version, marking or date line), not a note"
    return None


# Text copied out of a PDF (pdftotext, "Save as text") carries the page furniture with it.
_PAGE_LINE = re.compile(r"page\s+\d{1,4}(?:\s+of\s+\d{1,4})?", re.I)
_PAGE_MARK = re.compile(rf"(?:page\s+)?\d{{1,4}}(?:\s+of\s+\d{{1,4}})?|{_MARKING.pattern}", re.I)
# "4. Analysis" over "4.1 ...": a report's numbered section heading, not a list item.
_NUMBERED_HEADING = re.compile(r"(?P<number>\d{1,2})\.?\s+(?P<title>[A-Z][^.!?;:,]{0,60})")
_PARAGRAPH_NUMBER = re.compile(r"\d{1,2}\.\d{1,2}(?:\.\d{1,2})?\.?\s+\S")
# Small words a Title Case heading leaves in lower case.
_TITLE_SMALL_WORDS = ("of", "the", "and", "for", "in", "on", "to", "a", "an", "into")
_TITLE_LINE = re.compile(rf"(?:(?:[A-Z0-9][\w'\u2019&\-]*|{'|'.join(_TITLE_SMALL_WORDS)})\s*){{1,8}}")
_NUMBERED_ITEM = re.compile(r"\s*\(?\d{1,3}[.)]\s")


def _numbered_heading(numbered: re.Match[str], lines: Sequence[str], index: int, following: str) -> bool:
    """Whether "4. Analysis" at ``lines[index]`` heads a section rather than being a list item.

    It does when the next paragraph is numbered under it ("4.1 ..."), or when
    it is a short Title Case phrase with no numbered item before or after it.
    """
    following = following.strip()
    if len(numbered[0].split()) > 7:
        return False
    if following.startswith(numbered["number"] + ".") and _PARAGRAPH_NUMBER.match(following):
        return True
    before = next((line for line in reversed(lines[:index]) if line.strip()), "")
    title = numbered["title"].split()
    return (
        len(title) <= 4
        and all(w[:1].isupper() or w in _TITLE_SMALL_WORDS for w in title)
        and not _NUMBERED_ITEM.match(following)
        and not _NUMBERED_ITEM.match(before)
    )


def _page_furniture(lines: Sequence[str]) -> set[int]:
    """Indexes of running headers, footers and page numbers in text taken from a PDF.

    Only in text that shows it came from pages (a "Page 3" line or a form
    feed): then a page mark ("Page 3 of 28", "OFFICIAL", a bare number) and
    any other short line that repeats three or more times word for word, such
    as a running title. Elsewhere only a protective marking on its own line is
    furniture: a note that repeats ("No further action") is never dropped.
    """
    stripped = [line.strip() for line in lines]
    paged = any("\f" in line for line in lines) or any(_PAGE_LINE.fullmatch(s) for s in stripped)
    if not paged:
        return {i for i, s in enumerate(stripped) if s and _MARKING.fullmatch(s)}
    counts = Counter(s for s in stripped if s and len(s.split()) <= 8 and not _BULLET.match(s))
    repeated = {s for s, n in counts.items() if n >= 3 and not _MD_HEADING.match(s)}
    return {i for i, s in enumerate(stripped) if s and (_PAGE_MARK.fullmatch(s) or s in repeated)}


def _docx_blocks(element: Any, parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in document order, including those inside content controls.

    python-docx's own iteration skips ``w:sdt`` content controls, where a form-like
    notes template keeps what was typed; a table of contents control is skipped.
    """
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            gallery = child.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            if gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower():
                continue
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(content, parent)
        elif child.tag == qn("w:customXml"):
            yield from _docx_blocks(child, parent)


def _docx_text(paragraph: Any) -> str:
    """A paragraph's text as the document shows it now: tracked insertions in, deletions out."""
    from docx.oxml.ns import qn

    skip = {
        qn("w:del"),
        qn("w:moveFrom"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
    parts: list[str] = []
    for node in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if any(a.tag in skip for a in node.iterancestors()):
            continue
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == qn("w:tab") else "\n")
    return "".join(parts)


def _docx_cell_text(cell: Any) -> str:
    """A table cell's text, paragraphs of tables nested in it included."""
    from docx.oxml.ns import qn

    box = qn("w:txbxContent")
    return "\n".join(
        _docx_text(p) for p in cell._tc.iter(qn("w:p")) if not any(a.tag == box for a in p.iterancestors())
    ).strip()


def _read_docx(path: Path, data: bytes) -> list[_RawRow]:
    _check_zip(path, data, "Word (.docx)")
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on corrupt parts
        raise InputError(path, f"not a readable Word document ({exc.__class__.__name__})") from None
    out: list[_RawRow] = []
    segment: str | None = None
    paragraph_no = table_no = 0
    for block in _docx_blocks(document.element.body, document._body):
        if isinstance(block, Paragraph):
            paragraph_no += 1
            text = _docx_text(block._p).strip()
            style = (block.style.name if block.style is not None else "") or ""
            if not text:
                continue
            # Front matter sits at the top: before the first heading and the first note.
            front = _front_matter(text) if segment is None and all(r.problem for r in out) else None
            if front and style.lower() not in {"title", "subtitle"}:
                out.append(_RawRow(f"paragraph {paragraph_no}", {"text": text}, front))
                continue
            if style.lower().startswith("heading") or _looks_like_heading(block):
                segment = text
                continue
            if style.lower() in {"title", "subtitle"} or style.lower().startswith("toc"):
                continue
            if _CONTENTS_LINE.search(text):
                continue  # a line of a typed table of contents, not a note
            agency, participant, body = _split_prefix(_BULLET.sub("", text, count=1))
            out.append(
                _RawRow(
                    f"paragraph {paragraph_no}",
                    {"text": body, "agency": agency, "participant": participant, "segment": segment},
                )
            )
        elif isinstance(block, Table):
            table_no += 1
            cells = [(str(i), [_docx_cell_text(c) for c in row.cells]) for i, row in enumerate(block.rows, 1)]
            out.extend(_table_rows(path, cells, f"table {table_no} row", segment))
    if not out:
        raise InputError(path, "no notes: the document has no paragraphs or table rows of text")
    return out


def _read_text(path: Path, data: bytes) -> list[_RawRow]:
    """Plain text or Markdown: headings are segments, each bullet or paragraph a note.

    A file whose first line is a tab-separated header naming a note-text column
    (Excel's "Unicode Text" or "Text (Tab delimited)") is read as a table, and so
    is a Markdown table (``| Agency | Reflection |`` over ``|---|---|``).
    """
    text = _decode(path, data)
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if "\t" in first and "text" in _fields_of(first.split("\t")):
        return _csv_rows(path, text)
    out: list[_RawRow] = []
    segment: str | None = None
    current: list[str] = []
    start = 0

    def flush() -> None:
        if current:
            agency, participant, body = _split_prefix(" ".join(current))
            out.append(
                _RawRow(
                    f"line {start}",
                    {"text": body, "agency": agency, "participant": participant, "segment": segment},
                )
            )
            current.clear()

    def next_line(index: int) -> str:
        return next((line for line in lines[index + 1 :] if line.strip()), "")

    furniture = _page_furniture(lines)
    if furniture:
        log.warning(
            "%s: %d page header, footer, page-number or marking line(s) are not notes: left out",
            path.name,
            len(furniture),
        )
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        stripped = line.strip()
        heading = _MD_HEADING.match(line)
        numbered = _NUMBERED_HEADING.fullmatch(stripped)
        if number - 1 in furniture:
            continue  # a page break inside a paragraph does not end it
        if stripped.startswith("|") and _MD_TABLE_RULE.match(
            lines[number].strip() if number < len(lines) else ""
        ):
            flush()
            table: list[tuple[str, list[str]]] = []
            at = number - 1
            while at < len(lines) and lines[at].strip().startswith("|"):
                if at != number:  # the |---| rule is not a row
                    table.append((str(at + 1), _md_cells(lines[at])))
                at += 1
            out.extend(_table_rows(path, table, "line", segment))
            number = at
        elif not stripped or re.fullmatch(r"[-=*_]{3,}", stripped):
            flush()
        elif (
            segment is None
            and not current
            and not heading
            and all(r.problem for r in out)
            and (front := _front_matter(stripped))
        ):
            flush()  # a front-page line ("Author: ...", "OFFICIAL"): accounted for, not a note
            out.append(_RawRow(f"line {number}", {"text": stripped}, front))
        elif heading or _LABEL_LINE.match(stripped):
            flush()
            segment = (heading["title"] if heading else stripped.rstrip(":").strip()) or None
        elif (
            segment is None
            and not current
            and all(r.problem for r in out)
            and _TITLE_LINE.fullmatch(stripped)
            and not _BULLET.match(line)
            and not _BULLET.match(next_line(number - 1))
        ):
            out.append(_RawRow(f"line {number}", {"text": stripped}, "document title, not a note"))
        elif numbered and _numbered_heading(numbered, lines, number - 1, next_line(number - 1)):
            flush()
            segment = numbered["title"].strip()
        elif _BULLET.match(line):
            flush()
            start = number
            current.append(_BULLET.sub("", line, count=1).strip())
        elif (
            not current
            and len(stripped.split()) <= 6
            and not re.search(r"[.!?;,]$", stripped)
            and _split_prefix(stripped)[0] is None
            and _BULLET.match(next_line(number - 1))
        ):
            segment = stripped.rstrip(":").strip()  # a short line over a list titles it
        else:
            if current and re.search(r"[A-Za-z]-$", current[-1]) and stripped[:1].islower():
                current[-1] += stripped  # a word broken across lines: "de-" + "spite"
                continue
            if current and (
                (_ENDS_SENTENCE.search(current[-1]) and _STARTS_NOTE.match(stripped))
                or _PARAGRAPH_NUMBER.match(stripped)
            ):
                flush()  # one note a line, or a numbered paragraph ("4.2 ...") starts anew
            if not current:
                start = number
            current.append(stripped)
    flush()
    if not out:
        raise InputError(path, "no notes: the file has only headings or blank lines")
    return out


def _md_cells(line: str) -> list[str]:
    """The cells of a Markdown table row ("| a | b |"), with escaped pipes kept."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _table_rows(
    path: Path, cells: list[tuple[str, list[str]]], row_word: str, segment: str | None
) -> list[_RawRow]:
    """A table in a document: read like CSV when it has a header, else one note a row."""
    try:
        rows = _rows_from_table(path, cells, row_word=row_word)
    except InputError:
        # No recognisable header: each row is one note, cells joined.
        rows = [
            _RawRow(f"{row_word} {ref}", {"text": " | ".join(c.strip() for c in row if c.strip())})
            for ref, row in cells
            if any(c.strip() for c in row)
        ]
    out = []
    for row in rows:
        values = dict(row.values)
        if not values.get("segment"):
            values["segment"] = segment
        out.append(_RawRow(row.ref, values, row.problem))
    return out


def _read_jsonl(path: Path, data: bytes) -> list[_RawRow]:
    text = _decode(path, data)
    out: list[_RawRow] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            out.append(_RawRow(f"line {number}", {}, "not valid JSON"))
            continue
        if not isinstance(obj, dict):
            out.append(_RawRow(f"line {number}", {}, "not a JSON object"))
            continue
        values: dict[str, str | None] = {}
        for key, value in obj.items():
            name = _ALIAS_TO_FIELD.get(_header_key(key))
            if name and name not in values:
                values[name] = (
                    None if value is None else (value if isinstance(value, str) else json.dumps(value))
                )
        out.append(_RawRow(f"line {number}", values))
    if not any(r.problem is None for r in out):
        raise InputError(path, "no line is a JSON object (is this a JSONL file?)", line=1)
    return out


_READERS: dict[str, Callable[[Path, bytes], list[_RawRow]]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".docx": _read_docx,
    ".txt": _read_text,
    ".text": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
}


# -- validation -----------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


def _validate(path: Path, rows: list[_RawRow], *, event_id: str) -> ReadResult:
    """Turn raw rows into notes, quarantining what cannot be a note; give stable ids."""
    result = ReadResult(path=path, rows_read=len(rows))
    seen: dict[str, str] = {}
    derived_count: dict[str, int] = {}
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower() or "notes"
    for row in rows:
        values = {k: _clean(v) for k, v in row.values.items()}
        raw = {k: v for k, v in values.items()}
        text = values.get("text")
        given_id = values.get("note_id")
        if text is not None and len(text) > MAX_NOTE_CHARS:
            raise InputError(
                path,
                f"{row.ref}: note is {len(text):,} characters, over the {MAX_NOTE_CHARS:,} limit "
                "(split it into several notes)",
            )
        if row.problem:
            result.quarantined.append(QuarantinedRow(path.name, row.ref, row.problem, given_id, raw))
            continue
        if not text:
            result.quarantined.append(QuarantinedRow(path.name, row.ref, "missing note text", given_id, raw))
            continue
        if given_id:
            note_id = given_id
        else:
            # Stable under reordering and insertions: the file stem and a hash of the text.
            digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
            base = f"{stem}-{digest}"
            derived_count[base] = derived_count.get(base, 0) + 1
            note_id = base if derived_count[base] == 1 else f"{base}-{derived_count[base]}"
        if note_id in seen:
            result.quarantined.append(
                QuarantinedRow(
                    path.name,
                    row.ref,
                    f"duplicate note id {note_id!r} (first at {seen[note_id]})",
                    note_id,
                    raw,
                )
            )
            continue
        seen[note_id] = row.ref
        optional = {name: values.get(name) for name in OPTIONAL_FIELDS}
        result.notes.append(
            Note(
                event_id=values.get("event_id") or event_id,
                note_id=note_id,
                text=text,
                source=path.name,
                row_ref=row.ref,
                **optional,
            )
        )
    return result


def _subset(result: ReadResult, event_id: str, chosen: str | None) -> ReadResult:
    """The part of a file's result that belongs to one event (files may name several)."""
    if chosen is not None and chosen == event_id:
        notes = [n if n.event_id == chosen else _with_event(n, chosen) for n in result.notes]
        return ReadResult(result.path, notes, result.quarantined, result.rows_read, result.sha256)
    notes = [n for n in result.notes if n.event_id == event_id]
    share = ReadResult(result.path, notes, [], len(notes), result.sha256)
    events = sorted({n.event_id for n in result.notes})
    if events and events[0] == event_id:  # quarantined rows go with the first event
        share.quarantined = list(result.quarantined)
        share.rows_read += len(result.quarantined)
    return share


def _with_event(note: Note, event_id: str) -> Note:
    data = note.to_dict()
    data["event_id"] = event_id
    return Note(**data)
