"""Export pigan's codebook and coding for qualitative-analysis tools (REFI-QDA, Taguette).

- :func:`export_qdc`: the codebook as a REFI-QDA codebook (``.qdc``, valid
  against ``Codebook.xsd``).
- :func:`export_qdpx`: an event's notes and tags as a REFI-QDA project
  (``.qdpx``: a zip holding ``project.qde``, valid against ``Project.xsd``,
  and a ``sources/`` folder).
- :func:`export_taguette_csv`: the codebook as the CSV Taguette imports.

**One text source per note.** Each note becomes its own text source
(``sources/<guid>.txt``, UTF-8 without BOM, the note text byte for byte, line
endings untouched), named by its note id. Tag offsets are then the source's
own offsets, variables (agency, role, segment, participant, episode date)
attach to each source so matrix queries work, and each agency and segment is
also a case holding its notes.

Every tag becomes a ``PlainTextSelection`` over its evidence span: 0-based
Unicode code-point offsets, end exclusive (the Python string slice), with one
``Coding`` per code tagged on that span and a ``Description`` naming the rule
or model and its score. Tags marked negated or hypothetical are not exported:
the tagger does not count them as themes either.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from pigan import __version__
from pigan.errors import PiganError
from pigan.export import neutralise_cell
from pigan.interop.codes import (
    ID_MARKER,
    PIGAN_USER_GUID,
    CodeNode,
    code_tree,
    codebook_version,
    counted,
    make_guid,
    walk,
    with_flags,
)
from pigan.models import Note

log = logging.getLogger(__name__)

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"

#: Note fields carried as REFI-QDA variables on every source, in this order.
VARIABLE_FIELDS: tuple[str, ...] = ("agency", "role", "participant", "segment", "episode_date")
#: Note fields that also become cases (one case per value) so tools can cross them with codes.
CASE_FIELDS: tuple[str, ...] = ("agency", "segment")

# XML 1.0 forbids most control characters; they are dropped from names and descriptions.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class ExportSummary:
    """What :func:`export_qdpx` wrote: counts only, never note text."""

    path: Path
    sources: int = 0
    selections: int = 0
    codings: int = 0
    codes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """A one-paragraph account for the command line."""
        text = (
            f"{self.sources} sources (one per note), {self.selections} selections, "
            f"{self.codings} codings, {self.codes} codes"
        )
        if self.skipped:
            parts = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
            text += f"; not exported: {parts}"
        return text


def schema_path(name: str) -> Path:
    """The path of a packaged REFI-QDA schema ("Codebook.xsd" or "Project.xsd")."""
    return Path(str(resources.files("pigan") / "resources" / "refi-qda" / name))


def export_qdc(codebook: object | None = None, *, codable_top: Iterable[str] | None = None) -> bytes:
    """The codebook as a REFI-QDA codebook (``urn:QDA-XML:codebook:1.0``), UTF-8 XML bytes.

    Parameters
    ----------
    codebook
        A loaded codebook, its YAML mapping, a path, or ``None`` for the packaged one.
    codable_top
        Top-level codes that are applied directly (``isCodable="true"``).
        By default a top-level code is codable only when it has no topics.

    Returns
    -------
    bytes
        The ``.qdc`` document, valid against ``Codebook.xsd``.
    """
    tree = with_flags(code_tree(codebook))
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    version = codebook_version(codebook)
    root.set("origin", f"pigan {__version__}" + (f" (codebook {version})" if version else ""))
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _add_codes(codes, tree, CODEBOOK_NS, set(codable_top or ()))
    return _serialise(root)


def export_taguette_csv(codebook: object | None = None) -> str:
    """The codebook as Taguette's codebook CSV (columns ``tag``, ``description``).

    Taguette's tags are flat, so each code is one row named by its pigan id
    ("context", "context.workload"), which keeps the hierarchy readable and
    lets the file be matched back. Cells are neutralised against spreadsheet
    formulas.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["tag", "description"])
    for node in walk(with_flags(code_tree(codebook))):
        description = f"{node.label}: {node.definition}" if node.definition else node.label
        writer.writerow([neutralise_cell(node.code_id), neutralise_cell(description)])
    return buffer.getvalue()


def export_qdpx(
    store: Any,
    event_id: str,
    out_path: Path | str,
    *,
    codebook: object | None = None,
    now: datetime | None = None,
) -> ExportSummary:
    """Write an event's notes and pigan's tags as a REFI-QDA project (``.qdpx``).

    Parameters
    ----------
    store
        An open :class:`pigan.store.Store` holding the event and its tags.
    event_id
        The event to export.
    out_path
        The ``.qdpx`` file to write (atomically: a temporary file, then renamed).
    codebook
        Codebook for names, descriptions and colours (default: the packaged one).
    now
        Timestamp written as creation time (default: the current UTC time).

    Returns
    -------
    ExportSummary
        Counts of what was written and what was skipped and why.

    Raises
    ------
    NotFoundError
        When the event is not in the store.
    """
    event = store.event(event_id)
    notes = store.notes(event_id)
    tags = stored_tags(store, event_id)
    tree = with_flags(code_tree(codebook))
    out = Path(out_path)
    summary = ExportSummary(path=out)
    stamp = _timestamp(now)

    known = {node.code_id: node for node in walk(tree)}
    _add_unknown_codes(tree, known, tags)
    applied: set[str] = set()
    selections = _group_selections(notes, tags, known, summary, applied)

    project_root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    title = f"pigan: {event_id}" + (f" ({event.review_type})" if event.review_type else "")
    project_root.set("name", _clean(title))
    version = codebook_version(codebook)
    project_root.set("origin", f"pigan {__version__}" + (f" (codebook {version})" if version else ""))
    project_root.set("creatingUserGUID", PIGAN_USER_GUID)
    project_root.set("creationDateTime", stamp)

    users = etree.SubElement(project_root, _p("Users"))
    etree.SubElement(users, _p("User"), guid=PIGAN_USER_GUID, name=f"pigan {__version__}", id="pigan")

    book = etree.SubElement(project_root, _p("CodeBook"))
    codes_el = etree.SubElement(book, _p("Codes"))
    summary.codes = _add_codes(codes_el, tree, PROJECT_NS, applied)

    _add_variables(project_root, notes)
    _add_cases(project_root, event_id, notes)

    files: dict[str, bytes] = {}
    if notes:
        sources_el = etree.SubElement(project_root, _p("Sources"))
        for note in notes:
            guid = source_guid(event_id, note.note_id)
            files[f"sources/{guid}.txt"] = note.text.encode("utf-8")
            source = etree.SubElement(
                sources_el,
                _p("TextSource"),
                guid=guid,
                name=_clean(note.note_id),
                plainTextPath=f"internal://{guid}.txt",
                creatingUser=PIGAN_USER_GUID,
                creationDateTime=stamp,
            )
            _text_child(source, "Description", _note_description(event_id, note))
            for selection in selections.get(note.note_id, []):
                _add_selection(source, event_id, note, selection, known, stamp)
                summary.selections += 1
                summary.codings += len(selection.tags)
            for name in VARIABLE_FIELDS:
                value = getattr(note, name)
                if value:
                    _add_variable_value(source, name, value)
            summary.sources += 1
    _text_child(
        project_root,
        "Description",
        f"Event {event_id}: {len(notes)} notes coded by pigan {__version__}. One text source per note "
        "(named by note id); selections are pigan's evidence spans; variables and cases carry "
        "agency and segment.",
    )
    qde = _serialise(project_root)
    _write_zip(out, qde, files)
    log.info("wrote %s: %s", out, summary.describe())
    return summary


def source_guid(event_id: str, note_id: str) -> str:
    """The GUID of a note's text source."""
    return make_guid("source", event_id, note_id)


def selection_guid(event_id: str, note_id: str, start: int, end: int) -> str:
    """The GUID of pigan's selection over ``[start, end)`` of a note."""
    return make_guid("selection", event_id, note_id, str(start), str(end))


# -- internals ------------------------------------------------------------------


@dataclass
class _Selection:
    start: int
    end: int
    tags: list[dict[str, Any]]


def _p(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def _clean(value: str) -> str:
    return _XML_INVALID.sub("", value)


def _text_child(parent: etree._Element, name: str, text: str) -> etree._Element:
    ns = etree.QName(parent).namespace
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    child.text = _clean(text)
    return child


def _timestamp(now: datetime | None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _add_codes(parent: etree._Element, tree: Sequence[CodeNode], ns: str, codable: set[str]) -> int:
    """Write the code elements; return how many were written."""
    count = 0
    for node in tree:
        element = etree.SubElement(parent, f"{{{ns}}}Code")
        element.set("guid", node.guid)
        element.set("name", _clean(node.label))
        is_codable = not node.children or node.code_id in codable
        element.set("isCodable", "true" if is_codable else "false")
        if node.colour:
            element.set("color", node.colour)
        description = f"{node.definition}\n{ID_MARKER}{node.code_id}".strip()
        _text_child(element, "Description", description)
        count += 1 + _add_codes(element, node.children, ns, codable)
    return count


def stored_tags(store: Any, event_id: str) -> list[dict[str, Any]]:
    """The event's tags as the tagger stored them (payload dicts with ``note_id`` added)."""
    rows = store.connection.execute(
        "SELECT note_id, payload_json FROM tags WHERE event_id = ? ORDER BY rowid", (event_id,)
    ).fetchall()
    tags = []
    for note_id, payload in rows:
        tag = json.loads(payload)
        tag["note_id"] = note_id
        tags.append(tag)
    return tags


def _add_unknown_codes(tree: list[CodeNode], known: dict[str, CodeNode], tags: list[dict[str, Any]]) -> None:
    """Codes used by tags but missing from the codebook (it changed since tagging) still get a code."""
    tops = {node.code_id: node for node in tree}
    for tag in tags:
        code = str(tag.get("code", ""))
        if not code or code in known:
            continue
        top_id = code.split(".", 1)[0]
        if "." in code and top_id in tops:
            node = CodeNode(code, code, "Not in the current codebook.", tops[top_id].colour)
            tops[top_id].children.append(node)
        else:
            node = CodeNode(code, code, "Not in the current codebook.")
            tree.append(node)
            tops[code] = node
        known[code] = node
        log.warning("code %s is tagged but not in the codebook; exported as is", code)


def _group_selections(
    notes: Sequence[Note],
    tags: Iterable[dict[str, Any]],
    known: dict[str, CodeNode],
    summary: ExportSummary,
    applied: set[str],
) -> dict[str, list[_Selection]]:
    """Group the exportable tags of each note by evidence span (one selection per span)."""
    texts = {note.note_id: note.text for note in notes}
    spans: dict[str, dict[tuple[int, int], list[dict[str, Any]]]] = defaultdict(dict)
    for tag in tags:
        note_id = tag["note_id"]
        if note_id not in texts:
            _skip(summary, "tags of notes no longer current")
            continue
        code = str(tag.get("code", ""))
        if not counted(tag):
            _skip(summary, "negated or hypothetical mentions")
            continue
        try:
            start, end = int(tag["start"]), int(tag["end"])
        except (KeyError, TypeError, ValueError):
            _skip(summary, "tags without offsets")
            continue
        if not 0 <= start < end <= len(texts[note_id]):
            _skip(summary, "tags with offsets outside their note (re-run `pigan tag`)")
            continue
        by_span = spans[note_id].setdefault((start, end), [])
        if any(t.get("code") == code for t in by_span):
            continue  # the same code twice on one span is one coding
        by_span.append(tag)
        if known[code].children:
            applied.add(code)
    return {
        note_id: [_Selection(s, e, tags) for (s, e), tags in sorted(by_span.items())]
        for note_id, by_span in spans.items()
    }


def _skip(summary: ExportSummary, why: str) -> None:
    summary.skipped[why] = summary.skipped.get(why, 0) + 1


def _add_selection(
    source: etree._Element,
    event_id: str,
    note: Note,
    selection: _Selection,
    known: dict[str, CodeNode],
    stamp: str,
) -> None:
    guid = selection_guid(event_id, note.note_id, selection.start, selection.end)
    labels = ", ".join(known[str(t["code"])].label for t in selection.tags)
    element = etree.SubElement(
        source,
        _p("PlainTextSelection"),
        guid=guid,
        name=_clean(labels),
        startPosition=str(selection.start),
        endPosition=str(selection.end),
        creatingUser=PIGAN_USER_GUID,
        creationDateTime=stamp,
    )
    lines = [
        f"{t['code']}: {t.get('rule') or 'unknown rule'}, score {float(t.get('score', 0.0)):.2f}"
        for t in selection.tags
    ]
    _text_child(element, "Description", "pigan " + "; ".join(lines))
    for tag in selection.tags:
        code = str(tag["code"])
        coding = etree.SubElement(
            element,
            _p("Coding"),
            guid=make_guid("coding", event_id, note.note_id, str(selection.start), str(selection.end), code),
            creatingUser=PIGAN_USER_GUID,
            creationDateTime=stamp,
        )
        etree.SubElement(coding, _p("CodeRef"), targetGUID=known[code].guid)


def _note_description(event_id: str, note: Note) -> str:
    parts = [f"Note {note.note_id} of event {event_id}"]
    for name in VARIABLE_FIELDS:
        value = getattr(note, name)
        if value:
            parts.append(f"{name.replace('_', ' ')}: {value}")
    if note.source:
        parts.append(f"from {note.source}" + (f" {note.row_ref}" if note.row_ref else ""))
    return "; ".join(parts)


def _add_variables(root: etree._Element, notes: Sequence[Note]) -> None:
    used = [name for name in VARIABLE_FIELDS if any(getattr(n, name) for n in notes)]
    if not used:
        return
    variables = etree.SubElement(root, _p("Variables"))
    for name in used:
        variable = etree.SubElement(
            variables, _p("Variable"), guid=make_guid("variable", name), name=name, typeOfVariable="Text"
        )
        _text_child(variable, "Description", f"The note's {name.replace('_', ' ')} as recorded by pigan.")


def _add_variable_value(parent: etree._Element, name: str, value: str) -> None:
    element = etree.SubElement(parent, _p("VariableValue"))
    etree.SubElement(element, _p("VariableRef"), targetGUID=make_guid("variable", name))
    _text_child(element, "TextValue", value)


def _add_cases(root: etree._Element, event_id: str, notes: Sequence[Note]) -> None:
    members: dict[tuple[str, str], list[str]] = {}
    for name in CASE_FIELDS:
        for note in notes:
            value = getattr(note, name)
            if value:
                members.setdefault((name, value), []).append(source_guid(event_id, note.note_id))
    if not members:
        return
    cases = etree.SubElement(root, _p("Cases"))
    for (name, value), guids in members.items():
        case = etree.SubElement(
            cases, _p("Case"), guid=make_guid("case", event_id, name, value), name=_clean(f"{name}: {value}")
        )
        count = f"{len(guids)} note" + ("" if len(guids) == 1 else "s")
        _text_child(case, "Description", f"Notes whose {name} is {value} ({count}).")
        _add_variable_value(case, name, value)
        for guid in guids:
            etree.SubElement(case, _p("SourceRef"), targetGUID=guid)


def _write_zip(out: Path, qde: bytes, files: dict[str, bytes]) -> None:
    """Write the project zip atomically: a temporary file beside ``out``, then renamed."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:
        raise PiganError(f"{out}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", qde)
            for name, data in files.items():
                archive.writestr(name, data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
