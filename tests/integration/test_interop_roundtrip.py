"""A REFI-QDA round trip with the real tagger and model: pigan's export, coded back unchanged by a person.

A reviewer who opens pigan's project and keeps every one of pigan's codings
as their own must agree with pigan perfectly, on every code, once the file
comes back through `import-coding` and `evaluate --human`.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from spacy.language import Language

from pigan.ingest import ingest_paths
from pigan.interop import evaluate_human, export_qdpx, import_coding, read_gold
from pigan.store import Store

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "sar-adult-d"
REVIEWER = "0b5e7d2c-1a3f-4c6e-9d8b-7a6f5e4d3c2b"


def as_reviewer(export: Path, out: Path) -> Path:
    """pigan's export with every selection and coding claimed by a human user (new coding GUIDs)."""
    archive = zipfile.ZipFile(export)
    qde = archive.read("project.qde").decode("utf-8")
    qde = qde.replace("</Users>", f'<User guid="{REVIEWER}" name="Reviewer"/></Users>')
    qde = re.sub(r'creatingUser="[^"]+"', f'creatingUser="{REVIEWER}"', qde)
    counter = iter(range(1, 1_000_000))
    qde = re.sub(
        r'<Coding guid="[^"]+"',
        lambda _: f'<Coding guid="{next(counter):08d}-0000-4000-8000-000000000000"',
        qde,
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in archive.namelist():
            copy.writestr(name, qde.encode("utf-8") if name == "project.qde" else archive.read(name))
    return out


def test_a_reviewer_keeping_all_of_pigans_coding_agrees_perfectly(tmp_path: Path, nlp: Language) -> None:
    from pigan.tagging import tag_event

    ingest_paths([SAMPLE], store=tmp_path / "store")
    with Store.open(tmp_path / "store") as store:
        event_id = store.events()[0].event_id
        tag_event(store, event_id)
        summary = export_qdpx(store, event_id, tmp_path / "pigan.qdpx")
        assert summary.selections > 50
        human = as_reviewer(tmp_path / "pigan.qdpx", tmp_path / "reviewer.qdpx")
        report = import_coding(human, store, event_id, nlp=nlp)
        assert report.coding.changes == [] and report.coding.unmapped == []
        assert report.coding.pigan_codings == 0 and report.coding.coders == ["Reviewer"]
        assert len(read_gold(report.gold_path)) == summary.codings  # type: ignore[arg-type]
        agreement = evaluate_human(store, event_id, human, nlp=nlp)
    used = {code: c for code, c in agreement.codes.items() if c.support}
    assert len(used) >= 4
    assert all(c.f1 == 1.0 and c.kappa == 1.0 for c in used.values()), agreement.render()
    assert agreement.disagreements == []
