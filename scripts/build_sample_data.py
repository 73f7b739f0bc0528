"""Build the fictional sample events under data/sample/ from scripts/sample_sources/.

Everything written here is invented (the place "Northmoor" does not exist). The
note texts live in ``scripts/sample_sources/<event>.py``; this script turns them
into the notes files an ingester meets in practice (CSV, Markdown, XLSX, DOCX,
JSONL), plus each event's ``event.yaml`` and ``deny_list.yaml``, and writes
``data/sample/planted.yaml`` and ``data/sample/README.md`` listing which notes
carry planted personal data, blame language, negation and hypotheticals.

The output is deterministic: XLSX and DOCX get fixed core properties and are
re-zipped with fixed timestamps, so a rebuild is byte-identical.

Usage::

    .venv/bin/python scripts/build_sample_data.py            # build, then verify
    .venv/bin/python scripts/build_sample_data.py --check    # rebuild in a temp dir, compare
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import importlib
import io
import json
import re
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "scripts" / "sample_sources"
DEFAULT_OUT = ROOT / "data" / "sample"
AUTHOR = "Northmoor partnership support"
CSV_HEADER = ["Note ID", "Participant", "Organisation", "Role", "Segment", "Episode date", "Note"]
XLSX_HEADER = ["Note ref", "Participant", "Agency", "Role", "Agenda item", "Date of episode", "Notes"]
DOCX_TABLE_HEADER = ["Agency", "Participant", "Note"]
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MATCH_LEN = 40

sys.dont_write_bytecode = True  # keep __pycache__ out of scripts/sample_sources
sys.path.insert(0, str(SOURCES))


# -- identifiers ------------------------------------------------------------------


def nhs_check_digit(nine: str) -> int | None:
    """Modulus 11 over the first nine digits, weights 10..2 (11 -> 0, 10 -> no valid number)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_valid(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) == 10 and nhs_check_digit(digits[:9]) == int(digits[9])


def ni_format_valid(number: str) -> bool:
    """HMRC's rules: first letter not DFIQUV, second not DFIOQUV, some prefixes never used, suffix A-D."""
    compact = re.sub(r"\s", "", number).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    first, second = compact[0], compact[1]
    return (
        first not in "DFIQUV"
        and second not in "DFIOQUV"
        and compact[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    )


SAFE_PATTERNS = {
    "PHONE": re.compile(r"^(07700 900\d{3}|020 7946 0\d{3}|0113 496 0\d{3})$"),
    "EMAIL": re.compile(r"^[\w.+-]+@example\.(org|com)$"),
    "POSTCODE": re.compile(r"^NM\d{1,2} \d[A-Z]{2}$"),
    "NHS_NUMBER": re.compile(r"^999 \d{3} \d{4}$"),
    "NI_NUMBER": re.compile(r"^QQ \d{2} \d{2} \d{2} [A-D]$"),
    "DATE_OF_BIRTH": re.compile(r"^\d{2}/\d{2}/\d{4}$"),
}


# -- the notes as built -------------------------------------------------------------


@dataclass
class Built:
    """One note as written to a file."""

    event_id: str
    file: str
    note: Any  # model.SourceNote
    segment: str
    agency: str
    role: str
    note_id: str | None  # given id (CSV, XLSX, JSONL); None where the ingester derives one
    body: str  # the note text as the ingester should read it (prefix removed)
    rendered: str  # the line or paragraph as written
    match: str | None = None


def load(name: str) -> ModuleType:
    return importlib.import_module(name)


def words(text: str) -> int:
    return len(text.split())


def prefix(note: Any) -> str:
    if note.form == "bracket":
        who = f"{note.agency}, {note.participant}" if note.participant else note.agency
        return f"[{who}] "
    if note.form == "colon":
        return f"{note.agency}: "
    if note.form == "paren":
        return f"{note.agency} ({note.participant}): "
    return ""


def check_participant(src: ModuleType, note: Any) -> tuple[str, str]:
    agency, role = src.PARTICIPANTS[note.participant] if note.participant else (note.agency, "")
    if note.agency and note.agency != agency:
        raise ValueError(f"{note.participant} is {agency}, not {note.agency}: {note.text[:50]!r}")
    return agency, role


def check_date(value: str) -> None:
    if value and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        raise ValueError(f"bad episode date {value!r}")
    if value:
        datetime.strptime(value if len(value) == 10 else value + "-01", "%Y-%m-%d")


def table_notes(src: ModuleType, notes: dict[str, list[Any]], file: str, make_id: Any) -> list[Built]:
    out: list[Built] = []
    for segment, items in notes.items():
        if segment not in src.SEGMENTS:
            raise ValueError(f"unknown segment {segment!r}")
        for note in items:
            check_date(note.date)
            agency, role = check_participant(src, note)
            note_id = make_id(len(out) + 1)
            out.append(
                Built(src.EVENT["event_id"], file, note, segment, agency, role, note_id, note.text, note.text)
            )
    return out


def prefixed_notes(src: ModuleType, blocks: list[tuple[str, list[Any]]], file: str) -> list[Built]:
    out: list[Built] = []
    for segment, items in blocks:
        if segment not in src.SEGMENTS:
            raise ValueError(f"unknown segment {segment!r}")
        for note in items:
            agency, role = check_participant(src, note)
            rendered = prefix(note) + note.text
            out.append(
                Built(src.EVENT["event_id"], file, note, segment, agency, role, None, note.text, rendered)
            )
    bodies = [b.body for b in out]
    for built in out:
        match = built.body[:MATCH_LEN].rstrip()
        if sum(match in body for body in bodies) != 1:
            raise ValueError(f"match {match!r} is not unique in {file}")
        built.match = match
    return out


# -- writers -------------------------------------------------------------------------


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    path.write_text(header + text, encoding="utf-8", newline="\n")


def write_csv(path: Path, notes: list[Built]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for b in notes:
            writer.writerow([b.note_id, b.note.participant, b.agency, b.role, b.segment, b.note.date, b.body])


def write_markdown(path: Path, blocks: list[tuple[str, list[Built]]]) -> None:
    lines = ["# Recall event", ""]
    for segment, notes in blocks:
        lines += [f"## {segment}", ""]
        for b in notes:
            if b.note.bullet:
                lines.append(f"- {b.rendered}")
            else:
                if lines[-1] != "":
                    lines.append("")
                lines += [b.rendered, ""]
        if lines[-1] != "":
            lines.append("")
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8", newline="\n")


def normalise_zip(data: bytes, stamp: datetime) -> bytes:
    """Re-zip with fixed timestamps and a fixed dcterms:modified, so rebuilds are byte-identical."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = payload.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{iso}\g<2>", text
                    )
                payload = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            dst.writestr(fixed, payload)
    return out.getvalue()


def write_xlsx(path: Path, notes: list[Built], readme: list[str], stamp: datetime) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Notes"
    sheet.append(XLSX_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for b in notes:
        row = [b.note_id, b.note.participant, b.agency, b.role, b.segment, b.note.date or None, b.body]
        sheet.append(row)
    # Two rows as facilitators' spreadsheets really have them, which ingestion must quarantine
    # (never drop, never merge): a row started but left without its note, and a pasted row
    # that repeats an earlier reference.
    sheet.append(["F-119", "P05", "Police", "Detective constable", "Context", None, None])
    first = notes[0]
    sheet.append(
        [
            first.note_id,
            "P06",
            "Police",
            "Police constable",
            "Context",
            None,
            "Second breakout table also discussed the delay in sharing the DA notification.",
        ]
    )
    for letter, width in zip("ABCDEFG", (10, 12, 26, 34, 44, 16, 100), strict=True):
        sheet.column_dimensions[letter].width = width
    for (cell,) in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    info = book.create_sheet("Read me")
    for line in readme:
        info.append([line])
    info.column_dimensions["A"].width = 110
    props = book.properties
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    props.created = stamp
    props.modified = stamp
    props.title = "Child F breakout notes"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue(), stamp))


def write_docx(
    path: Path,
    title: str,
    blocks: list[tuple[int, str, list[Built]]],
    table: list[Built],
    stamp: datetime,
) -> None:
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)  # style "Title"
    for level, segment, notes in blocks:
        document.add_heading(segment, level=level)
        for b in notes:
            document.add_paragraph(b.rendered)
        if table and segment == table[0].segment:
            grid = document.add_table(rows=1, cols=3)
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, DOCX_TABLE_HEADER, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for b in table:
                cells = grid.add_row().cells
                cells[0].text, cells[1].text, cells[2].text = b.agency, b.note.participant or "", b.body
    core = document.core_properties
    core.author = AUTHOR
    core.last_modified_by = AUTHOR
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    core.revision = 1
    core.title = title
    core.subject = "Fictional sample data for pigan"
    core.keywords = "CSPR; learning event; fictional"
    core.comments = ""
    core.category = ""
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue(), stamp))


def write_jsonl(path: Path, notes: list[Built]) -> None:
    lines = []
    for b in notes:
        obj = {
            "id": b.note_id,
            "agency": b.agency,
            "role": b.role,
            "participant": b.note.participant,
            "segment": b.segment,
            "text": b.body,
        }
        if b.note.date:
            obj["episode_date"] = b.note.date
        lines.append(json.dumps(obj, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


# -- planted.yaml and README ---------------------------------------------------------


def locator(b: Built) -> dict[str, str]:
    return {"file": b.file, "id": b.note_id} if b.note_id else {"file": b.file, "match": b.match or ""}


def planted(notes: list[Built]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "personal_data": [],
        "blame": [],
        "singling_out": [],
        "not_blame": [],
        "negated": [],
        "hypothetical": [],
    }
    flag_keys = {
        "blame": "blame",
        "single": "singling_out",
        "not_blame": "not_blame",
        "neg": "negated",
        "hyp": "hypothetical",
    }
    for b in notes:
        for kind, value in b.note.pd:
            entry: dict[str, Any] = {**locator(b), "type": kind, "text": value}
            if kind == "NHS_NUMBER":
                entry["checksum_valid"] = nhs_valid(value)
            if kind == "NI_NUMBER":
                entry["format_valid"] = ni_format_valid(value)
            out["personal_data"].append(entry)
        for flag, key in flag_keys.items():
            if flag in b.note.flags:
                out[key].append(locator(b))
    return out


def ref(entry: dict[str, Any]) -> str:
    return entry["id"] if "id" in entry else f'"{entry["match"]}"'


def readme_text(events: list[dict[str, Any]]) -> str:
    lines = [
        "# Sample data (entirely fictional)",
        "",
        "Two invented practitioner information gathering events from the invented place",
        "**Northmoor**. No real person, family, practitioner, place, school, surgery, ward, phone",
        "number, e-mail address, NHS number or NI number appears anywhere: identifiers come from",
        "ranges reserved for fiction and testing (NHS numbers starting 999, Ofcom drama phone",
        "numbers, `example.org`/`example.com`, NI numbers with the never-issued `QQ` prefix, the",
        "non-existent `NM` postcode area). The case stories are composites written for testing.",
        "",
        "Everything here is generated by `scripts/build_sample_data.py` from the note texts in",
        "`scripts/sample_sources/`: edit those and rebuild, do not edit these files by hand.",
        "",
    ]
    for ev in events:
        lines += [f"## `{ev['event_id']}`: {ev['title']}", "", ev["summary"], ""]
        lines += ["| file | what it is | notes |", "| --- | --- | --- |"]
        for name, what, count in ev["files"]:
            lines.append(f"| `{name}` | {what} | {count} |")
        lines += [
            "",
            f"Agencies ({len(ev['agencies'])}), with distinct participants: "
            + ", ".join(f"{a} {c}" for a, c in ev["agencies"].items())
            + ".",
            "",
        ]
    lines += [
        "## Planted features",
        "",
        "`planted.yaml` is the machine-readable list, by event. Notes in CSV, XLSX and JSONL are",
        "referred to by their note id (`id`); notes in the Markdown and DOCX files, whose ids the",
        "ingester derives, by `file` and `match`, a substring of at most 40 characters found at the",
        "start of exactly one note's text (after the agency prefix). Keys per event:",
        "",
        "- `personal_data`: one entry per item left in by mistake, with `type` (PERSON, EMAIL, PHONE,",
        "  NHS_NUMBER, NI_NUMBER, POSTCODE, DATE_OF_BIRTH, ADDRESS, FACILITY) and the exact `text`.",
        "  NHS numbers carry `checksum_valid` (one is deliberately mistyped); NI numbers carry",
        "  `format_valid` (false: the `QQ` prefix is never issued, by design).",
        "- `blame`: blame language; `singling_out`: the subset that points at one individual.",
        "- `not_blame`: systems or future-facing language that sounds close to blame but is not.",
        "- `negated`, `hypothetical`: notes whose point is a negated statement or a counterfactual.",
        '  Other notes may still contain an incidental "not"; these lists are the deliberate ones.',
        "",
        "Personal data is only in the notes listed; each event's `deny_list.yaml` lists the invented",
        "names and places used in those notes (it is not a notes file).",
        "",
    ]
    for ev in events:
        marks = ev["planted"]
        lines += [f"### `{ev['event_id']}`", ""]
        by_note: dict[str, list[str]] = {}
        for entry in marks["personal_data"]:
            key = f"{entry['file']} {ref(entry)}"
            by_note.setdefault(key, []).append(f"{entry['type']} `{entry['text']}`")
        lines.append("Personal data:")
        lines.append("")
        for key, items in by_note.items():
            lines.append(f"- {key}: " + "; ".join(items))
        lines.append("")
        for key, label in (
            ("blame", "Blame language"),
            ("singling_out", "Singling out"),
            ("not_blame", "Near-blame, not blame"),
            ("negated", "Negated"),
            ("hypothetical", "Hypothetical"),
        ):
            grouped: dict[str, list[str]] = {}
            for entry in marks[key]:
                grouped.setdefault(entry["file"], []).append(ref(entry))
            text = "; ".join(f"{file}: " + ", ".join(refs) for file, refs in grouped.items())
            lines += [f"- {label}: {text}"]
        lines.append("")
    return "\n".join(lines)


# -- verification --------------------------------------------------------------------


def verify(out: Path, built: dict[str, dict[str, list[Built]]], events: list[dict[str, Any]]) -> list[str]:
    """Re-open every file with the library a reader would use and check it says what we meant."""
    import docx
    from openpyxl import load_workbook

    report: list[str] = []
    problems: list[str] = []

    def expect(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    for event_id, files in built.items():
        folder = out / event_id
        meta = yaml.safe_load((folder / "event.yaml").read_text(encoding="utf-8"))
        expect(meta["event_id"] == event_id, f"{event_id}: event.yaml event_id")
        deny = yaml.safe_load((folder / "deny_list.yaml").read_text(encoding="utf-8"))
        expect(set(deny) == {"names", "places"}, f"{event_id}: deny_list keys")
        for name, notes in files.items():
            path = folder / name
            if name.endswith(".csv"):
                with path.open(encoding="utf-8", newline="") as handle:
                    rows = list(csv.reader(handle))
                expect(rows[0] == CSV_HEADER, f"{name}: header")
                expect(all(len(r) == 7 for r in rows), f"{name}: a row without 7 fields")
                got = [r[6] for r in rows[1:]]
                ids = [r[0] for r in rows[1:]]
            elif name.endswith(".xlsx"):
                book = load_workbook(path, read_only=True)
                expect(book.sheetnames[0] == "Notes", f"{name}: first sheet is not Notes")
                values = list(book["Notes"].iter_rows(values_only=True))
                expect(list(values[0]) == XLSX_HEADER, f"{name}: header")
                expect(
                    all(isinstance(c, str) or c is None for r in values for c in r), f"{name}: non-text cell"
                )
                expect(any(r[3] == "NA" for r in values[1:]), f"{name}: no Role 'NA'")
                got = [r[6] for r in values[1:-2]]  # the last two rows are planted for quarantine
                ids = [r[0] for r in values[1:-2]]
                book.close()
            elif name.endswith(".docx"):
                document = docx.Document(str(path))
                paras = [p for p in document.paragraphs if p.text.strip()]
                expect(paras[0].style.name == "Title", f"{name}: first paragraph is not Title")
                heads = [p.text for p in paras if p.style.name.startswith("Heading")]
                expect(
                    all(h in SEGMENT_NAMES[event_id] for h in heads), f"{name}: a heading is not a segment"
                )
                body = [p.text for p in paras if p.style.name in ("Normal", "Body Text")]
                cells = []
                for tbl in document.tables:
                    header = [c.text for c in tbl.rows[0].cells]
                    expect(header == DOCX_TABLE_HEADER, f"{name}: table header {header}")
                    cells += [r.cells[2].text for r in tbl.rows[1:]]
                got = [re.sub(r"^(\[[^\]]+\] |[^:]+: )", "", t) for t in body] + cells
                ids = []
            elif name.endswith(".jsonl"):
                objs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
                got = [o["text"] for o in objs]
                ids = [o["id"] for o in objs]
            else:  # Markdown: one note per bullet or paragraph under ## headings
                text = path.read_text(encoding="utf-8")
                chunks = [c.strip() for c in re.split(r"\n\s*\n|\n(?=- )", text)]
                chunks = [c for c in chunks if c and not c.startswith("#")]
                got = [re.sub(r"^(- )?(\[[^\]]+\] |[^:]+: )", "", c) for c in chunks]
                ids = []
            expect(got == [b.body for b in notes], f"{name}: note texts differ from the sources")
            expect(ids == [b.note_id for b in notes if b.note_id], f"{name}: ids differ")
            expect(len(set(ids)) == len(ids), f"{name}: duplicate ids")
            report.append(f"{event_id}/{name}: {len(got)} notes")
    for ev in events:
        for entry in ev["planted"]["personal_data"]:
            kind, value = entry["type"], entry["text"]
            pattern = SAFE_PATTERNS.get(kind)
            expect(pattern is None or bool(pattern.match(value)), f"{kind} {value!r} is not a safe fixture")
            if kind == "NHS_NUMBER":
                report.append(
                    f"NHS number {value}: {'valid' if entry['checksum_valid'] else 'INVALID'} (mod 11)"
                )
            if kind == "NI_NUMBER":
                expect(not entry["format_valid"], f"NI number {value!r} must be format-invalid (safe)")
    if problems:
        raise SystemExit("verification failed:\n  " + "\n  ".join(problems))
    return report


SEGMENT_NAMES: dict[str, list[str]] = {}


# -- main ----------------------------------------------------------------------------


def build(out: Path) -> tuple[dict[str, dict[str, list[Built]]], list[dict[str, Any]]]:
    sar = load("sar_adult_d")
    cspr = load("cspr_infant_f")
    built: dict[str, dict[str, list[Built]]] = {}
    events: list[dict[str, Any]] = []

    # Event 1: SAR Adult D
    folder = out / sar.EVENT["event_id"]
    folder.mkdir(parents=True, exist_ok=True)
    SEGMENT_NAMES[sar.EVENT["event_id"]] = sar.SEGMENTS
    csv_notes = table_notes(sar, sar.NOTES, "notes.csv", lambda i: f"D-{i:03d}")
    recall_blocks = [
        (seg, prefixed_notes(sar, [(seg, items)], "recall_session.md")) for seg, items in sar.RECALL
    ]
    recall_notes = prefixed_notes(sar, sar.RECALL, "recall_session.md")  # uniqueness across the file
    write_yaml(folder / "event.yaml", sar.EVENT)
    write_csv(folder / "notes.csv", csv_notes)
    write_markdown(folder / "recall_session.md", recall_blocks)
    write_yaml(
        folder / "deny_list.yaml",
        sar.DENY_LIST,
        "# Invented names and places that slipped into this event's notes (fictional). Not a notes file.\n",
    )
    built[sar.EVENT["event_id"]] = {"notes.csv": csv_notes, "recall_session.md": recall_notes}

    # Event 2: CSPR Child F
    folder = out / cspr.EVENT["event_id"]
    folder.mkdir(parents=True, exist_ok=True)
    SEGMENT_NAMES[cspr.EVENT["event_id"]] = cspr.SEGMENTS
    stamp = datetime.fromisoformat(cspr.EVENT["held_on"] + "T17:30:00")
    xlsx_notes = table_notes(cspr, cspr.NOTES, "breakout_notes.xlsx", lambda i: f"F-{i:03d}")
    docx_all = prefixed_notes(
        cspr,
        [(seg, items) for _, seg, items in cspr.DOCX] + [(cspr.REC, cspr.DOCX_TABLE)],
        "facilitator_notes.docx",
    )
    blocks: list[tuple[int, str, list[Built]]] = []
    position = 0
    for level, seg, items in cspr.DOCX:
        blocks.append((level, seg, docx_all[position : position + len(items)]))
        position += len(items)
    table = docx_all[position:]
    late_notes = table_notes(cspr, cspr.LATE, "late_contributions.jsonl", lambda i: f"F-L{i:02d}")
    readme = [
        "Child F CSPR practitioner learning event, breakout table notes (FICTIONAL SAMPLE DATA).",
        f"Recorded by the partnership support officers on {stamp:%d/%m/%Y}; participants are identified by "
        "code only (P01-P21).",
        "Role 'NA' = not applicable (service manager attending for the service). Late contributions are in a "
        "separate file.",
    ]
    write_yaml(folder / "event.yaml", cspr.EVENT)
    write_xlsx(folder / "breakout_notes.xlsx", xlsx_notes, readme, stamp)
    write_docx(folder / "facilitator_notes.docx", cspr.DOCX_TITLE, blocks, table, stamp)
    write_jsonl(folder / "late_contributions.jsonl", late_notes)
    write_yaml(
        folder / "deny_list.yaml",
        cspr.DENY_LIST,
        "# Invented names and places that slipped into this event's notes (fictional). Not a notes file.\n",
    )
    built[cspr.EVENT["event_id"]] = {
        "breakout_notes.xlsx": xlsx_notes,
        "facilitator_notes.docx": docx_all,
        "late_contributions.jsonl": late_notes,
    }

    descriptions = {
        "notes.csv": "the partnership support officer's notes of the learning event",
        "recall_session.md": "facilitator notes from the short recall event that checked the draft",
        "breakout_notes.xlsx": "breakout table notes, sheet `Notes` (sheet `Read me` is not notes)",
        "facilitator_notes.docx": "the facilitator's plenary notes; recommendations table at the end",
        "late_contributions.jsonl": "notes e-mailed by practitioners after the event",
    }
    for src in (sar, cspr):
        event_id = src.EVENT["event_id"]
        notes = [b for file_notes in built[event_id].values() for b in file_notes]
        participants: dict[str, set[str]] = {}
        for code, (agency, _role) in src.PARTICIPANTS.items():
            participants.setdefault(agency, set()).add(code)
        events.append(
            {
                "event_id": event_id,
                "title": src.EVENT["title"],
                "summary": src.EVENT["summary"],
                "files": [(name, descriptions[name], len(fn)) for name, fn in built[event_id].items()],
                "agencies": {a: len(c) for a, c in participants.items()},
                "planted": planted(notes),
                "notes": notes,
            }
        )
        check_deny_list(src, notes)

    header = (
        "# Planted features of the fictional sample events (generated by scripts/build_sample_data.py).\n"
        "# Per event: notes by `id` (CSV, XLSX, JSONL) or by `file` + `match` (a substring of at most 40\n"
        "# characters that starts exactly one note's text in a DOCX or Markdown file, ids being derived).\n"
    )
    write_yaml(out / "planted.yaml", {ev["event_id"]: ev["planted"] for ev in events}, header)
    (out / "README.md").write_text(readme_text(events), encoding="utf-8", newline="\n")
    return built, events


def check_deny_list(src: ModuleType, notes: list[Built]) -> None:
    """Every deny-list term is used, and only in notes marked as holding personal data."""
    terms = src.DENY_LIST["names"] + src.DENY_LIST["places"]
    for term in terms:
        users = [b for b in notes if term in b.body]
        if not users:
            raise ValueError(f"deny-list term {term!r} is not used in any note")
        for b in users:
            if not any(term in value or value in term for _, value in b.note.pd):
                raise ValueError(f"{term!r} appears in an unmarked note: {b.body[:60]!r}")


def summarise(built: dict[str, dict[str, list[Built]]], events: list[dict[str, Any]]) -> list[str]:
    lines = []
    for ev in events:
        notes = ev["notes"]
        lengths = [words(b.body) for b in notes]
        dated = sum(1 for b in notes if b.note.date)
        marks = ev["planted"]
        pd_notes = len({(e["file"], ref(e)) for e in marks["personal_data"]})
        types = Counter(e["type"] for e in marks["personal_data"])
        lines.append(
            f"{ev['event_id']}: {len(notes)} notes; words {min(lengths)}-{max(lengths)}; dated {dated}; "
            f"personal data in {pd_notes} notes {dict(types)}; blame {len(marks['blame'])}; "
            f"not_blame {len(marks['not_blame'])}; negated {len(marks['negated'])} "
            f"({100 * len(marks['negated']) / len(notes):.0f}%); hypothetical {len(marks['hypothetical'])} "
            f"({100 * len(marks['hypothetical']) / len(notes):.0f}%); agencies {len(ev['agencies'])}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default data/sample)")
    parser.add_argument(
        "--check", action="store_true", help="rebuild in a temp folder and compare with --out"
    )
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            names = sorted(p.relative_to(tmp) for p in Path(tmp).rglob("*") if p.is_file())
            stale = [
                str(n)
                for n in names
                if not (args.out / n).is_file() or not filecmp.cmp(Path(tmp) / n, args.out / n, shallow=False)
            ]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        print(f"{len(names)} files up to date", file=sys.stderr)
        return 0
    built, events = build(args.out)
    for line in verify(args.out, built, events) + summarise(built, events):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
