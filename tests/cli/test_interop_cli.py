"""`pigan export --format qdc|qdpx|taguette`, `import-coding` and `evaluate --human`, as a user runs them.

The event is the REFI fixture (tests/fixtures/refi/): its notes are ingested
with `pigan ingest`; pigan's tags are the hand-fixed ones in
pigan_tags.jsonl (written into the store as the tagger writes them) so the
agreement figures are known; the human coding is the hand-written reviewer
project. Sentences come from the real spaCy model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pigan.interop import schema_path
from tests.conftest import CliResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "refi"
EVENT = "refi-test"

Run = Callable[..., CliResult]


def validate(document: bytes, schema: str) -> None:
    xsd = etree.XMLSchema(etree.parse(str(schema_path(schema))))
    assert xsd.validate(etree.fromstring(document)), str(xsd.error_log)


def store_digest(store: Path) -> str:
    with sqlite3.connect(store / "pigan.sqlite") as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture
def tagged_store(tmp_path: Path, run_pigan: Run) -> Path:
    """A store with the fixture event ingested by `pigan ingest` and pigan's fixed tags."""
    store = tmp_path / "store"
    done = run_pigan("ingest", FIXTURES / "notes.csv", "--event", EVENT, "--store", store)
    assert done.code == 0, done.stderr
    with sqlite3.connect(store / "pigan.sqlite") as conn:
        for line in (FIXTURES / "pigan_tags.jsonl").read_text(encoding="utf-8").splitlines():
            tag = json.loads(line)
            note_id = tag.pop("note_id")
            conn.execute(
                "INSERT INTO tags (event_id, note_id, kind, code, start, end, rule, score, payload_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (EVENT, note_id, tag["kind"], tag["code"], tag["start"], tag["end"], tag["rule"],
                 tag["score"], json.dumps(tag)),
            )  # fmt: skip
    return store


@pytest.fixture
def reviewer_qdpx(tmp_path: Path) -> Path:
    out = tmp_path / "reviewer.qdpx"
    folder = FIXTURES / "reviewer_project"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out


def test_export_qdc_prints_a_valid_codebook(run_pigan: Run, tagged_store: Path) -> None:
    done = run_pigan("export", "--event", EVENT, "--format", "qdc", "--store", tagged_store)
    assert done.code == 0, done.stderr
    validate(done.stdout.encode("utf-8"), "Codebook.xsd")
    assert 'name="Workload and caseloads"' in done.stdout


def test_export_taguette_writes_the_codebook_csv(tmp_path: Path, run_pigan: Run, tagged_store: Path) -> None:
    out = tmp_path / "codebook.csv"
    args = ("export", "--event", EVENT, "--format", "taguette", "--out", out, "--store", tagged_store)
    done = run_pigan(*args)
    assert done.code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["tag", "description"]
    assert "context.workload" in {r["tag"] for r in rows}


def test_export_qdpx_writes_a_valid_project_whose_selections_are_the_evidence(
    tmp_path: Path, run_pigan: Run, tagged_store: Path
) -> None:
    out = tmp_path / "event.qdpx"
    args = ("export", "--event", EVENT, "--format", "qdpx", "--out", out, "--store", tagged_store)
    done = run_pigan(*args)
    assert done.code == 0, done.stderr
    assert "4 sources (one per note), 8 selections, 8 codings" in done.stderr
    archive = zipfile.ZipFile(out)
    qde = archive.read("project.qde")
    validate(qde, "Project.xsd")
    root = etree.fromstring(qde)
    ns = "{urn:QDA-XML:project:1.0}"
    evidence = set()
    for source in root.iter(f"{ns}TextSource"):
        text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode()
        for sel in source.iter(f"{ns}PlainTextSelection"):
            evidence.add(text[int(sel.get("startPosition")) : int(sel.get("endPosition"))])
    assert evidence == {
        "vacancies", "not shared", "caseload", "no time to", "went well", "shared the log",
        "should review", "would help",
    }  # fmt: skip


def test_import_coding_writes_the_gold_set_and_the_adopted_codebook(
    tmp_path: Path, run_pigan: Run, tagged_store: Path, reviewer_qdpx: Path
) -> None:
    out = tmp_path / "adopted.yaml"
    done = run_pigan(
        "import-coding", reviewer_qdpx, "--event", EVENT, "--store", tagged_store,
        "--codebook", FIXTURES / "codebook.yaml", "--codebook-out", out,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert "gold set: 7 codings on 4 notes by Reviewer A" in done.stdout
    assert "left out 2 codings made by pigan itself" in done.stdout
    assert "not mapped: 2 codings" in done.stdout
    assert "merged    context.staffing: into context.workload" in done.stdout
    assert "renamed   context.workload: 'Workload and caseloads' -> 'Workload'" in done.stdout
    gold = (tagged_store / "gold" / f"{EVENT}.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(gold) == 7
    assert "label: Workload\n" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plain.qdpx", b"not a zip at all", "not a zip archive"),
        ("entity.qdc", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hosts">]><x>&e;</x>',
         "declares a DTD or entities"),
    ],
    ids=["not-a-zip", "external-entity"],
)  # fmt: skip
def test_import_coding_refuses_a_bad_file_with_exit_2_and_changes_nothing(
    tmp_path: Path, run_pigan: Run, tagged_store: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = store_digest(tagged_store)
    out = tmp_path / "adopted.yaml"
    done = run_pigan("import-coding", path, "--event", EVENT, "--store", tagged_store, "--codebook-out", out)
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() and not (tagged_store / "gold").exists()
    assert store_digest(tagged_store) == before


def test_export_qdpx_of_an_unknown_event_exits_2_and_writes_nothing(
    tmp_path: Path, run_pigan: Run, tagged_store: Path
) -> None:
    out = tmp_path / "nope.qdpx"
    done = run_pigan(
        "export", "--event", "no-such-event", "--format", "qdpx", "--out", out, "--store", tagged_store
    )
    assert done.code == 2
    assert "no event 'no-such-event'" in done.stderr and done.stderr.count("\n") == 1
    assert not out.exists()


def test_evaluate_human_prints_the_hand_computed_agreement(
    run_pigan: Run, tagged_store: Path, reviewer_qdpx: Path
) -> None:
    done = run_pigan(
        "evaluate", "--human", reviewer_qdpx, "--event", EVENT, "--store", tagged_store,
        "--codebook", FIXTURES / "codebook.yaml", "--json",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["n"] == 10
    figures = {
        code: (t["precision"], t["recall"], t["f1"], t["kappa"]) for code, t in report["labels"].items()
    }
    assert figures == {
        "context": (1.0, 0.75, 0.8571, 0.7826),
        "decision_influence": (0.5, 1.0, 0.6667, 0.6154),
        "good_practice": (1.0, 1.0, 1.0, 1.0),
        "recommendation": (0.5, 0.5, 0.5, 0.375),
    }
    assert (report["macro_f1"], report["micro_f1"]) == (0.756, 0.75)
    assert [(d["note_id"], d["sentence"]) for d in report["disagreements"]] == [
        ("n04", 2), ("n03", 2), ("n02", 3), ("n04", 3),
    ]  # fmt: skip


def test_evaluate_human_table_names_notes_but_never_quotes_them(
    run_pigan: Run, tagged_store: Path, reviewer_qdpx: Path
) -> None:
    done = run_pigan(
        "evaluate", "--human", reviewer_qdpx, "--event", EVENT, "--store", tagged_store,
        "--codebook", FIXTURES / "codebook.yaml",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert "context" in done.stdout and "0.78" in done.stdout
    assert "n04 s2 [40:71]" in done.stdout
    assert "caseload was" not in done.stdout and "Officers" not in done.stdout
