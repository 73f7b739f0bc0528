"""The sample events read as a reviewer would expect, and every row is accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pigan.ingest import ingest_paths, read_notes
from pigan.store import Store
from tests.conftest import CSPR_EVENT, SAMPLE, SAR_EVENT

PLANTED = yaml.safe_load((SAMPLE / "planted.yaml").read_text(encoding="utf-8"))


def test_ingesting_both_events_accounts_for_every_row(store_dir: Path) -> None:
    report = ingest_paths([SAR_EVENT, CSPR_EVENT], store=store_dir)
    for outcome in report.outcomes:
        assert outcome.rows_read == outcome.rows_ingested + outcome.rows_quarantined, outcome.name
    with Store.open(store_dir) as store:
        for event_id in ("sar-adult-d", "cspr-infant-f"):
            stored = len(store.notes(event_id)) + len(store.quarantined(event_id))
            read = sum(o.rows_read for o in report.outcomes if o.event_id == event_id)
            assert stored == read
        assert {e.event_id: e.review_type for e in store.events()} == {
            "cspr-infant-f": "CSPR",
            "sar-adult-d": "SAR",
        }
    by_name = {o.name: o for o in report.outcomes}
    assert sorted(by_name) == sorted(
        [
            "notes.csv",
            "recall_session.md",
            "breakout_notes.xlsx",
            "facilitator_notes.docx",
            "late_contributions.jsonl",
        ]
    )
    assert all(o.rows_read >= 10 for o in report.outcomes)


def test_each_event_has_at_least_150_notes_from_8_agencies(store_dir: Path) -> None:
    ingest_paths([SAR_EVENT, CSPR_EVENT], store=store_dir)
    with Store.open(store_dir) as store:
        for event_id in ("sar-adult-d", "cspr-infant-f"):
            notes = store.notes(event_id)
            assert len(notes) >= 150
            assert len({n.agency for n in notes if n.agency}) >= 8


def test_planted_spreadsheet_problems_are_quarantined_with_row_and_reason(store_dir: Path) -> None:
    ingest_paths([CSPR_EVENT], store=store_dir)
    with Store.open(store_dir) as store:
        held = store.quarantined("cspr-infant-f")
    assert [(q.source, q.note_id, q.reason.split(" (")[0]) for q in held] == [
        ("breakout_notes.xlsx", "F-119", "missing note text"),
        ("breakout_notes.xlsx", "F-001", "duplicate note id 'F-001'"),
    ]
    assert all("row" in q.row_ref for q in held)


def test_reingesting_the_sample_changes_nothing(store_dir: Path) -> None:
    ingest_paths([SAR_EVENT, CSPR_EVENT], store=store_dir)
    again = ingest_paths([SAR_EVENT, CSPR_EVENT], store=store_dir)
    assert {o.status for o in again.outcomes} == {"unchanged"}


def test_csv_reader_on_the_sar_notes() -> None:
    result = read_notes(SAR_EVENT / "notes.csv")
    first = result.notes[0]
    assert first.note_id == "D-001"
    assert first.agency and first.participant and first.segment
    assert any(n.episode_date for n in result.notes)
    assert result.quarantined == []


def test_markdown_reader_takes_agency_prefixes_and_heading_segments() -> None:
    notes = read_notes(SAR_EVENT / "recall_session.md").notes
    assert all(n.agency for n in notes)
    assert all(n.segment and n.segment != "Recall event" for n in notes)
    assert not any(n.text.startswith(("[", f"{n.agency}:")) for n in notes)


def test_xlsx_reader_keeps_na_as_text() -> None:
    notes = read_notes(CSPR_EVENT / "breakout_notes.xlsx").notes
    assert any(n.role == "NA" for n in notes)
    assert all(n.note_id.startswith("F-") for n in notes)


def test_docx_reader_reads_paragraphs_and_the_recommendations_table() -> None:
    notes = read_notes(CSPR_EVENT / "facilitator_notes.docx").notes
    from_table = [n for n in notes if n.row_ref and n.row_ref.startswith("table")]
    assert len(from_table) >= 8
    assert all(n.segment for n in notes)
    assert all(n.agency for n in notes)


@pytest.mark.parametrize(
    "entry", PLANTED["cspr-infant-f"]["blame"], ids=lambda e: e.get("id") or e["match"][:20]
)
def test_planted_docx_and_md_notes_are_found_by_their_text(entry: dict[str, str]) -> None:
    notes = read_notes(CSPR_EVENT / entry["file"]).notes
    if "id" in entry:
        assert any(n.note_id == entry["id"] for n in notes)
    else:
        assert sum(n.text.startswith(entry["match"]) for n in notes) == 1


def test_jsonl_reader_uses_the_id_field() -> None:
    notes = read_notes(CSPR_EVENT / "late_contributions.jsonl").notes
    assert [n.note_id for n in notes][:2] == ["F-L01", "F-L02"]
