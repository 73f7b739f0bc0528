"""`pigan ingest` and `pigan export` as a user runs them: accounts, clean errors, an untouched store."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import CliResult

SECRET = "Zebulon Quartermaine"  # a name that must never appear in an error message


def dump_store(store_dir: Path) -> str | None:
    """The store's whole content, or None when there is no store."""
    db = store_dir / "pigan.sqlite"
    if not db.exists():
        return None
    with sqlite3.connect(db) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def valid_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "text"])
    sheet.append(["A1", "a note"])
    book.save(path)
    return path


def bomb(path: Path, member: str) -> Path:
    """A small Office file that unpacks to tens of megabytes (a zip bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, b"\0" * (40 * 1024 * 1024))
    return path


def corrupt(path: Path, make: Callable[[Path], Path]) -> Path:
    data = make(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("[GP] a note")
    document.save(path)
    return path


BAD_INPUTS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty", lambda d: _w(d / "empty.csv", b""), "empty.csv: file is empty"),
    ("whitespace-only", lambda d: _w(d / "blank.txt", b"\n \n\t\n"), "blank.txt: file is empty"),
    ("header-only", lambda d: _w(d / "head.csv", b"id,text\n"), "head.csv: no notes"),
    (
        "missing-text-column",
        lambda d: _w(d / "cols.csv", b"id,agency\nA1,GP\n"),
        "cols.csv:1: missing required column",
    ),
    (
        "binary-junk-as-csv",
        lambda d: _w(d / "junk.csv", bytes(range(256)) * 20),
        "junk.csv:1: binary content",
    ),
    (
        "not-utf8-nor-cp1252",
        lambda d: _w(d / "enc.csv", b"id,text\nA1,caf\x81\x8d\n"),
        "enc.csv:2: not UTF-8 or Windows-1252",
    ),
    ("corrupt-xlsx", lambda d: corrupt(d / "c.xlsx", valid_xlsx), "c.xlsx: not a valid Excel"),
    ("text-named-xlsx", lambda d: _w(d / "t.xlsx", b"id,text\nA1,x\n"), "t.xlsx: not a valid Excel"),
    ("zip-bomb-xlsx", lambda d: bomb(d / "b.xlsx", "xl/worksheets/sheet1.xml"), "b.xlsx: refused"),
    ("corrupt-docx", lambda d: corrupt(d / "c.docx", make_docx), "c.docx: not a valid Word"),
    ("zip-bomb-docx", lambda d: bomb(d / "b.docx", "word/document.xml"), "b.docx: refused"),
    (
        "one-megabyte-note",
        lambda d: _w(d / "big.csv", b"id,text\nA1," + SECRET.encode() * 60000 + b"\n"),
        "big.csv: line 2: note is",
    ),
    ("unknown-extension", lambda d: _w(d / "notes.pdf", b"%PDF-1.4"), "notes.pdf: unsupported file type"),
    ("old-excel", lambda d: _w(d / "notes.xls", b"\xd0\xcf\x11\xe0"), "save it as .xlsx"),
    ("missing-path", lambda d: d / "nowhere.csv", "nowhere.csv: no such file"),
    ("directory-named-csv", lambda d: _mkdir(d / "folder.csv"), "folder.csv"),
    ("folder-without-notes", lambda d: _mkdir(d / "event"), "event: folder holds no notes files"),
    (
        "bad-event-yaml",
        lambda d: _event_with_yaml(d, "held_on: [\n"),
        "event.yaml: cannot read event metadata",
    ),
    (
        "event-yaml-without-id",
        lambda d: _event_with_yaml(d, "review_type: SAR\n"),
        "key 'event_id' is missing",
    ),
]


def _w(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _event_with_yaml(directory: Path, text: str) -> Path:
    folder = _mkdir(directory / "ev")
    (folder / "event.yaml").write_text(text, encoding="utf-8")
    (folder / "notes.csv").write_text("id,text\nA1,x\n", encoding="utf-8")
    return folder


@pytest.fixture
def existing_store(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> Path:
    """A store that already holds one event, to check it is left exactly as it was."""
    good = tmp_path / "good.csv"
    good.write_text("id,text\nG1,already here\n", encoding="utf-8")
    store = tmp_path / "store"
    assert run_pigan("ingest", "--store", store, "--event", "e0", good).code == 0
    return store


@pytest.mark.parametrize(("make", "message"), [pytest.param(m, msg, id=i) for i, m, msg in BAD_INPUTS])
@pytest.mark.parametrize("store_exists", [False, True], ids=["no-store", "existing-store"])
def test_bad_input_exits_2_with_one_line_and_leaves_store_unchanged(
    tmp_path: Path,
    run_pigan: Callable[..., CliResult],
    make: Callable[[Path], Path],
    message: str,
    store_exists: bool,
    request: pytest.FixtureRequest,
) -> None:
    store = request.getfixturevalue("existing_store") if store_exists else tmp_path / "store"
    before = dump_store(store)
    good = tmp_path / "fine.csv"
    good.write_text("id,text\nF1,fine\n", encoding="utf-8")
    result = run_pigan("ingest", "--store", store, "--event", "e1", good, make(tmp_path))
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert dump_store(store) == before


def test_ingest_prints_the_account_and_lists_quarantined_rows(
    tmp_path: Path, run_pigan: Callable[..., CliResult]
) -> None:
    path = tmp_path / "n.csv"
    path.write_text(f"id,text\nA1,ok\nA2,\nA1,{SECRET}\n", encoding="utf-8")
    result = run_pigan("ingest", "--event", "e1", path)
    assert result.code == 0
    total = next(line for line in result.stdout.splitlines() if line.startswith("total")).split()
    assert total[-3:] == ["3", "1", "2"]
    assert "n.csv line 3 note A2: missing note text" in result.stdout
    assert "n.csv line 4 note A1: duplicate note id 'A1'" in result.stdout
    assert SECRET not in result.stdout


def test_store_defaults_to_the_working_folder_and_honours_pigan_store(
    tmp_path: Path, run_pigan: Callable[..., CliResult]
) -> None:
    (tmp_path / "n.csv").write_text("id,text\nA1,x\n", encoding="utf-8")
    assert run_pigan("ingest", "--event", "e1", "n.csv").code == 0
    assert (tmp_path / "pigan-store" / "pigan.sqlite").exists()


def test_export_csv_is_safe_to_open_in_excel(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> None:
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "plain"]
    rows = "".join(f'A{i},"{t.replace(chr(34), chr(34) * 2)}"\n' for i, t in enumerate(hostile))
    (tmp_path / "n.csv").write_text("id,text\n" + rows, encoding="utf-8")
    assert run_pigan("ingest", "--event", "e1", "n.csv").code == 0
    out = run_pigan("export", "--event", "e1", "--format", "csv")
    assert out.code == 0
    texts = [r["text"] for r in csv.DictReader(io.StringIO(out.stdout))]
    assert texts == ["'" + t for t in hostile[:4]] + ["plain"]


def test_export_jsonl_round_trips_every_field(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> None:
    (tmp_path / "n.csv").write_text(
        "id,agency,participant,text\nA1,GP,007,caf\u00e9\nA2,,,NA\n", encoding="utf-8"
    )
    assert run_pigan("ingest", "--event", "e1", "n.csv").code == 0
    out = run_pigan("export", "--event", "e1", "--format", "jsonl", "--out", "x.jsonl")
    assert out.code == 0
    records = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["note_id"], r["agency"], r["participant"], r["text"]) for r in records] == [
        ("A1", "GP", "007", "caf\u00e9"),
        ("A2", None, None, "NA"),
    ]


def test_export_unknown_event_is_a_clear_error(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> None:
    (tmp_path / "n.csv").write_text("id,text\nA1,x\n", encoding="utf-8")
    run_pigan("ingest", "--event", "e1", "n.csv")
    out = run_pigan("export", "--event", "e2", "--format", "csv")
    assert out.code == 2
    assert "no event 'e2'" in out.stderr


def test_export_warns_when_the_event_was_never_screened(
    tmp_path: Path, run_pigan: Callable[..., CliResult]
) -> None:
    (tmp_path / "n.csv").write_text("id,text\nA1,x\n", encoding="utf-8")
    run_pigan("ingest", "--event", "e1", "n.csv")
    out = run_pigan("export", "--event", "e1", "--format", "jsonl")
    assert out.code == 0
    assert "e1 has not been screened for personal data" in out.stderr
