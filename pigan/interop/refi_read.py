"""Read REFI-QDA files written by other tools, safely.

A ``.qdpx`` is a zip holding ``project.qde`` (XML) and the source texts under
``sources/``; a ``.qdc`` is a codebook XML document. Files come from outside,
so reading them is defensive:

- XML is parsed with :mod:`defusedxml`: any DTD, entity declaration or
  external reference is refused; nothing is fetched from the network;
- the zip is checked before anything is unpacked (member count, total size,
  compression ratio) and members are read into memory with a size cap,
  never extracted to disk;
- a file that is not what it claims raises :class:`~pigan.errors.InputError`
  with a one-line reason, and nothing is written anywhere.

The reader is tolerant of what tools differ on (namespace prefixes, GUIDs in
braces or upper case, a byte-order mark in a source) and records, rather
than guesses, what it cannot read (a source whose text is kept outside the
project, a PDF source).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from pigan.errors import InputError
from pigan.ingest import read_input_bytes

log = logging.getLogger(__name__)

#: Limits against hostile or mistaken files.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_XML_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024


@dataclass
class RefiCode:
    """A code as another tool wrote it."""

    guid: str
    name: str
    description: str
    colour: str | None
    is_codable: bool
    parent: str | None = None
    children: list[RefiCode] = field(default_factory=list)


@dataclass(frozen=True)
class RefiCoding:
    """One code applied to a selection, by a user (GUIDs as normalised by :func:`norm_guid`)."""

    guid: str
    code: str
    user: str | None


@dataclass
class RefiSelection:
    """A coded span of a text source: ``[start, end)`` in code points of the source text."""

    guid: str
    start: int
    end: int
    user: str | None
    codings: list[RefiCoding] = field(default_factory=list)
    whole_source: bool = False


@dataclass
class RefiSource:
    """A source of the project; ``text`` is ``None`` when it could not be read (see ``problem``)."""

    guid: str
    name: str
    kind: str
    text: str | None
    problem: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)


@dataclass
class RefiProject:
    """What a ``.qdpx``, ``.qde`` or ``.qdc`` holds, as far as pigan uses it."""

    path: Path
    kind: str  # "project" or "codebook"
    name: str | None
    origin: str | None
    users: dict[str, str]
    codes: list[RefiCode]
    sources: list[RefiSource] = field(default_factory=list)

    def code_index(self) -> dict[str, RefiCode]:
        """Every code by GUID, at any depth."""
        index: dict[str, RefiCode] = {}
        stack = list(self.codes)
        while stack:
            code = stack.pop()
            index[code.guid] = code
            stack.extend(code.children)
        return index


def norm_guid(value: str | None) -> str:
    """A GUID without braces, in lower case, so GUIDs from different tools compare equal."""
    return (value or "").strip().strip("{}").lower()


def read_refi(path: Path | str) -> RefiProject:
    """Read a REFI-QDA project (``.qdpx`` or a bare ``.qde``) or codebook (``.qdc``).

    Raises
    ------
    InputError
        When the file is missing, not a zip or XML as its kind requires, a zip
        bomb, XML with a DTD or entities, a ``.qdpx`` without ``project.qde``,
        or not a REFI-QDA document.
    """
    path = Path(path)
    data = read_input_bytes(path, limit=MAX_FILE_BYTES)
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() == ".qdpx":
        archive = _open_zip(path, data)
        qde = _project_member(path, archive)
        root = _parse_xml(path, _read_member(path, archive, qde, MAX_XML_BYTES), member="project.qde")
        if _local(root.tag) != "Project":
            raise InputError(path, "project.qde is not a REFI-QDA project (no <Project> root)")
        return _project(path, root, archive)
    root = _parse_xml(path, data)
    kind = _local(root.tag)
    if kind == "CodeBook":
        return RefiProject(path, "codebook", None, root.get("origin"), {}, _codes(_child(root, "Codes")))
    if kind == "Project":
        return _project(path, root, None)
    raise InputError(path, f"not a REFI-QDA file: root element <{kind}> (expected <CodeBook> or <Project>)")


# -- file and zip -------------------------------------------------------------


def _open_zip(path: Path, data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InputError(path, "not a zip archive (a .qdpx is a zip holding project.qde)") from None
    if len(members) > MAX_MEMBERS:
        raise InputError(path, f"refused: {len(members):,} files in the archive (limit {MAX_MEMBERS:,})")
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        raise InputError(path, f"refused: unpacks to {total:,} bytes (looks like a zip bomb)")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(1, member.compress_size):
            raise InputError(
                path,
                f"refused: {member.filename} unpacks to {member.file_size:,} bytes from "
                f"{member.compress_size:,} (looks like a zip bomb)",
            )
    return archive


def _project_member(path: Path, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    for member in archive.infolist():
        if member.filename == "project.qde":
            return member
    for member in archive.infolist():  # some tools vary the case
        if member.filename.lower() == "project.qde":
            return member
    raise InputError(path, "no project.qde in the archive (not a REFI-QDA project)")


def _read_member(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """Read one member into memory, refusing to go past ``limit`` whatever its header claims."""
    if member.file_size > limit:
        raise InputError(path, f"refused: {member.filename} is {member.file_size:,} bytes (limit {limit:,})")
    try:
        with archive.open(member) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise InputError(path, f"cannot unpack {member.filename} ({exc.__class__.__name__})") from None
    if len(data) > limit:
        raise InputError(path, f"refused: {member.filename} unpacks past {limit:,} bytes")
    return data


# -- XML ----------------------------------------------------------------------


def _parse_xml(path: Path, data: bytes, *, member: str | None = None) -> Element:
    where = f"{member} " if member else ""
    try:
        return safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputError(
            path, f"refused: {where}declares a DTD or entities (not allowed in a REFI-QDA file)"
        ) from None
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(path, f"{where}is not well-formed XML", line=line) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"{where}cannot be read as XML ({exc.__class__.__name__})") from None


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _text_of(element: Element | None) -> str:
    return "" if element is None or element.text is None else element.text


def _codes(parent: Element | None, parent_guid: str | None = None) -> list[RefiCode]:
    codes = []
    for element in _children(parent, "Code"):
        guid = norm_guid(element.get("guid"))
        code = RefiCode(
            guid=guid,
            name=(element.get("name") or "").strip(),
            description=_text_of(_child(element, "Description")).strip(),
            colour=element.get("color"),
            is_codable=(element.get("isCodable") or "true").strip().lower() in {"true", "1"},
            parent=parent_guid,
        )
        code.children = _codes(element, guid)
        codes.append(code)
    return codes


def _project(path: Path, root: Element, archive: zipfile.ZipFile | None) -> RefiProject:
    users = {
        norm_guid(u.get("guid")): (u.get("name") or u.get("id") or norm_guid(u.get("guid")))
        for u in _children(_child(root, "Users"), "User")
    }
    book = _child(root, "CodeBook")
    project = RefiProject(
        path=path,
        kind="project",
        name=root.get("name"),
        origin=root.get("origin"),
        users=users,
        codes=_codes(_child(book, "Codes")),
    )
    members = {m.filename.lower(): m for m in archive.infolist()} if archive is not None else {}
    sources = _child(root, "Sources")
    for element in list(sources) if sources is not None else []:
        kind = _local(element.tag)
        guid = norm_guid(element.get("guid"))
        name = element.get("name") or guid
        if kind != "TextSource":
            project.sources.append(RefiSource(guid, name, kind, None, f"{kind} sources are not read"))
            continue
        text, problem = _source_text(path, element, archive, members)
        source = RefiSource(guid, name, kind, text, problem)
        for selection in _children(element, "PlainTextSelection"):
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                start, end = -1, -1  # reported as not mappable, never guessed
            source.selections.append(
                RefiSelection(
                    guid=norm_guid(selection.get("guid")),
                    start=start,
                    end=end,
                    user=norm_guid(selection.get("creatingUser")) or None,
                    codings=_codings(selection),
                )
            )
        whole = _codings(element)
        if whole:
            length = len(text) if text is not None else -1
            source.selections.append(
                RefiSelection(guid=guid, start=0, end=length, user=None, codings=whole, whole_source=True)
            )
        project.sources.append(source)
    return project


def _codings(element: Element) -> list[RefiCoding]:
    codings = []
    for coding in _children(element, "Coding"):
        ref = _child(coding, "CodeRef")
        if ref is None:
            continue
        codings.append(
            RefiCoding(
                guid=norm_guid(coding.get("guid")),
                code=norm_guid(ref.get("targetGUID")),
                user=norm_guid(coding.get("creatingUser")) or None,
            )
        )
    return codings


def _source_text(
    path: Path, element: Element, archive: zipfile.ZipFile | None, members: dict[str, zipfile.ZipInfo]
) -> tuple[str | None, str | None]:
    """The plain text of a text source, or ``None`` and why it could not be had."""
    inline = _child(element, "PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text, None
    reference = (element.get("plainTextPath") or "").strip()
    if not reference:
        return None, "no plain text (only rich text, which pigan does not read)"
    if not reference.lower().startswith("internal://"):
        return None, "its text is kept outside the project file"
    name = reference[len("internal://") :].lstrip("/")
    member = members.get(f"sources/{name}".lower()) if archive is not None else None
    if archive is None or member is None:
        return None, "its text file is missing from the project"
    data = _read_member(path, archive, member, MAX_XML_BYTES)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, "its text is not UTF-8"
