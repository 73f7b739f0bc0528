"""The store keeps every version, never merges or overwrites, and is idempotent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pigan.errors import NotFoundError, StoreError
from pigan.ingest import ingest_paths
from pigan.store import DB_NAME, SCHEMA_VERSION, Store


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in rows), encoding="utf-8")
    return path


def test_new_store_is_at_current_schema_version(store_dir: Path) -> None:
    with Store.open(store_dir) as store:
        assert store.schema_version() == SCHEMA_VERSION
    assert (store_dir / DB_NAME).exists()


def test_reingesting_the_same_file_changes_nothing(tmp_path: Path, store_dir: Path) -> None:
    path = write_csv(tmp_path / "notes.csv", [("A1", "one"), ("A2", "two")])
    first = ingest_paths([path], store=store_dir, event_id="e1")
    second = ingest_paths([path], store=store_dir, event_id="e1")
    assert first.outcomes[0].status == "new"
    assert second.outcomes[0].status == "unchanged"
    with Store.open(store_dir) as store:
        assert len(store.notes("e1")) == 2
        assert len(store.sources("e1", include_superseded=True)) == 1


def test_changed_file_is_a_new_version_and_the_old_one_is_kept(tmp_path: Path, store_dir: Path) -> None:
    path = write_csv(tmp_path / "notes.csv", [("A1", "one"), ("A2", "two")])
    ingest_paths([path], store=store_dir, event_id="e1")
    write_csv(path, [("A1", "one corrected")])
    report = ingest_paths([path], store=store_dir, event_id="e1")
    assert (report.outcomes[0].status, report.outcomes[0].version) == ("new version", 2)
    with Store.open(store_dir) as store:
        assert [n.text for n in store.notes("e1")] == ["one corrected"]
        versions = store.sources("e1", include_superseded=True)
        assert [(v["version"], bool(v["superseded"])) for v in versions] == [(1, True), (2, False)]
        kept = store.connection.execute("SELECT count(*) FROM notes WHERE event_id = 'e1'").fetchone()[0]
        assert kept == 3


def test_note_id_used_by_another_file_is_quarantined_not_merged(tmp_path: Path, store_dir: Path) -> None:
    ingest_paths([write_csv(tmp_path / "a.csv", [("A1", "from a")])], store=store_dir, event_id="e1")
    report = ingest_paths([write_csv(tmp_path / "b.csv", [("A1", "from b")])], store=store_dir, event_id="e1")
    assert (report.rows_read, report.rows_ingested, report.rows_quarantined) == (1, 0, 1)
    with Store.open(store_dir) as store:
        assert [n.text for n in store.notes("e1")] == ["from a"]
        [held] = store.quarantined("e1")
        assert "duplicate note id 'A1' (already in a.csv)" in held.reason


def test_unknown_event_names_the_known_ones(tmp_path: Path, store_dir: Path) -> None:
    ingest_paths([write_csv(tmp_path / "a.csv", [("A1", "x")])], store=store_dir, event_id="e1")
    with Store.open(store_dir) as store, pytest.raises(NotFoundError, match="events: e1"):
        store.notes("nope")


def test_store_from_a_newer_pigan_is_refused(store_dir: Path) -> None:
    store_dir.mkdir()
    with sqlite3.connect(store_dir / DB_NAME) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this pigan"):
        Store.open(store_dir)


def test_a_file_that_is_not_a_store_is_refused(store_dir: Path) -> None:
    store_dir.mkdir()
    (store_dir / DB_NAME).write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a pigan store"):
        Store.open(store_dir)
