"""Screening with the real spaCy model and a real store: names, the gate per policy, reviewer decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from pigan.errors import ConfigError, GateError
from pigan.ingest import ingest_paths
from pigan.models import Note
from pigan.screening import gate, load_findings, mark_finding, report_notes, screen_event, screen_notes
from pigan.store import Store

pytestmark = pytest.mark.slow

NOTES_CSV = """note_id,participant,agency,text
N1,P01,GP,Adult A was seen with her son Callum Brindley by Dr Okafor.
N2,P02,Police,Callum Brindley was arrested; Practitioner 3 from Norfolk Constabulary attended.
N3,P03,Adult Social Care,The Cambridgeshire and Peterborough Safeguarding Adults Board asked for it.
N4,P04,Housing,Child B and Mr D were rehoused after the fire.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kayleigh Doyle moved in with him in March.", "Kayleigh Doyle"),
        ("The worker spoke to Oluwaseun Adeyemi at the door.", "Oluwaseun Adeyemi"),
        ("Her son Callum was not at school.", "Callum"),
    ],
    ids=["ner-full-name", "ner-unlisted-name", "kinship-context"],
)
def test_model_names_are_found(nlp: Language, text: str, expected: str) -> None:
    found = screen_notes([Note("e", "n", text)], nlp=nlp)
    assert ("PERSON", expected) in [(f.type, text[f.start : f.end]) for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "Adult A told Practitioner 3 that Child B was frightened of Mr D.",
        "The Cambridgeshire and Peterborough Safeguarding Adults Board commissioned the review.",
        "The Health Visitor and the Designated Safeguarding Lead shared information.",
        "Info was in six different places. Draft findings were circulated.",
    ],
    ids=["pseudonyms", "board-name", "roles", "sentence-initial-words"],
)
def test_model_raises_no_alarm_on_pseudonyms_roles_and_agencies(nlp: Language, text: str) -> None:
    assert screen_notes([Note("e", "n", text)], nlp=nlp) == []


def test_screening_does_not_change_the_shared_pipeline(nlp: Language) -> None:
    before = list(nlp.pipe_names)
    screen_notes([Note("e", "n", "Mrs Hollis called.")], nlp=nlp)
    assert nlp.pipe_names == before and "pigan_pii" not in nlp.pipe_names


@pytest.fixture
def event_store(tmp_path: Path) -> Store:
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "notes.csv").write_text(NOTES_CSV)
    (folder / "event.yaml").write_text("event_id: ev-1\nreview_type: SAR\n")
    (folder / "deny_list.yaml").write_text("names:\n- Brindley\nplaces: []\n")
    store = Store.open(tmp_path / "store")
    ingest_paths([folder], store=store)
    return store


def test_event_findings_are_stored_and_redaction_is_consistent(event_store: Store, nlp: Language) -> None:
    found = screen_event(event_store, "ev-1", nlp=nlp)
    assert {(f.note_id, f.type) for f in found} == {("N1", "PERSON"), ("N2", "PERSON")}
    notes = {n.note_id: n for n in report_notes(event_store, "ev-1", "redact")}
    assert notes["N1"].text == "Adult A was seen with her son [PERSON 1] by [PERSON 2]."
    assert notes["N2"].text.startswith("[PERSON 1] was arrested; Practitioner 3")
    original = {n.note_id: n.text for n in event_store.notes("ev-1")}
    assert "Callum Brindley" in original["N1"]


def test_gate_per_policy(event_store: Store, nlp: Language) -> None:
    screen_event(event_store, "ev-1", nlp=nlp)
    blocked = gate(event_store, "ev-1", "block", audience="board")
    assert not blocked.allowed
    assert ("N1", "PERSON") in blocked.unresolved and "N1 PERSON" in blocked.message
    assert "Callum" not in blocked.message
    with pytest.raises(GateError):
        report_notes(event_store, "ev-1", "block", audience="board")
    assert gate(event_store, "ev-1", "redact", audience="board").allowed
    warned = gate(event_store, "ev-1", "warn")
    assert warned.allowed and "WARNING" in warned.message
    assert "Callum Brindley" in report_notes(event_store, "ev-1", "warn")[0].text
    with pytest.raises(ConfigError, match="reviewer outputs only"):
        gate(event_store, "ev-1", "warn", audience="board")


def test_false_alarm_decision_is_respected_on_the_next_run(event_store: Store, nlp: Language) -> None:
    found = screen_event(event_store, "ev-1", nlp=nlp)
    doctor = next(f for f in found if f.note_id == "N1" and f.start > 40)
    mark_finding(event_store, "ev-1", "N1", "PERSON", doctor.start)
    again = screen_event(event_store, "ev-1", nlp=nlp)
    decisions = {(f.note_id, f.start): f.decision for f in again}
    assert decisions[("N1", doctor.start)] == "false_alarm"
    open_now = load_findings(event_store, "ev-1", include_false_alarms=False)
    assert ("N1", doctor.start) not in {(f.note_id, f.start) for f in open_now}
    redacted = {n.note_id: n.text for n in report_notes(event_store, "ev-1", "redact")}
    assert redacted["N1"].endswith("by Dr Okafor.")
    # Resolving the rest opens the block gate.
    for f in open_now:
        mark_finding(event_store, "ev-1", f.note_id, f.type, f.start)
    assert gate(event_store, "ev-1", "block", audience="board").allowed
