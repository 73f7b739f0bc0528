"""The store: one embedded SQLite file holding events, notes and everything derived.

The store is a folder (default ``./pigan-store/``, or ``--store`` /
``PIGAN_STORE``) holding ``pigan.sqlite``. Every write happens in a
transaction, so a failed command leaves the store as it was. Re-ingesting a
file with the same content changes nothing; a changed file becomes a new
version of that source and the old version's notes are kept, marked
superseded, never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pigan.errors import NotFoundError, StoreError
from pigan.models import NOTE_FIELDS, Event, Note, QuarantinedRow

log = logging.getLogger(__name__)

DB_NAME = "pigan.sqlite"
DEFAULT_STORE_DIR = "pigan-store"
SCHEMA_VERSION = 1

# Each entry upgrades the schema by one version; append, never edit.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        review_type TEXT, review_ref TEXT, held_on TEXT, board TEXT,
        title TEXT, summary TEXT,
        updated_at TEXT NOT NULL
    );
    -- One row per version of a notes file. A source is current until a newer
    -- version of the same file (same event, same file name) supersedes it.
    CREATE TABLE sources (
        source_id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events(event_id),
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        version INTEGER NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_ingested INTEGER NOT NULL,
        rows_quarantined INTEGER NOT NULL,
        ingested_at TEXT NOT NULL,
        superseded_by INTEGER REFERENCES sources(source_id),
        UNIQUE (event_id, name, version)
    );
    CREATE TABLE notes (
        event_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        source_id INTEGER NOT NULL REFERENCES sources(source_id),
        row_ref TEXT NOT NULL,
        text TEXT NOT NULL,
        agency TEXT, role TEXT, participant TEXT, segment TEXT, episode_date TEXT,
        text_sha256 TEXT NOT NULL,
        PRIMARY KEY (event_id, note_id, source_id)
    );
    CREATE TABLE quarantine (
        source_id INTEGER NOT NULL REFERENCES sources(source_id),
        row_ref TEXT NOT NULL,
        reason TEXT NOT NULL,
        note_id TEXT,
        raw_json TEXT NOT NULL
    );
    -- Theme tags and flags per note; payload_json holds the tag as the tagger
    -- writes it (code, offsets, rule, score...). Replaced per event per run.
    CREATE TABLE tags (
        event_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        code TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        rule TEXT NOT NULL,
        score REAL NOT NULL,
        payload_json TEXT NOT NULL
    );
    CREATE INDEX tags_event ON tags(event_id, note_id);
    CREATE TABLE tag_runs (
        event_id TEXT PRIMARY KEY,
        codebook_version TEXT NOT NULL,
        model TEXT NOT NULL,
        tagged_at TEXT NOT NULL,
        notes_sha256 TEXT NOT NULL
    );
    -- Personal-data findings per note, replaced per event per screening run.
    CREATE TABLE findings (
        event_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        type TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        score REAL NOT NULL,
        detector TEXT NOT NULL,
        text_sha256 TEXT NOT NULL
    );
    CREATE INDEX findings_event ON findings(event_id, note_id);
    -- A reviewer's decision on a finding ("false_alarm" or "confirmed"); kept
    -- across runs, matched by note, type, offsets and a hash of the matched text.
    CREATE TABLE finding_decisions (
        event_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        type TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        match_sha256 TEXT NOT NULL,
        decision TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (event_id, note_id, type, start, end, match_sha256)
    );
    -- Redacted text beside the original, which is never overwritten.
    CREATE TABLE redactions (
        event_id TEXT NOT NULL,
        note_id TEXT NOT NULL,
        redacted_text TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        PRIMARY KEY (event_id, note_id)
    );
    -- Parsed docs (spaCy DocBin bytes) keyed by text hash and model version.
    CREATE TABLE doc_cache (
        text_sha256 TEXT NOT NULL,
        model_key TEXT NOT NULL,
        docbin BLOB NOT NULL,
        PRIMARY KEY (text_sha256, model_key)
    );
    """,
)


def now_utc() -> str:
    """The current UTC time as an ISO 8601 string (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def resolve_store_dir(store: Path | str | None = None) -> Path:
    """Where the store lives: the argument, else ``PIGAN_STORE``, else ``./pigan-store``."""
    if store is not None:
        return Path(store)
    env = os.environ.get("PIGAN_STORE")
    if env:
        return Path(env)
    return Path.cwd() / DEFAULT_STORE_DIR


@dataclass(frozen=True)
class SourceOutcome:
    """What ingesting one file did to the store."""

    event_id: str
    name: str
    status: str  # "new", "new version", "unchanged"
    version: int
    rows_read: int
    rows_ingested: int
    rows_quarantined: int


class Store:
    """An open pigan store. Use :meth:`open`; close it or use it as a context manager."""

    def __init__(self, directory: Path, connection: sqlite3.Connection) -> None:
        self.directory = directory
        self.connection = connection

    # -- opening ----------------------------------------------------------
    @classmethod
    def open(cls, store: Path | str | None = None, *, create: bool = True) -> Store:
        """Open (and, if ``create``, create or upgrade) the store in a folder.

        Raises
        ------
        StoreError
            When the folder cannot be created, the file is not a pigan store,
            or its schema is newer than this pigan understands.
        """
        directory = resolve_store_dir(store)
        db_path = directory / DB_NAME
        if not db_path.exists():
            if not create:
                raise StoreError(f"{db_path}: no store here (run `pigan ingest` first)")
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{directory}: cannot create the store ({exc.strerror})") from None
        try:
            connection = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"{db_path}: cannot open the store ({exc})") from None
        instance = cls(directory, connection)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            instance._migrate()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StoreError(f"{db_path}: not a pigan store ({exc})") from None
        return instance

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self.directory / DB_NAME

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            self.connection.execute("COMMIT")

    def schema_version(self) -> int:
        """The schema version recorded in the file (0 for a new file)."""
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this pigan "
                f"understands ({SCHEMA_VERSION}); upgrade pigan"
            )
        for version in range(current, SCHEMA_VERSION):
            with self.transaction() as db:
                for statement in _MIGRATIONS[version].split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")
            log.info("store schema upgraded to version %d", version + 1)

    # -- events -------------------------------------------------------------
    def events(self) -> list[Event]:
        """Every event in the store, ordered by id."""
        rows = self.connection.execute(
            "SELECT event_id, review_type, review_ref, held_on, board, title, summary "
            "FROM events ORDER BY event_id"
        ).fetchall()
        return [Event(*row) for row in rows]

    def event(self, event_id: str) -> Event:
        """One event's metadata.

        Raises
        ------
        NotFoundError
            When no such event was ingested.
        """
        row = self.connection.execute(
            "SELECT event_id, review_type, review_ref, held_on, board, title, summary "
            "FROM events WHERE event_id = ?",
            (event_id,),
        ).fetchone()
        if row is None:
            known = ", ".join(e.event_id for e in self.events()) or "none"
            raise NotFoundError(f"no event {event_id!r} in {self.path} (events: {known})")
        return Event(*row)

    def upsert_event(self, db: sqlite3.Connection, event: Event) -> None:
        """Record an event, filling in metadata without erasing what is known."""
        db.execute(
            "INSERT INTO events (event_id, review_type, review_ref, held_on, board, title, "
            "summary, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(event_id) DO UPDATE SET "
            "review_type = coalesce(excluded.review_type, review_type), "
            "review_ref = coalesce(excluded.review_ref, review_ref), "
            "held_on = coalesce(excluded.held_on, held_on), "
            "board = coalesce(excluded.board, board), "
            "title = coalesce(excluded.title, title), "
            "summary = coalesce(excluded.summary, summary), "
            "updated_at = excluded.updated_at",
            (
                event.event_id,
                event.review_type,
                event.review_ref,
                event.held_on,
                event.board,
                event.title,
                event.summary,
                now_utc(),
            ),
        )

    # -- ingestion ----------------------------------------------------------
    def add_source(
        self,
        db: sqlite3.Connection,
        *,
        event_id: str,
        name: str,
        path: str,
        sha256: str,
        rows_read: int,
        notes: Sequence[Note],
        quarantined: Sequence[QuarantinedRow],
    ) -> SourceOutcome:
        """Record one file's rows inside an open transaction.

        The same content as the current version of the file is a no-op. Note
        ids already used by another current source of the event are
        quarantined, never merged.
        """
        current = db.execute(
            "SELECT source_id, sha256, version, rows_read, rows_ingested, rows_quarantined "
            "FROM sources WHERE event_id = ? AND name = ? AND superseded_by IS NULL",
            (event_id, name),
        ).fetchone()
        if current is not None and current[1] == sha256:
            return SourceOutcome(event_id, name, "unchanged", current[2], *current[3:6])
        version = 1 if current is None else current[2] + 1
        taken = {
            row[0]: row[1]
            for row in db.execute(
                "SELECT n.note_id, s.name FROM notes n JOIN sources s USING (source_id) "
                "WHERE n.event_id = ? AND s.superseded_by IS NULL AND s.name != ?",
                (event_id, name),
            )
        }
        kept: list[Note] = []
        held = list(quarantined)
        for note in notes:
            if note.note_id in taken:
                held.append(
                    QuarantinedRow(
                        source=name,
                        row_ref=note.row_ref or "",
                        reason=f"duplicate note id {note.note_id!r} (already in {taken[note.note_id]})",
                        note_id=note.note_id,
                        raw=_note_raw(note),
                    )
                )
            else:
                kept.append(note)
        cursor = db.execute(
            "INSERT INTO sources (event_id, name, path, sha256, version, rows_read, "
            "rows_ingested, rows_quarantined, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, name, path, sha256, version, rows_read, len(kept), len(held), now_utc()),
        )
        source_id = cursor.lastrowid
        if current is not None:
            db.execute("UPDATE sources SET superseded_by = ? WHERE source_id = ?", (source_id, current[0]))
        db.executemany(
            "INSERT INTO notes (event_id, note_id, source_id, row_ref, text, agency, role, "
            "participant, segment, episode_date, text_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    event_id,
                    n.note_id,
                    source_id,
                    n.row_ref or "",
                    n.text,
                    n.agency,
                    n.role,
                    n.participant,
                    n.segment,
                    n.episode_date,
                    text_sha256(n.text),
                )
                for n in kept
            ],
        )
        db.executemany(
            "INSERT INTO quarantine (source_id, row_ref, reason, note_id, raw_json) VALUES (?, ?, ?, ?, ?)",
            [(source_id, q.row_ref, q.reason, q.note_id, json.dumps(q.raw)) for q in held],
        )
        status = "new" if current is None else "new version"
        return SourceOutcome(event_id, name, status, version, rows_read, len(kept), len(held))

    # -- reading ------------------------------------------------------------
    def notes(self, event_id: str) -> list[Note]:
        """The current notes of an event, in file then row order."""
        self.event(event_id)
        rows = self.connection.execute(
            "SELECT n.event_id, n.note_id, n.text, n.agency, n.role, n.participant, n.segment, "
            "n.episode_date, s.name, n.row_ref FROM notes n JOIN sources s USING (source_id) "
            "WHERE n.event_id = ? AND s.superseded_by IS NULL ORDER BY s.name, n.rowid",
            (event_id,),
        ).fetchall()
        return [Note(*row) for row in rows]

    def notes_frame(self, event_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Current notes as a frame (columns :data:`NOTE_FIELDS` plus ``source``, ``row_ref``)."""
        ids = [e.event_id for e in self.events()] if event_ids is None else list(event_ids)
        records = [n.to_dict() for event_id in ids for n in self.notes(event_id)]
        columns = [*NOTE_FIELDS, "source", "row_ref"]
        return pd.DataFrame.from_records(records, columns=columns)

    def quarantined(self, event_id: str) -> list[QuarantinedRow]:
        """Rows of the event's current sources that were quarantined, with file, row and reason."""
        rows = self.connection.execute(
            "SELECT s.name, q.row_ref, q.reason, q.note_id, q.raw_json FROM quarantine q "
            "JOIN sources s USING (source_id) WHERE s.event_id = ? AND s.superseded_by IS NULL "
            "ORDER BY s.name, q.rowid",
            (event_id,),
        ).fetchall()
        return [QuarantinedRow(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def sources(self, event_id: str, *, include_superseded: bool = False) -> list[dict[str, Any]]:
        """The event's source files with their accounts (rows read, ingested, quarantined)."""
        query = (
            "SELECT name, path, sha256, version, rows_read, rows_ingested, rows_quarantined, "
            "ingested_at, superseded_by IS NOT NULL AS superseded FROM sources WHERE event_id = ?"
        )
        if not include_superseded:
            query += " AND superseded_by IS NULL"
        cursor = self.connection.execute(query + " ORDER BY name, version", (event_id,))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def text_sha256(text: str) -> str:
    """The SHA-256 of a text (UTF-8), used to key caches and decisions."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _note_raw(note: Note) -> dict[str, str | None]:
    return {k: v for k, v in note.to_dict().items() if k in NOTE_FIELDS}
