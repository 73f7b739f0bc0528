"""REFI-QDA exchange: codebook and project export, safe import, human gold sets, agreement.

Unit tests: a blank spaCy pipeline with a sentencizer stands in for the model's
sentence boundaries (the fixture notes are split the same way by both; the
CLI tests use the real model). The fixture event, pigan's tags for it and a
hand-written project "from another tool" are in tests/fixtures/refi/ (see its
README for the hand-computed agreement figures asserted here).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import spacy
import yaml
from lxml import etree
from spacy.language import Language

from pigan.errors import InputError
from pigan.interop import (
    PIGAN_USER_GUID,
    code_guid,
    evaluate_human,
    export_qdc,
    export_qdpx,
    export_taguette_csv,
    gold_path,
    import_coding,
    read_gold,
    read_refi,
    schema_path,
)
from pigan.interop.alignment import NewlineText, NoteIndex, layout_source, locate
from pigan.interop.refi_read import RefiSource
from pigan.models import Event, Note
from pigan.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "refi"
CODEBOOK = FIXTURES / "codebook.yaml"
EVENT = "refi-test"
QDA = "{urn:QDA-XML:project:1.0}"
QDC = "{urn:QDA-XML:codebook:1.0}"


# -- helpers ------------------------------------------------------------------------


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path(name))))


def assert_valid(document: bytes, schema: str) -> etree._Element:
    root = etree.fromstring(document)
    xsd = _schema(schema)
    assert xsd.validate(root), str(xsd.error_log)
    return root


@pytest.fixture(scope="module")
def sentencizer() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def fixture_notes() -> list[Note]:
    with (FIXTURES / "notes.csv").open(encoding="utf-8", newline="") as handle:
        return [
            Note(EVENT, row["note_id"], row["text"], agency=row["agency"], segment=row["segment"])
            for row in csv.DictReader(handle)
        ]


def fixture_tags() -> list[dict[str, Any]]:
    lines = (FIXTURES / "pigan_tags.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def open_store(tmp_path: Path, notes: Sequence[Note], tags: Sequence[dict[str, Any]]) -> Store:
    """A store holding one event's notes and pigan's tags as the tagger stores them."""
    store = Store.open(tmp_path / "store")
    event_id = notes[0].event_id
    with store.transaction() as db:
        store.upsert_event(db, Event(event_id, review_type="SAR"))
        store.add_source(
            db, event_id=event_id, name="notes.csv", path="notes.csv", sha256="0" * 64,
            rows_read=len(notes), notes=notes, quarantined=[],
        )  # fmt: skip
        for tag in tags:
            payload = {k: v for k, v in tag.items() if k != "note_id"}
            db.execute(
                "INSERT INTO tags (event_id, note_id, kind, code, start, end, rule, score, payload_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, tag["note_id"], payload["kind"], payload["code"], payload["start"],
                 payload["end"], payload["rule"], payload["score"], json.dumps(payload)),
            )  # fmt: skip
    return store


@pytest.fixture
def event_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path, fixture_notes(), fixture_tags())
    yield store
    store.close()


def zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out


@pytest.fixture
def reviewer_qdpx(tmp_path: Path) -> Path:
    return zip_folder(FIXTURES / "reviewer_project", tmp_path / "reviewer.qdpx")


def tag(note: Note, evidence: str, code: str, **extra: Any) -> dict[str, Any]:
    start = note.text.index(evidence)
    return {
        "note_id": note.note_id, "kind": extra.pop("kind", "theme"), "code": code,
        "top_code": code.split(".")[0], "start": start, "end": start + len(evidence),
        "sentence_start": 0, "sentence_end": len(note.text), "rule": extra.pop("rule", "cue:test"),
        "score": extra.pop("score", 0.8), "negated": False, "hypothetical": False, **extra,
    }  # fmt: skip


def project_of(path: Path) -> tuple[etree._Element, zipfile.ZipFile]:
    archive = zipfile.ZipFile(path)
    return assert_valid(archive.read("project.qde"), "Project.xsd"), archive


# -- codebook export (.qdc) ---------------------------------------------------------------


@pytest.mark.parametrize("codebook", [CODEBOOK, None], ids=["fixture-codebook", "packaged-codebook"])
def test_qdc_is_valid_against_the_codebook_schema(codebook: Path | None) -> None:
    root = assert_valid(export_qdc(codebook), "Codebook.xsd")
    assert root.tag == f"{QDC}CodeBook"
    assert root.find(f"{QDC}Sets") is None, "no empty <Sets/>"


def test_qdc_has_two_levels_with_topic_categories_not_codable() -> None:
    root = assert_valid(export_qdc(CODEBOOK), "Codebook.xsd")
    tops = {c.get("name"): c for c in root.find(f"{QDC}Codes").findall(f"{QDC}Code")}
    assert list(tops) == [
        "Context", "Influences on decisions", "Good practice", "Recommendations", "Flags (pigan)",
    ]  # fmt: skip
    assert tops["Context"].get("isCodable") == "false"
    assert tops["Good practice"].get("isCodable") == "true", "a code without topics is applied directly"
    topics = [c.get("name") for c in tops["Context"].findall(f"{QDC}Code")]
    assert topics == ["Workload and caseloads", "Staffing and turnover"]
    assert all(t.findall(f"{QDC}Code") == [] for t in tops["Context"].findall(f"{QDC}Code"))


def test_qdc_colours_are_rrggbb_and_descriptions_carry_definitions() -> None:
    root = assert_valid(export_qdc(CODEBOOK), "Codebook.xsd")
    codes = list(root.iter(f"{QDC}Code"))
    assert {c.get("color") for c in codes} >= {"#E69F00", "#56B4E9", "#009E73"}
    assert all(len(c.get("color")) == 7 for c in codes)
    workload = next(c for c in codes if c.get("name") == "Workload and caseloads")
    assert workload.findtext(f"{QDC}Description").startswith("Caseloads, stretched teams")


def test_qdc_guids_are_uuid5_of_code_ids_and_stable_when_the_codebook_changes(tmp_path: Path) -> None:
    first = assert_valid(export_qdc(CODEBOOK), "Codebook.xsd")
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    data["codes"]["context"]["label"] = "Working conditions"
    data["codes"]["context"]["topics"]["housing"] = {
        "label": "Housing",
        "definition": "d",
        "cues": ["housing"],
    }
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data), encoding="utf-8")
    second = assert_valid(export_qdc(changed), "Codebook.xsd")
    before = {c.get("guid") for c in first.iter(f"{QDC}Code")}
    after = {c.get("name"): c.get("guid") for c in second.iter(f"{QDC}Code")}
    assert after["Working conditions"] == code_guid("context") in before
    assert after["Workload and caseloads"] == code_guid("context.workload") in before
    assert after["Housing"] not in before
    assert len(before) == len({*before}) == 11
    assert uuid.UUID(code_guid("context")).version == 5
    assert export_qdc(CODEBOOK) == export_qdc(CODEBOOK), "two exports of one codebook are identical"


# -- Taguette --------------------------------------------------------------------------------


def test_taguette_csv_has_tag_and_description_columns_one_row_per_code() -> None:
    rows = list(csv.DictReader(io.StringIO(export_taguette_csv(CODEBOOK))))
    assert list(rows[0]) == ["tag", "description"]
    tags = [r["tag"] for r in rows]
    assert tags[:3] == ["context", "context.workload", "context.staffing"]
    assert "blame" in tags
    workload = rows[1]["description"]
    assert workload.startswith("Workload and caseloads: Caseloads")


def test_taguette_csv_neutralises_formula_like_cells(tmp_path: Path) -> None:
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    data["codes"]["good_practice"]["label"] = "=HYPERLINK(1)"
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(export_taguette_csv(path))))
    assert next(r for r in rows if r["tag"] == "good_practice")["description"].startswith("'=HYPERLINK")


# -- project export (.qdpx) -----------------------------------------------------------------

TRICKY_NOTES = [
    Note("ev", "crlf", "Line one about caseload.\r\nLine two: the référral wasn’t shared.\r\nEnd.",
         agency="Health visiting", segment="first-hand accounts"),
    Note("ev", "astral", "Café 🙂 staff said the drop-in – closed; caseload rose.", agency="Police",
         segment="context"),
    Note("ev", "plain", "Good joint visit with the GP.", agency="GP"),
]  # fmt: skip
TRICKY_EVIDENCE = [
    ("crlf", "caseload", "context.workload"),
    ("crlf", "the référral wasn’t shared", "decision_influence.information_sharing"),
    ("crlf", "wasn’t shared.\r\nEnd", "decision_influence"),
    ("astral", "caseload", "context.workload"),
    ("astral", "🙂 staff", "context.staffing"),
    ("plain", "Good joint visit", "good_practice"),
]


@pytest.fixture
def tricky_qdpx(tmp_path: Path) -> Path:
    notes = {n.note_id: n for n in TRICKY_NOTES}
    tags = [tag(notes[n], evidence, code) for n, evidence, code in TRICKY_EVIDENCE]
    with open_store(tmp_path, TRICKY_NOTES, tags) as store:
        export_qdpx(store, "ev", tmp_path / "out.qdpx", codebook=CODEBOOK)
    return tmp_path / "out.qdpx"


def test_qdpx_project_is_valid_against_the_project_schema(tricky_qdpx: Path) -> None:
    root, _ = project_of(tricky_qdpx)
    assert root.tag == f"{QDA}Project"


def test_qdpx_holds_project_qde_and_one_utf8_source_per_note_in_lowercase_sources(tricky_qdpx: Path) -> None:
    root, archive = project_of(tricky_qdpx)
    names = archive.namelist()
    assert names[0] == "project.qde"
    assert all(n == "project.qde" or n.startswith("sources/") for n in names)
    sources = root.find(f"{QDA}Sources").findall(f"{QDA}TextSource")
    assert [s.get("name") for s in sources] == ["crlf", "astral", "plain"]
    for source, note in zip(sources, TRICKY_NOTES, strict=True):
        member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
        data = archive.read(member)
        assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
        assert data == note.text.encode("utf-8"), "the note text byte for byte, CRLF kept"


def test_qdpx_every_selection_slices_back_to_its_evidence(tricky_qdpx: Path) -> None:
    root, archive = project_of(tricky_qdpx)
    found = []
    for source in root.iter(f"{QDA}TextSource"):
        text = archive.read("sources/" + source.get("plainTextPath")[len("internal://") :]).decode("utf-8")
        for selection in source.findall(f"{QDA}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            found.append((source.get("name"), text[start:end]))
    assert sorted(found) == sorted((n, evidence) for n, evidence, _ in TRICKY_EVIDENCE)


def test_qdpx_codings_point_at_their_codes_and_descriptions_name_rule_and_score(tricky_qdpx: Path) -> None:
    root, _ = project_of(tricky_qdpx)
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{QDA}Code")}
    selection = next(
        s for s in root.iter(f"{QDA}PlainTextSelection") if s.get("startPosition") == "15"
    )  # "caseload" in note crlf
    refs = [c.find(f"{QDA}CodeRef").get("targetGUID") for c in selection.findall(f"{QDA}Coding")]
    assert [codes[r] for r in refs] == ["Workload and caseloads"]
    assert selection.findtext(f"{QDA}Description") == "pigan context.workload: cue:test, score 0.80"
    assert selection.get("creatingUser") == PIGAN_USER_GUID


def test_qdpx_top_level_code_is_codable_only_when_tagged_directly(tricky_qdpx: Path) -> None:
    root, _ = project_of(tricky_qdpx)
    tops = {c.get("name"): c.get("isCodable") for c in root.find(f"{QDA}CodeBook/{QDA}Codes")}
    assert tops["Influences on decisions"] == "true", "tagged directly (a textcat tag)"
    assert tops["Context"] == "false"


def test_qdpx_names_pigan_and_its_version_as_the_coder(tricky_qdpx: Path) -> None:
    from pigan import __version__

    root, _ = project_of(tricky_qdpx)
    users = root.find(f"{QDA}Users").findall(f"{QDA}User")
    assert [(u.get("guid"), u.get("name")) for u in users] == [(PIGAN_USER_GUID, f"pigan {__version__}")]
    assert root.get("origin").startswith(f"pigan {__version__}")


def test_qdpx_variables_and_cases_carry_agency_and_segment(tricky_qdpx: Path) -> None:
    root, _ = project_of(tricky_qdpx)
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{QDA}Variable")}
    assert set(variables.values()) == {"agency", "segment"}
    astral = next(s for s in root.iter(f"{QDA}TextSource") if s.get("name") == "astral")
    values = {
        variables[v.find(f"{QDA}VariableRef").get("targetGUID")]: v.findtext(f"{QDA}TextValue")
        for v in astral.findall(f"{QDA}VariableValue")
    }
    assert values == {"agency": "Police", "segment": "context"}
    cases = {c.get("name"): c for c in root.iter(f"{QDA}Case")}
    assert set(cases) == {
        "agency: Health visiting", "agency: Police", "agency: GP",
        "segment: first-hand accounts", "segment: context",
    }  # fmt: skip
    members = [r.get("targetGUID") for r in cases["agency: Police"].findall(f"{QDA}SourceRef")]
    assert members == [astral.get("guid")]


def test_qdpx_guids_are_the_same_across_two_exports(tmp_path: Path, tricky_qdpx: Path) -> None:
    notes = {n.note_id: n for n in TRICKY_NOTES}
    tags = [tag(notes[n], evidence, code) for n, evidence, code in TRICKY_EVIDENCE]
    with open_store(tmp_path / "again", TRICKY_NOTES, tags) as store:
        export_qdpx(store, "ev", tmp_path / "again.qdpx", codebook=CODEBOOK)
    guids = []
    for path in (tricky_qdpx, tmp_path / "again.qdpx"):
        root, _ = project_of(path)
        guids.append(sorted(e.get("guid") for e in root.iter() if e.get("guid")))
    assert guids[0] == guids[1]
    assert len(guids[0]) == len(set(guids[0]))


@pytest.mark.parametrize(
    ("extra", "code", "exported"),
    [
        ({"negated": True}, "context.workload", False),
        ({"hypothetical": True}, "context.workload", False),
        ({}, "context.workload", True),
    ],
    ids=["negated-dropped", "hypothetical-dropped", "plain-kept"],
)
def test_qdpx_exports_only_tags_that_count_as_themes(
    tmp_path: Path, extra: dict[str, Any], code: str, exported: bool
) -> None:
    note = Note("ev", "n1", "Managers should review the caseload.")
    with open_store(tmp_path, [note], [tag(note, "caseload", code, **extra)]) as store:
        summary = export_qdpx(store, "ev", tmp_path / "x.qdpx", codebook=CODEBOOK)
    root, _ = project_of(tmp_path / "x.qdpx")
    assert len(list(root.iter(f"{QDA}PlainTextSelection"))) == int(exported)
    assert summary.selections == int(exported)


def test_qdpx_skips_tags_whose_offsets_no_longer_fit_the_note(tmp_path: Path) -> None:
    note = Note("ev", "n1", "Short note.")
    stale = {**tag(note, "note", "context.workload"), "start": 40, "end": 48}
    with open_store(tmp_path, [note], [stale]) as store:
        summary = export_qdpx(store, "ev", tmp_path / "x.qdpx", codebook=CODEBOOK)
    assert summary.selections == 0
    assert "re-run `pigan tag`" in summary.describe()


# -- reading hostile and malformed files ---------------------------------------------------

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="8aa694e4-c1aa-51bb-bd45-4199821f53c5"
 name="&x;" isCodable="true"/></Codes></CodeBook>"""
ENTITY_EXPANSION = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>"""


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


HOSTILE = [
    ("not-a-zip.qdpx", b"this is plain text, not a zip archive", "not a zip archive"),
    ("zip-bomb.qdpx", _zip_bytes({"project.qde": b"<Project/>", "sources/big.txt": b"\0" * 40_000_000}),
     "zip bomb"),
    ("missing-qde.qdpx", _zip_bytes({"sources/a.txt": b"hello"}), "no project.qde"),
    ("external-entity.qdc", EXTERNAL_ENTITY, "DTD or entities"),
    ("entity-in-project.qdpx", _zip_bytes({"project.qde": ENTITY_EXPANSION}), "DTD or entities"),
    ("malformed.qdc", b"<CodeBook><Codes></CodeBook>", "not well-formed XML"),
    ("wrong-root.qdc", b"<html><body/></html>", "not a REFI-QDA file"),
    ("empty.qdpx", b"", "file is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_or_malformed_files_are_refused_with_one_line_and_nothing_written(
    tmp_path: Path, event_store: Store, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "adopted.yaml"
    with pytest.raises(InputError) as caught:
        import_coding(path, event_store, EVENT, codebook_path=CODEBOOK, codebook_out=out)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and text.startswith(str(path))
    assert not out.exists()
    assert not gold_path(event_store, EVENT).exists()
    assert not (event_store.directory / "gold").exists()


def test_reader_accepts_guids_in_braces_and_upper_case(reviewer_qdpx: Path) -> None:
    project = read_refi(reviewer_qdpx)
    guids = {code.guid for code in project.code_index().values()}
    assert code_guid("context") in guids
    assert project.users[PIGAN_USER_GUID] == "pigan 0.1.0"
    typed_up = next(s for s in project.sources if s.name == "Facilitator notes (typed up)")
    assert "\r\n" in (typed_up.text or "")


def test_reader_reports_a_source_whose_text_lives_outside_the_project(tmp_path: Path) -> None:
    qde = (
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
        b'<TextSource guid="11111111-1111-4111-8111-111111111111" name="doc" '
        b'plainTextPath="absolute://C:/data/doc.txt"/></Sources></Project>'
    )
    path = tmp_path / "p.qdpx"
    path.write_bytes(_zip_bytes({"project.qde": qde}))
    source = read_refi(path).sources[0]
    assert source.text is None and source.problem == "its text is kept outside the project file"


# -- alignment of another tool's sources with notes -------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("a\r\nb", 0, 4, "a\r\nb"),
        ("a\r\nb", 0, 1, "a"),
        ("a\r\nb", 3, 4, "b"),
        ("café\r\n\r\nrésumé", 8, 14, "résumé"),
        ("no line breaks", 3, 8, "line "),
    ],
    ids=["whole", "before-crlf", "after-crlf", "non-ascii-after-two-crlf", "no-crlf"],
)
def test_newline_normalisation_maps_offsets_back_exactly(
    text: str, start: int, end: int, expected: str
) -> None:
    mapped = NewlineText(text)
    a, b = mapped.to_norm(start), mapped.to_norm(end)
    assert mapped.norm[a:b] == expected.replace("\r\n", "\n")
    assert text[mapped.to_orig(a) : mapped.to_orig(b)] == expected


DOC_NOTES = [
    Note("ev", "a", "First note here. Yes."),
    Note("ev", "b", "Second note,\r\nwith a line break."),
    Note("ev", "c", "Yes."),
    Note("ev", "d", "Yes."),
]
DOCUMENT = "Heading\nFirst note here. Yes.\n\nSecond note,\nwith a line break.\nYes.\n"


@pytest.mark.parametrize(
    ("selected", "note_id", "evidence", "reason"),
    [
        ("note here", "a", "note here", None),
        ("here. Yes", "a", "here. Yes", None),
        ("with a line", "b", "with a line", None),
        ("note,\nwith", "b", "note,\r\nwith", None),
        ("Heading", None, None, "outside any note"),
        ("Yes.\n\nSecond", None, None, "runs past the end of a note"),
        ("Yes", None, None, "ambiguous"),
    ],
    ids=[
        "inside-note",
        "short-note-text-inside-a-longer-note",
        "after-line-break",
        "across-crlf",
        "heading",
        "across-notes",
        "same-text-twice",
    ],
)
def test_selections_in_a_document_of_many_notes_map_to_one_note_or_say_why_not(
    selected: str, note_id: str | None, evidence: str | None, reason: str | None
) -> None:
    source = RefiSource("g", "typed-up notes", "TextSource", DOCUMENT)
    index = NoteIndex(DOC_NOTES, "ev")
    layout = layout_source(source, index)
    start = DOCUMENT.rindex(selected)
    located = locate(layout, start, start + len(selected), index)
    assert located.note_id == note_id
    if note_id is None:
        assert reason is not None and located.reason is not None and reason in located.reason
    else:
        note = next(n for n in DOC_NOTES if n.note_id == note_id)
        assert note.text[located.start : located.end] == evidence


def test_a_source_whose_note_changed_is_reported_not_guessed() -> None:
    source = RefiSource("g", "a", "TextSource", "First note here, edited.")
    layout = layout_source(source, NoteIndex(DOC_NOTES, "ev"))
    assert layout.placements == ()
    assert layout.problem == "its note's text differs from the note in the store"


# -- import of the hand-written reviewer project ---------------------------------------------------


def test_import_maps_the_reviewers_codings_to_notes_and_sentences(
    event_store: Store, reviewer_qdpx: Path, sentencizer: Language
) -> None:
    report = import_coding(reviewer_qdpx, event_store, EVENT, codebook_path=CODEBOOK, nlp=sentencizer)
    gold = read_gold(gold_path(event_store, EVENT))
    assert report.gold_path == gold_path(event_store, EVENT)
    got = sorted((g["note_id"], g["code"], g["start"], g["end"], len(g["sentences"])) for g in gold)
    assert got == [
        ("n01", "context.workload", 0, 46, 1),
        ("n01", "decision_influence.information_sharing", 47, 97, 1),
        ("n02", "context", 93, 173, 1),  # "Premises and venues" is not in the codebook: counts for Context
        ("n02", "context.workload", 0, 92, 2),
        ("n03", "good_practice", 0, 38, 1),
        ("n04", "recommendation", 72, 109, 1),
        ("n04", "recommendation.practice_change", 0, 39, 1),
    ]
    assert {g["coder"] for g in gold} == {"Reviewer A"}
    assert report.coding.pigan_codings == 2, "pigan's own codings left in the file are not gold"
    reasons = sorted(u.reason for u in report.coding.unmapped)
    assert len(reasons) == 2
    assert reasons[0].startswith("outside any note")
    assert reasons[1].startswith("runs past the end of a note")


def test_import_reports_codebook_changes_and_adopts_them_into_a_valid_codebook(
    tmp_path: Path, event_store: Store, reviewer_qdpx: Path, sentencizer: Language
) -> None:
    from pigan.tagging.codebook import load_codebook

    out = tmp_path / "adopted.yaml"
    report = import_coding(
        reviewer_qdpx, event_store, EVENT, codebook_path=CODEBOOK, codebook_out=out, nlp=sentencizer
    )
    changes = {(c.kind, c.code_id) for c in report.coding.changes}
    assert changes == {
        ("renamed", "context.workload"),
        ("added", "context.premises_and_venues"),
        ("redefined", "good_practice"),
        ("merged", "context.staffing"),
    }
    adopted = load_codebook(out)
    assert adopted.version == "test.1+reviewer"
    assert adopted.topic("context.workload").label == "Workload"
    assert "vacancy" in adopted.topic("context.workload").cues, "the merged code's cues join the target"
    assert [t.id for t in adopted.code("context").topics] == [
        "context.workload",
        "context.premises_and_venues",
    ]
    assert adopted.code("good_practice").definition == "What went well, worth sharing with other teams."
    gold = read_gold(gold_path(event_store, EVENT))
    assert ("n02", "context.premises_and_venues") in {(g["note_id"], g["code"]) for g in gold}


def test_import_of_a_codebook_only_reports_changes_and_writes_no_gold(
    tmp_path: Path, event_store: Store
) -> None:
    data = export_qdc(CODEBOOK).replace(b'name="Good practice"', b'name="What went well"')
    path = tmp_path / "codes.qdc"
    path.write_bytes(data)
    report = import_coding(path, event_store, EVENT, codebook_path=CODEBOOK)
    assert [(c.kind, c.code_id) for c in report.coding.changes] == [("renamed", "good_practice")]
    assert report.gold_path is None and not gold_path(event_store, EVENT).exists()


def test_import_of_pigans_own_export_finds_no_changes_and_no_human_coding(
    tmp_path: Path, event_store: Store, sentencizer: Language
) -> None:
    export_qdpx(event_store, EVENT, tmp_path / "own.qdpx", codebook=CODEBOOK)
    report = import_coding(tmp_path / "own.qdpx", event_store, EVENT, codebook_path=CODEBOOK, nlp=sentencizer)
    assert report.coding.changes == []
    assert report.coding.records == [] and report.coding.unmapped == []
    assert report.coding.pigan_codings == 8  # the nine tags less the negated one
    kept = import_coding(
        tmp_path / "own.qdpx", event_store, EVENT, codebook_path=CODEBOOK, keep_pigan=True, nlp=sentencizer
    )
    assert len(kept.coding.records) == 8


def test_import_with_an_unknown_coder_is_refused(event_store: Store, reviewer_qdpx: Path) -> None:
    with pytest.raises(InputError, match="no coder named 'Reviewer B'"):
        import_coding(reviewer_qdpx, event_store, EVENT, codebook_path=CODEBOOK, coder="Reviewer B")


# -- agreement -----------------------------------------------------------------------------------

# Hand-computed from the fixture (tests/fixtures/refi/README.md): 10 sentences.
EXPECTED_CODES = {
    #                     precision recall  f1      kappa   tp fp fn
    "context": (1.0, 0.75, 0.8571, 0.7826, 3, 0, 1),
    "decision_influence": (0.5, 1.0, 0.6667, 0.6154, 1, 1, 0),
    "good_practice": (1.0, 1.0, 1.0, 1.0, 1, 0, 0),
    "recommendation": (0.5, 0.5, 0.5, 0.375, 1, 1, 1),
}
EXPECTED_TOPICS = {
    "context.staffing": (0.0, None, 0.0, 0.0, 0, 1, 0),
    "context.workload": (1.0, 0.6667, 0.8, 0.7368, 2, 0, 1),
    "decision_influence.information_sharing": (0.5, 1.0, 0.6667, 0.6154, 1, 1, 0),
    "recommendation.practice_change": (1.0, 1.0, 1.0, 1.0, 1, 0, 0),
}


def _figures(table: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("precision", "recall", "f1", "kappa", "tp", "fp", "fn")
    return tuple(table[k] for k in keys)


@pytest.mark.parametrize("via", ["qdpx", "gold-jsonl"])
def test_agreement_with_the_reviewer_matches_the_hand_computed_figures(
    event_store: Store, reviewer_qdpx: Path, sentencizer: Language, via: str
) -> None:
    human = reviewer_qdpx
    if via == "gold-jsonl":
        human = import_coding(
            reviewer_qdpx, event_store, EVENT, codebook_path=CODEBOOK, nlp=sentencizer
        ).gold_path  # type: ignore[assignment]
    report = evaluate_human(event_store, EVENT, human, codebook=CODEBOOK, nlp=sentencizer).to_dict()
    assert report["n"] == 10 and report["n_notes"] == 4
    assert {code: _figures(t) for code, t in report["labels"].items()} == EXPECTED_CODES
    assert {code: _figures(t) for code, t in report["topics"].items()} == EXPECTED_TOPICS
    assert report["macro_f1"] == pytest.approx(0.7560, abs=1e-4)
    assert report["micro_f1"] == 0.75
    assert report["mean_kappa"] == pytest.approx(0.6932, abs=1e-4)
    assert report["coders"] == ["Reviewer A"]


def test_agreement_lists_the_largest_disagreements_by_note_and_sentence(
    event_store: Store, reviewer_qdpx: Path, sentencizer: Language
) -> None:
    report = evaluate_human(event_store, EVENT, reviewer_qdpx, codebook=CODEBOOK, nlp=sentencizer)
    listed = [(d.note_id, d.sentence, d.pigan_only, d.human_only) for d in report.disagreements]
    assert listed == [
        ("n04", 2, ["recommendation"], []),
        ("n03", 2, ["decision_influence"], []),
        ("n02", 3, [], ["context"]),
        ("n04", 3, [], ["recommendation"]),
    ]
    assert report.unmapped == 2
    text = report.render()
    assert "n04 s2 [40:71]" in text and "textcat 0.60" in text
    assert "Officers" not in text and "caseload was" not in text, "no note text is printed"


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "tn", "kappa"),
    [(5, 0, 0, 5, 1.0), (0, 5, 5, 0, -1.0), (0, 0, 0, 10, None), (2, 1, 1, 6, 0.5238)],
    ids=["perfect", "opposite", "never-used", "partial"],
)
def test_cohens_kappa(tp: int, fp: int, fn: int, tn: int, kappa: float | None) -> None:
    from pigan.interop import CodeAgreement

    got = CodeAgreement("x", tp, fp, fn, tn).kappa
    assert got == (None if kappa is None else pytest.approx(kappa, abs=1e-4))


# -- more shapes of files from other tools -------------------------------------------------------


def _project_zip(tmp_path: Path, codes: str, sources: str, files: dict[str, bytes]) -> Path:
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        '<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="Coder One"/>'
        '<User guid="aaaaaaaa-0000-4000-8000-000000000002" name="Coder Two"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>"
    )
    path = tmp_path / "other.qdpx"
    path.write_bytes(_zip_bytes({"project.qde": qde.encode("utf-8"), **files}))
    return path


def test_adopting_a_new_top_level_code_and_a_third_level_code(
    tmp_path: Path, event_store: Store, sentencizer: Language
) -> None:
    from pigan.tagging.codebook import load_codebook

    codes = (
        f'<Code guid="{code_guid("context")}" name="Context" isCodable="false">'
        f'<Code guid="{code_guid("context.workload")}" name="Workload and caseloads" isCodable="true">'
        '<Code guid="bbbbbbbb-0000-4000-8000-000000000001" name="Home visits" isCodable="true"/>'
        "</Code></Code>"
        '<Code guid="bbbbbbbb-0000-4000-8000-000000000002" name="Legal literacy" isCodable="false">'
        '<Code guid="bbbbbbbb-0000-4000-8000-000000000003" name="Care Act duties" isCodable="true"/></Code>'
    )
    path = _project_zip(tmp_path, codes, "", {})
    out = tmp_path / "adopted.yaml"
    report = import_coding(
        path, event_store, EVENT, codebook_path=CODEBOOK, codebook_out=out, nlp=sentencizer
    )
    kinds = {(c.kind, c.code_id, c.adoptable) for c in report.coding.changes}
    assert ("added", "legal_literacy", True) in kinds
    assert ("added", "legal_literacy.care_act_duties", True) in kinds
    assert ("added", "context.workload/Home visits", False) in kinds, "pigan has two levels"
    assert ("removed", "context.staffing", False) in kinds, "no evidence of a merge: kept, reported"
    adopted = load_codebook(out)
    assert adopted.code("legal_literacy").colour.startswith("#")
    assert adopted.topic("legal_literacy.care_act_duties").cues == ("care act duties",)
    assert adopted.topic("context.staffing"), "a removed code is not deleted from the codebook"


def test_coding_a_whole_source_marks_every_sentence_of_its_note(
    tmp_path: Path, event_store: Store, sentencizer: Language
) -> None:
    note = next(n for n in fixture_notes() if n.note_id == "n02")
    sources = (
        '<TextSource guid="cccccccc-0000-4000-8000-000000000001" name="doc" plainTextPath="internal://doc.txt">'
        '<Coding guid="cccccccc-0000-4000-8000-000000000002" '
        'creatingUser="aaaaaaaa-0000-4000-8000-000000000001">'
        f'<CodeRef targetGUID="{code_guid("good_practice")}"/></Coding></TextSource>'
    )
    codes = f'<Code guid="{code_guid("good_practice")}" name="Good practice" isCodable="true"/>'
    path = _project_zip(tmp_path, codes, sources, {"sources/doc.txt": note.text.encode("utf-8")})
    report = import_coding(path, event_store, EVENT, codebook_path=CODEBOOK, nlp=sentencizer)
    [record] = report.coding.records
    assert (record["note_id"], record["code"], record["start"], record["end"]) == (
        "n02",
        "good_practice",
        0,
        173,
    )
    assert len(record["sentences"]) == 3


@pytest.mark.parametrize(
    ("coder", "expected"),
    [(None, {"Coder One", "Coder Two"}), ("Coder Two", {"Coder Two"})],
    ids=["every-coder", "one-coder"],
)
def test_the_coder_option_chooses_whose_coding_is_gold(
    tmp_path: Path, event_store: Store, sentencizer: Language, coder: str | None, expected: set[str]
) -> None:
    note = next(n for n in fixture_notes() if n.note_id == "n03")
    selections = "".join(
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-00000000000{i}" startPosition="0" '
        f'endPosition="38" creatingUser="aaaaaaaa-0000-4000-8000-00000000000{i}">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-00000000000{i}" '
        f'creatingUser="aaaaaaaa-0000-4000-8000-00000000000{i}">'
        f'<CodeRef targetGUID="{code_guid("good_practice")}"/></Coding></PlainTextSelection>'
        for i in (1, 2)
    )
    sources = (
        '<TextSource guid="cccccccc-0000-4000-8000-000000000001" name="n03" plainTextPath="internal://n03.txt">'
        f"{selections}</TextSource>"
    )
    codes = f'<Code guid="{code_guid("good_practice")}" name="Good practice" isCodable="true"/>'
    path = _project_zip(tmp_path, codes, sources, {"sources/n03.txt": note.text.encode("utf-8")})
    report = import_coding(path, event_store, EVENT, codebook_path=CODEBOOK, coder=coder, nlp=sentencizer)
    assert {r["coder"] for r in report.coding.records} == expected
    assert sum(report.coding.other_coders.values()) == 2 - len(expected)


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [(0, 500, "offsets outside the source text"), (20, 10, "offsets outside the source text"),
     ("x", "3", "offsets outside the source text")],
    ids=["past-the-end", "reversed", "not-a-number"],
)  # fmt: skip
def test_impossible_offsets_are_reported_not_guessed(
    tmp_path: Path, event_store: Store, sentencizer: Language, start: object, end: object, reason: str
) -> None:
    note = next(n for n in fixture_notes() if n.note_id == "n03")
    sources = (
        '<TextSource guid="cccccccc-0000-4000-8000-000000000001" name="n03" plainTextPath="internal://n03.txt">'
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="eeeeeeee-0000-4000-8000-000000000001">'
        f'<CodeRef targetGUID="{code_guid("good_practice")}"/></Coding></PlainTextSelection></TextSource>'
    )
    codes = f'<Code guid="{code_guid("good_practice")}" name="Good practice" isCodable="true"/>'
    path = _project_zip(tmp_path, codes, sources, {"sources/n03.txt": note.text.encode("utf-8")})
    report = import_coding(path, event_store, EVENT, codebook_path=CODEBOOK, nlp=sentencizer)
    assert report.coding.records == []
    assert [u.reason for u in report.coding.unmapped] == [reason]
