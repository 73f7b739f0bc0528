"""Each reader on small hand-made files: what a facilitator's file looks like, and what comes out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from pigan.errors import InputError
from pigan.ingest import read_notes


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def test_csv_column_aliases_map_to_note_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.csv",
        "Note ref,Organisation,Job title,Participant code,Agenda item,Date of episode,Comment\n"
        "N1,GP,practice nurse,P03,Context,2021-03,Caseloads were high\n",
    )
    note = read_notes(path).notes[0]
    assert (note.note_id, note.agency, note.role, note.participant) == ("N1", "GP", "practice nurse", "P03")
    assert (note.segment, note.episode_date, note.text) == ("Context", "2021-03", "Caseloads were high")


def test_values_stay_as_written(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", "id,participant,role,text\n007,007,NA,NA\n")
    note = read_notes(path).notes[0]
    assert (note.note_id, note.participant, note.role, note.text) == ("007", "007", "NA", "NA")


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("id,text\r\nA1,caf\u00e9 \u2013 notes\r\n".encode("utf-8-sig"), id="utf8-bom-crlf"),
        pytest.param("id,text\nA1,caf\u00e9 \u2013 notes\n".encode(), id="utf8"),
        pytest.param("id,text\rA1,caf\u00e9 \u2013 notes\r".encode("cp1252"), id="cp1252-cr"),
    ],
)
def test_encodings_and_newlines_read_the_same_text(tmp_path: Path, encoded: bytes) -> None:
    result = read_notes(write(tmp_path / "n.csv", encoded))
    assert [n.text for n in result.notes] == ["caf\u00e9 \u2013 notes"]


def test_quoted_multiline_note_keeps_its_lines_and_start_line(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", 'id,text\nA1,"first line\r\nsecond line"\nA2,next\n')
    result = read_notes(path)
    assert result.notes[0].text == "first line\nsecond line"
    assert [n.row_ref for n in result.notes] == ["line 2", "line 4"]


def test_semicolon_and_tab_delimiters_are_detected(tmp_path: Path) -> None:
    semi = read_notes(write(tmp_path / "a.csv", "id;text\nA1;one, two\n"))
    tab = read_notes(write(tmp_path / "b.tsv", "id\ttext\nA1\tone, two\n"))
    assert semi.notes[0].text == tab.notes[0].text == "one, two"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        pytest.param("A2,GP,\n", "missing note text", id="missing-text"),
        pytest.param("A1,GP,again\n", "duplicate note id 'A1'", id="duplicate-id"),
        pytest.param("A3,GP,text,extra\n", "ragged row", id="ragged-long"),
        pytest.param("A4,GP\n", "ragged row", id="ragged-short"),
    ],
)
def test_bad_rows_are_quarantined_with_reason_and_line(tmp_path: Path, row: str, reason: str) -> None:
    path = write(tmp_path / "n.csv", "id,agency,text\nA1,GP,first\n" + row)
    result = read_notes(path)
    assert [n.note_id for n in result.notes] == ["A1"]
    assert len(result.quarantined) == 1
    held = result.quarantined[0]
    assert reason in held.reason
    assert held.row_ref == "line 3"
    assert result.rows_read == 2


def test_derived_ids_survive_reordering_and_insertion(tmp_path: Path) -> None:
    first = read_notes(write(tmp_path / "notes.md", "- [GP] one\n- [GP] two\n"))
    second = read_notes(write(tmp_path / "notes.md", "- [ASC] new note\n- [GP] two\n- [GP] one\n"))
    ids_first = {n.text: n.note_id for n in first.notes}
    ids_second = {n.text: n.note_id for n in second.notes}
    assert ids_first["one"] == ids_second["one"]
    assert ids_first["two"] == ids_second["two"]


def test_repeated_text_without_ids_gets_distinct_ids(tmp_path: Path) -> None:
    result = read_notes(write(tmp_path / "n.txt", "Agreed.\n\nAgreed.\n"))
    assert len({n.note_id for n in result.notes}) == 2


@pytest.mark.parametrize(
    ("line", "agency", "participant", "text"),
    [
        pytest.param("[GP] Saw him twice.", "GP", None, "Saw him twice.", id="bracket"),
        pytest.param(
            "[Housing, P09] Notice served.", "Housing", "P09", "Notice served.", id="bracket-participant"
        ),
        pytest.param("Police: attended at 2am.", "Police", None, "attended at 2am.", id="colon"),
        pytest.param(
            "Adult Social Care (P04): s.42 opened.",
            "Adult Social Care",
            "P04",
            "s.42 opened.",
            id="colon-participant",
        ),
        pytest.param(
            "Note: the room was changed.", None, None, "Note: the room was changed.", id="label-not-agency"
        ),
        pytest.param(
            "The GP said: it was hard.", None, None, "The GP said: it was hard.", id="sentence-not-agency"
        ),
    ],
)
def test_agency_prefixes_in_text_notes(
    tmp_path: Path, line: str, agency: str | None, participant: str | None, text: str
) -> None:
    note = read_notes(write(tmp_path / "n.md", f"# Context\n\n- {line}\n")).notes[0]
    assert (note.agency, note.participant, note.text, note.segment) == (agency, participant, text, "Context")


def test_text_paragraphs_join_wrapped_lines(tmp_path: Path) -> None:
    result = read_notes(write(tmp_path / "n.txt", "Police: first part\nsecond part\n\n[GP] next\n"))
    assert [n.text for n in result.notes] == ["first part second part", "next"]
    assert [n.row_ref for n in result.notes] == ["line 1", "line 4"]


def test_jsonl_accepts_id_alias_and_quarantines_bad_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "J1", "text": "one", "agency": "GP", "extra": 1}), "{not json", "[1, 2]"]
    result = read_notes(write(tmp_path / "n.jsonl", "\n".join(lines) + "\n"))
    assert [n.note_id for n in result.notes] == ["J1"]
    assert [(q.row_ref, q.reason) for q in result.quarantined] == [
        ("line 2", "not valid JSON"),
        ("line 3", "not a JSON object"),
    ]


def test_xlsx_reads_first_notes_sheet_and_keeps_text_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet.append(["Note ref", "Agency", "Notes"])
    sheet.append(["F-001", "Police", "Attended"])
    sheet.append([7, "GP", 12.0])
    sheet.append([None, None, None])
    info = book.create_sheet("Read me")
    info.append(["Facilitator notes"])
    path = tmp_path / "n.xlsx"
    book.save(path)
    result = read_notes(path)
    assert [(n.note_id, n.text) for n in result.notes] == [("F-001", "Attended"), ("7", "12")]
    assert result.notes[0].row_ref.endswith("row 2")


def test_docx_headings_are_segments_and_tables_are_notes(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Practitioner event", style="Title")
    document.add_heading("Context", level=1)
    document.add_paragraph("[Health Visiting, P02] Caseload of 600.")
    document.add_heading("Recommendations", level=2)
    table = document.add_table(rows=1, cols=3)
    for cell, name in zip(table.rows[0].cells, ["Agency", "Participant", "Note"], strict=True):
        cell.text = name
    row = table.add_row().cells
    row[0].text, row[1].text, row[2].text = "Police", "P11", "Share DA notifications"
    path = tmp_path / "n.docx"
    document.save(path)
    notes = read_notes(path).notes
    assert [(n.segment, n.agency, n.participant, n.text) for n in notes] == [
        ("Context", "Health Visiting", "P02", "Caseload of 600."),
        ("Recommendations", "Police", "P11", "Share DA notifications"),
    ]
    assert notes[1].row_ref == "table 1 row 2"


def test_unsupported_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"n\.pdf: unsupported file type"):
        read_notes(write(tmp_path / "n.pdf", b"%PDF-1.4"))


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", "Practitioner event 12 May,,\n,,\nRef,Agency,Notes\nN1,GP,one\n")
    result = read_notes(path)
    assert [(n.note_id, n.agency, n.text) for n in result.notes] == [("N1", "GP", "one")]
    assert result.notes[0].row_ref == "line 4"


def test_plain_text_label_lines_are_segments(tmp_path: Path) -> None:
    path = write(tmp_path / "n.txt", "CONTEXT\n[GP] busy\n\nGood practice:\n[Police] quick referral\n")
    notes = read_notes(path).notes
    assert [(n.segment, n.agency) for n in notes] == [("CONTEXT", "GP"), ("Good practice", "Police")]


def test_docx_bold_short_paragraph_is_a_segment(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph().add_run("What helped or hindered").bold = True
    document.add_paragraph("[Police] The log was not shared.")
    path = tmp_path / "n.docx"
    document.save(path)
    [note] = read_notes(path).notes
    assert (note.segment, note.agency) == ("What helped or hindered", "Police")


def test_plain_text_with_one_note_a_line_gives_one_note_a_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.txt", "Police: attended twice.\nThe GP saw him in May.\n[ASC] Closed the case.\n"
    )
    notes = read_notes(path).notes
    assert [(n.agency, n.text) for n in notes] == [
        ("Police", "attended twice."),
        (None, "The GP saw him in May."),
        ("ASC", "Closed the case."),
    ]


# -- files as reviewers hand them over (red-team findings) -----------------------


def test_unrecognised_header_error_names_no_cell_text(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", "GP,Zebulon Quartermaine was seen twice\nPolice,attended\n")
    with pytest.raises(InputError) as caught:
        read_notes(path)
    assert "missing required column" in str(caught.value)
    assert "Zebulon" not in str(caught.value)


def test_other_common_header_names_map_to_note_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.csv",
        "Date of contact,Organisation,Theme,Discussion point,Notes\n"
        "03/02/2022,Police,Good practice,PCSO kept regular contact,\n",
    )
    [note] = read_notes(path).notes
    assert (note.episode_date, note.agency, note.segment, note.text) == (
        "03/02/2022",
        "Police",
        "Good practice",
        "PCSO kept regular contact",
    )


def test_xlsx_reads_every_notes_sheet_with_sheet_names_as_segments(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Practitioner event: breakout notes"])
    for group, text in [("Group 1", "Caseload of 600"), ("Group 2", "Referral stepped down")]:
        sheet = book.create_sheet(group)
        sheet.merge_cells("A1:C1")
        sheet["A1"] = f"{group} notes"
        sheet.append([])
        sheet.append(["Ref", "Agency", "Point made"])
        sheet.append([1, "GP", text])
    path = tmp_path / "n.xlsx"
    book.save(path)
    result = read_notes(path)
    assert [(n.note_id, n.segment, n.text) for n in result.notes] == [
        ("Group 1/1", "Group 1", "Caseload of 600"),
        ("Group 2/1", "Group 2", "Referral stepped down"),
    ]
    assert result.quarantined == []


@pytest.mark.parametrize(
    "bullet",
    [
        pytest.param("\u2013", id="en-dash"),
        pytest.param("+", id="plus"),
        pytest.param("\u00b7", id="middle-dot"),
        pytest.param("a)", id="letter"),
        pytest.param("(ii)", id="roman"),
    ],
)
def test_each_bullet_style_is_a_note_of_its_own(tmp_path: Path, bullet: str) -> None:
    path = write(tmp_path / "n.txt", f"{bullet} first point\r\n{bullet} second point\r\n")
    assert [n.text for n in read_notes(path).notes] == ["first point", "second point"]


def test_short_line_over_a_list_is_its_segment(tmp_path: Path) -> None:
    path = write(tmp_path / "n.txt", "Recommendations\n1) Shared chronology.\n2) Named lead.\n")
    notes = read_notes(path).notes
    assert [(n.segment, n.text) for n in notes] == [
        ("Recommendations", "Shared chronology."),
        ("Recommendations", "Named lead."),
    ]


@pytest.mark.parametrize(
    ("line", "agency", "participant", "text"),
    [
        pytest.param(
            "**Health visiting:** check by phone", "Health visiting", None, "check by phone", id="md-bold"
        ),
        pytest.param("_School nurse_: not told", "School nurse", None, "not told", id="md-italic"),
        pytest.param("Housing \u2013 repairs backlog", "Housing", None, "repairs backlog", id="en-dash"),
        pytest.param(
            "ASC (P04) \u2014 no assessment", "ASC", "P04", "no assessment", id="em-dash-participant"
        ),
        pytest.param(
            "Finding 1: risk was split", None, None, "Finding 1: risk was split", id="numbered-label"
        ),
        pytest.param("Author: Reviewer R1", None, None, "Author: Reviewer R1", id="front-page-label"),
        pytest.param(
            "DRAFT REPORT \u2013 OFFICIAL", None, None, "DRAFT REPORT \u2013 OFFICIAL", id="shouted-title"
        ),
    ],
)
def test_agency_prefix_styles(
    tmp_path: Path, line: str, agency: str | None, participant: str | None, text: str
) -> None:
    note = read_notes(write(tmp_path / "n.md", f"- {line}\n")).notes[0]
    assert (note.agency, note.participant, note.text) == (agency, participant, text)


def test_markdown_table_rows_are_notes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.md",
        "## Reflections\n\n| Agency | Reflection |\n|---|---|\n| GP | Not seen at registration |\n"
        "| Early Help | Stepped down too quickly |\n",
    )
    notes = read_notes(path).notes
    assert [(n.segment, n.agency, n.text, n.row_ref) for n in notes] == [
        ("Reflections", "GP", "Not seen at registration", "line 5"),
        ("Reflections", "Early Help", "Stepped down too quickly", "line 6"),
    ]


@pytest.mark.parametrize("name", ["n.txt", "n.csv"])
def test_excel_unicode_text_export_is_read_as_a_table(tmp_path: Path, name: str) -> None:
    data = "Ref\tAgency\tNotes\r\nU1\tGP\tSaw him twice\r\nU2\tPolice\tNo further action\r\n"
    notes = read_notes(write(tmp_path / name, data.encode("utf-16"))).notes
    assert [(n.note_id, n.agency, n.text) for n in notes] == [
        ("U1", "GP", "Saw him twice"),
        ("U2", "Police", "No further action"),
    ]


@pytest.mark.parametrize("name", ["n.txt", "n.csv"])
def test_blank_lines_above_a_tab_separated_header_do_not_hide_the_table(tmp_path: Path, name: str) -> None:
    data = "\n\nRef\tAgency\tNotes\nU1\tGP\tSaw him twice, then not again\n"
    notes = read_notes(write(tmp_path / name, data.encode("utf-8"))).notes
    assert [(n.note_id, n.agency, n.text) for n in notes] == [("U1", "GP", "Saw him twice, then not again")]


def test_docx_text_in_content_controls_tracked_insertions_and_nested_tables_is_kept(
    tmp_path: Path,
) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    typed = document.add_paragraph("[GP] typed into a form field")
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    control.append(content)
    typed._p.addprevious(control)
    content.append(typed._p)
    edited = document.add_paragraph("[ASC] closed the case ")
    insertion, run, words = OxmlElement("w:ins"), OxmlElement("w:r"), OxmlElement("w:t")
    insertion.set(qn("w:id"), "1")
    insertion.set(qn("w:author"), "R1")
    words.text = "without a visit"
    run.append(words)
    insertion.append(run)
    edited._p.append(insertion)
    document.add_paragraph("Introduction\t3")  # a typed contents line
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Agency", "Reflection"
    table.cell(1, 0).text = "Housing"
    table.cell(1, 1).paragraphs[0].text = "outer"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "inner"
    path = tmp_path / "n.docx"
    document.save(path)
    result = read_notes(path)
    assert [(n.agency, n.text) for n in result.notes] == [
        ("GP", "typed into a form field"),
        ("ASC", "closed the case without a visit"),
        ("Housing", "outer\ninner"),
    ]


def test_a_second_note_text_column_is_kept_in_the_note(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.csv",
        "Organisation,Discussion point,Notes\n"
        "Housing,Tenancy notice served,no welfare referral was made\n"
        "Police,Welfare check done,\n",
    )
    notes = read_notes(path).notes
    assert [n.text for n in notes] == [
        "Tenancy notice served\n\nno welfare referral was made",
        "Welfare check done",
    ]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param("Total;;;4 notes", id="id-column-says-total"),
        pytest.param(";;;Total", id="text-says-total"),
        pytest.param("Grand total;;;", id="no-text"),
        pytest.param(";Count;;12", id="count"),
    ],
)
def test_a_spreadsheet_totals_row_is_quarantined_not_ingested(tmp_path: Path, row: str) -> None:
    path = write(
        tmp_path / "n.csv",
        f"id;agency;role;text\n1;GP;nurse;Repeat prescriptions were not reviewed\n{row}\n",
    )
    result = read_notes(path)
    assert [n.note_id for n in result.notes] == ["1"]
    assert [(q.row_ref, "totals row" in q.reason) for q in result.quarantined] == [("line 3", True)]


def test_a_note_that_mentions_a_total_is_still_a_note(tmp_path: Path) -> None:
    path = write(tmp_path / "n.csv", "id,text\nTotal,In total the family moved 6 times in a year\n")
    assert [n.text for n in read_notes(path).notes] == ["In total the family moved 6 times in a year"]


def test_a_report_front_page_is_quarantined_and_its_notes_kept(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Version 0.3 DRAFT \u2013 OFFICIAL-SENSITIVE")
    document.add_paragraph("Author: Independent Reviewer R1")
    document.add_paragraph("Date: 2 October 2023")
    document.add_heading("Context", level=1)
    document.add_paragraph("Author: the GP said the referral form had no field for it.")
    document.add_paragraph("Caseloads were high across the period.")
    path = tmp_path / "report.docx"
    document.save(str(path))
    result = read_notes(path)
    assert [q.row_ref for q in result.quarantined] == ["paragraph 1", "paragraph 2", "paragraph 3"]
    assert all("front matter" in q.reason for q in result.quarantined)
    assert len(result.notes) == 2  # below a heading, "Author:" is not front matter
    assert result.rows_read == len(result.notes) + len(result.quarantined)


def test_text_front_page_lines_are_quarantined_but_a_first_note_is_not(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.txt",
        "Prepared by: Reviewer R2\nOFFICIAL\n\nThe health visitor was not told about the move.\n",
    )
    result = read_notes(path)
    assert [n.text for n in result.notes] == ["The health visitor was not told about the move."]
    assert [q.row_ref for q in result.quarantined] == ["line 1"]  # "OFFICIAL" is a page mark


def test_a_label_line_among_notes_is_a_note_not_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "n.txt", "Caseloads were high.\nStatus: closed by ASC after one visit\n")
    result = read_notes(path)
    assert len(result.notes) == 2 and result.notes[-1].text.endswith("closed by ASC after one visit")
    assert result.quarantined == []


def test_text_copied_from_a_pdf_report_reads_as_its_paragraphs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "report.txt",
        "Safeguarding Adults Review\nAdult K\nOFFICIAL\n\n"
        "1. Introduction\n1.1 The review was commissioned after the death of Adult K, a\n"
        "man who lived alone.\n1.2 Practitioners were open throughout the event.\n\n"
        "Page 3 of 28\nOFFICIAL\n\n2. Findings\n"
        "Finding 1: His refusals were accepted at face value, de-\n"
        "spite signs that his\nPage 4 of 28\nOFFICIAL\nexecutive functioning was impaired.\n\n"
        "3. Recommendations\n3.1 The Board should seek assurance on capacity assessment.\n",
    )
    result = read_notes(path)
    assert [(n.segment, n.text) for n in result.notes] == [
        (
            "Introduction",
            "1.1 The review was commissioned after the death of Adult K, a man who lived alone.",
        ),
        ("Introduction", "1.2 Practitioners were open throughout the event."),
        (
            "Findings",
            "Finding 1: His refusals were accepted at face value, de-spite signs that his "
            "executive functioning was impaired.",
        ),
        ("Recommendations", "3.1 The Board should seek assurance on capacity assessment."),
    ]
    assert [q.reason for q in result.quarantined] == ["document title, not a note"] * 2


def test_a_numbered_list_of_notes_stays_a_list(tmp_path: Path) -> None:
    path = write(tmp_path / "n.txt", "1. Caseloads high\n2. No Risk Assessment\n3. Housing\n")
    assert [n.text for n in read_notes(path).notes] == ["Caseloads high", "No Risk Assessment", "Housing"]


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("notes.pdf", "save it as text (.txt) or Word (.docx)"),
        ("notes.doc", "save it as .docx"),
        ("notes.odt", "save it as .docx"),
        ("notes.numbers", "save it as .xlsx or .csv"),
    ],
)
def test_an_unreadable_type_says_what_to_save_it_as(tmp_path: Path, name: str, advice: str) -> None:
    with pytest.raises(InputError, match=re.escape(advice)):
        read_notes(write(tmp_path / name, b"\x00\x01"))


@pytest.mark.parametrize("name", ["notes.markdown", "notes.text"])
def test_other_names_for_text_files_are_read(tmp_path: Path, name: str) -> None:
    assert [n.text for n in read_notes(write(tmp_path / name, "- Caseloads were high\n")).notes] == [
        "Caseloads were high"
    ]


def test_a_macro_enabled_workbook_is_read_like_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Agency", "Note"])
    book.active.append(["GP", "Repeat prescriptions were not reviewed"])
    book.save(tmp_path / "notes.xlsm")
    assert [n.agency for n in read_notes(tmp_path / "notes.xlsm").notes] == ["GP"]


def test_notes_that_repeat_are_all_kept_in_text_that_is_not_from_pages(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.txt", "Seen at home.\nNo further action.\nNo further action.\nNo further action.\n"
    )
    notes = [n.text for n in read_notes(path).notes]
    assert notes == ["Seen at home."] + ["No further action."] * 3


def test_a_learning_event_templates_answers_are_notes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.csv",
        "Agency,What went well,What could be better\n"
        "Housing,PCSO kept in touch every week,Nobody shared the fire risk\n"
        "GP,,Appointments were by phone only\n",
    )
    assert [(n.agency, n.text) for n in read_notes(path).notes] == [
        ("Housing", "PCSO kept in touch every week\n\nNobody shared the fire risk"),
        ("GP", "Appointments were by phone only"),
    ]
