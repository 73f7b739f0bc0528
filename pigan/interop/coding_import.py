"""Bring a human coder's REFI-QDA coding back into pigan as a gold set for an event.

``pigan import-coding FILE.qdpx --event ID`` reads the project (see
:mod:`pigan.interop.refi_read`), matches its codes to pigan's codebook (see
:mod:`pigan.interop.codebook_changes`), places each coded selection in a
note and its sentences (see :mod:`pigan.interop.alignment`), and writes the
**gold set** of the event to ``<store>/gold/<event id>.jsonl``, one JSON object
per human coding::

    {"event_id", "note_id", "code", "top_code", "start", "end",
     "sentences": [[start, end], ...], "coder", "file_code", "selection",
     "source", "note_sha256"}

``start``/``end`` are character offsets in the note text (end exclusive);
``sentences`` are the spans of the note's sentences (spaCy model) that the
selection touches; ``file_code`` is the code's name in the file; ``code`` is
pigan's code id (a topic the codebook lacks counts for its top-level code).
An import replaces the event's previous gold set. Codings that pigan itself
made (its user GUID, left in a file that started as pigan's export) are not
gold unless asked for. What cannot be mapped is reported, never guessed.
Nothing is written when the file is refused.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pigan.errors import InputError, PiganError
from pigan.interop.alignment import NoteIndex, layout_source, locate, overlapping, sentence_spans
from pigan.interop.codebook_changes import (
    CodebookChange,
    adopt_changes,
    find_changes,
    match_codes,
)
from pigan.interop.codes import (
    PIGAN_USER_GUID,
    code_tree,
    make_guid,
    read_codebook_yaml,
    top_of,
    walk,
    with_flags,
)
from pigan.interop.refi_export import selection_guid, stored_tags
from pigan.interop.refi_read import RefiProject, RefiSelection, read_refi
from pigan.store import text_sha256

if TYPE_CHECKING:
    from spacy.language import Language

    from pigan.store import Store

log = logging.getLogger(__name__)

GOLD_DIR = "gold"


@dataclass(frozen=True)
class Unmapped:
    """A human coding that could not be placed, with where it is in the file and why."""

    source: str
    selection: str
    start: int
    end: int
    code: str
    reason: str


@dataclass
class HumanCoding:
    """The human coding of an event, mapped to notes and sentences."""

    event_id: str
    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    changes: list[CodebookChange] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    pigan_codings: int = 0
    other_coders: dict[str, int] = field(default_factory=dict)

    def unmapped_reasons(self) -> Counter[str]:
        """How many codings could not be mapped, by reason."""
        return Counter(u.reason for u in self.unmapped)


@dataclass
class ImportReport:
    """What ``import-coding`` did."""

    coding: HumanCoding
    kind: str
    gold_path: Path | None = None
    codebook_out: Path | None = None
    replaced: int | None = None

    def describe(self) -> list[str]:
        """Lines for the command line: counts, ids and reasons, never note text."""
        c = self.coding
        lines = [f"read {self.kind} {c.path.name}"]
        if self.kind == "project":
            notes = len({r["note_id"] for r in c.records})
            who = ", ".join(c.coders) or "no human coder"
            lines.append(f"gold set: {len(c.records)} codings on {notes} notes by {who}")
            if c.pigan_codings:
                lines.append(
                    f"left out {c.pigan_codings} codings made by pigan itself (--keep-pigan counts them)"
                )
            for name, count in sorted(c.other_coders.items()):
                lines.append(f"left out {count} codings by {name} (--coder chooses whose coding is gold)")
            if c.unmapped:
                lines.append(f"not mapped: {len(c.unmapped)} codings")
                for u in c.unmapped[:50]:
                    lines.append(
                        f"  source {u.source} selection {u.selection} [{u.start}:{u.end}] "
                        f"{u.code}: {u.reason}"
                    )
                if len(c.unmapped) > 50:
                    lines.append(f"  ... and {len(c.unmapped) - 50} more")
        if c.changes:
            lines.append(f"codebook differences: {len(c.changes)}")
            lines.extend(f"  {change.describe()}" for change in c.changes)
            if self.codebook_out is None and any(ch.adoptable for ch in c.changes):
                lines.append("  (--codebook-out FILE adopts the renamed, redefined, added and merged codes)")
        else:
            lines.append("codebook: no differences from pigan's")
        if self.codebook_out is not None:
            lines.append(f"wrote codebook {self.codebook_out}")
        if self.gold_path is not None:
            extra = f" (replaced {self.replaced} earlier codings)" if self.replaced else ""
            lines.append(f"wrote gold set {self.gold_path}{extra}")
        return lines


def gold_path(store: Store, event_id: str) -> Path:
    """Where an event's gold set lives: ``<store>/gold/<event id>.jsonl``."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", event_id)
    if safe != event_id or safe.startswith("."):
        safe = f"{safe.lstrip('.')}-{text_sha256(event_id)[:8]}"
    return store.directory / GOLD_DIR / f"{safe}.jsonl"


def read_gold(path: Path | str, *, event_id: str | None = None) -> list[dict[str, Any]]:
    """Read a gold set written by :func:`import_coding` (optionally only one event's lines).

    Raises
    ------
    InputError
        When a line is not a JSON object with note id, code and offsets.
    """
    path = Path(path)
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read ({exc.__class__.__name__})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(path, "not a JSON line", line=number) from None
        if not isinstance(record, dict) or not {"note_id", "code", "start", "end"} <= record.keys():
            raise InputError(path, "a gold line needs note_id, code, start and end", line=number)
        if event_id is None or record.get("event_id", event_id) == event_id:
            records.append(record)
    return records


def read_human_coding(
    path: Path | str,
    store: Store,
    event_id: str,
    *,
    codebook: object | None = None,
    codebook_path: Path | None = None,
    adopt: bool = False,
    coder: str | None = None,
    keep_pigan: bool = False,
    nlp: Language | None = None,
) -> tuple[HumanCoding, RefiProject]:
    """Read a REFI-QDA file and map its human coding to the event's notes and sentences.

    Nothing is written. ``adopt`` maps codes that the file adds to the ids
    they get when the codebook changes are adopted.
    """
    project = read_refi(path)
    notes = store.notes(event_id)
    tree = with_flags(code_tree(codebook if codebook is not None else codebook_path))
    pigan_ids = {node.code_id for node in walk(tree)}
    matches = match_codes(project.codes, tree)
    coding = HumanCoding(event_id=event_id, path=Path(path))
    if project.kind != "project":
        coding.changes = find_changes(project.codes, tree, matches)
        return coding, project

    note_by_id = {note.note_id: note for note in notes}
    located = _locate_all(project, NoteIndex(notes, event_id))
    pigan_tags = stored_tags(store, event_id)
    coding.changes = find_changes(
        project.codes, tree, matches, merge_evidence=_merge_evidence(project, located, matches, pigan_tags)
    )
    effective = _effective_ids(matches, coding.changes, pigan_ids, adopt=adopt)
    humans = _choose_coder(project, coder)

    if nlp is None:
        from pigan.nlp import load_model

        nlp = load_model()
    wanted = sorted({loc.note_id for _, _, loc in located if loc.note_id is not None})
    sentences = dict(zip(wanted, sentence_spans([note_by_id[n].text for n in wanted], nlp), strict=True))
    codes = project.code_index()
    for source, selection, loc in located:
        for refi in selection.codings:
            user = refi.user or selection.user
            name = codes[refi.code].name if refi.code in codes else refi.code
            if _is_pigan(user, selection, refi.guid, refi.code, event_id, loc, matches) and not keep_pigan:
                coding.pigan_codings += 1
                continue
            who = project.users.get(user or "", user or "unknown coder")
            if humans is not None and who not in humans:
                coding.other_coders[who] = coding.other_coders.get(who, 0) + 1
                continue
            span = f"{selection.start}:{selection.end}"
            if loc.note_id is None:
                coding.unmapped.append(_unmapped(source.name, selection, name, loc.reason or "not mapped"))
                continue
            code_id = effective.get(refi.code)
            if code_id is None:
                reason = (
                    "code not in the file's codebook"
                    if refi.code not in codes
                    else ("code not in pigan's codebook (adopt it with --codebook-out)")
                )
                coding.unmapped.append(_unmapped(source.name, selection, name, reason))
                continue
            note = note_by_id[loc.note_id]
            spans = sentences[loc.note_id]
            touched = overlapping(spans, loc.start, loc.end, note.text)
            if not touched:
                coding.unmapped.append(_unmapped(source.name, selection, name, "selects only white space"))
                continue
            if who not in coding.coders:
                coding.coders.append(who)
            log.debug("mapped selection %s (%s) to note %s", selection.guid, span, loc.note_id)
            coding.records.append(
                {
                    "event_id": event_id,
                    "note_id": loc.note_id,
                    "code": code_id,
                    "top_code": top_of(code_id),
                    "start": loc.start,
                    "end": loc.end,
                    "sentences": [list(spans[i]) for i in touched],
                    "coder": who,
                    "file_code": name,
                    "selection": selection.guid,
                    "source": source.name,
                    "note_sha256": text_sha256(note.text),
                }
            )
    return coding, project


def import_coding(
    path: Path | str,
    store: Store,
    event_id: str,
    *,
    codebook_path: Path | None = None,
    codebook_out: Path | None = None,
    coder: str | None = None,
    keep_pigan: bool = False,
    nlp: Language | None = None,
) -> ImportReport:
    """Import a REFI-QDA project (``.qdpx``) or codebook (``.qdc``) coded in another tool.

    Parameters
    ----------
    path
        The file written by NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette...
    store
        The open store holding the event's notes.
    event_id
        The event the coding belongs to.
    codebook_path
        The local codebook YAML to compare with (default: the packaged one).
    codebook_out
        Write the codebook with the file's renamed, redefined, added and
        merged codes adopted to this YAML file.
    coder
        Take only this user's coding as gold (default: every human coder).
    keep_pigan
        Count codings made by pigan itself (left in the file) as gold too.

    Returns
    -------
    ImportReport
        The gold set's counts, what could not be mapped and why, the codebook
        differences, and the files written.

    Raises
    ------
    InputError
        For a file that is refused (nothing is written).
    """
    adopt = codebook_out is not None
    yaml_path, raw = read_codebook_yaml(codebook_path)
    coding, project = read_human_coding(
        path,
        store,
        event_id,
        codebook=raw,
        codebook_path=yaml_path,
        adopt=adopt,
        coder=coder,
        keep_pigan=keep_pigan,
        nlp=nlp,
    )
    report = ImportReport(coding=coding, kind=project.kind)
    pending: list[tuple[Path, bytes]] = []
    if codebook_out is not None:
        adopted = adopt_changes(raw, coding.changes, note=Path(path).stem)
        _validate_codebook(adopted, str(codebook_out))
        header = (
            f"# Adopted from {Path(path).name} by pigan import-coding: "
            + ", ".join(f"{c.kind} {c.code_id}" for c in coding.changes if c.adoptable)
            + "\n"
        )
        text = header + yaml.safe_dump(adopted, sort_keys=False, allow_unicode=True, width=100)
        pending.append((Path(codebook_out), text.encode("utf-8")))
        report.codebook_out = Path(codebook_out)
    if project.kind == "project":
        target = gold_path(store, event_id)
        if target.exists():
            report.replaced = len(read_gold(target))
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in coding.records)
        pending.append((target, lines.encode("utf-8")))
        report.gold_path = target
    _write_all(pending)
    return report


# -- internals ------------------------------------------------------------------


def _validate_codebook(data: dict[str, Any], source: str) -> None:
    """Refuse to write an adopted codebook that the tagger would not load."""
    from pigan.tagging.codebook import codebook_from_dict

    codebook_from_dict(data, source=source)


def _unmapped(source: str, selection: RefiSelection, code: str, reason: str) -> Unmapped:
    return Unmapped(source, selection.guid, selection.start, selection.end, code, reason)


def _locate_all(project: RefiProject, index: NoteIndex) -> list[tuple[Any, RefiSelection, Any]]:
    located = []
    for source in project.sources:
        if not source.selections:
            continue
        layout = layout_source(source, index)
        for selection in source.selections:
            if selection.codings:
                located.append((source, selection, locate(layout, selection.start, selection.end, index)))
    return located


def _merge_evidence(
    project: RefiProject,
    located: list[tuple[Any, RefiSelection, Any]],
    matches: dict[str, Any],
    pigan_tags: list[dict[str, Any]],
) -> dict[str, Counter[str]]:
    """For each pigan code, which codes the file now puts on the spans pigan tagged with it."""
    tagged: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for tag in pigan_tags:
        tagged[(tag["note_id"], int(tag["start"]), int(tag["end"]))].add(str(tag["code"]))
    evidence: dict[str, Counter[str]] = defaultdict(Counter)
    for _, selection, loc in located:
        if loc.note_id is None:
            continue
        before = tagged.get((loc.note_id, loc.start, loc.end))
        if not before:
            continue
        now = {matches[c.code].code_id for c in selection.codings if c.code in matches}
        now.discard(None)
        for old in before:
            if old not in now:
                for new in now:
                    evidence[old][str(new)] += 1
    return evidence


def _effective_ids(
    matches: dict[str, Any], changes: list[CodebookChange], pigan_ids: set[str], *, adopt: bool
) -> dict[str, str | None]:
    """The pigan code id each of the file's codes counts as in the gold set."""
    effective: dict[str, str | None] = {guid: m.code_id for guid, m in matches.items()}
    for change in changes:
        if change.kind != "added" or change.guid is None:
            continue
        if adopt and change.adoptable:
            effective[change.guid] = change.code_id
        elif change.target in pigan_ids:
            effective[change.guid] = change.target  # a topic pigan lacks counts for its parent
        else:
            effective[change.guid] = None
    return effective


def _choose_coder(project: RefiProject, coder: str | None) -> set[str] | None:
    if coder is None:
        return None
    names = set(project.users.values())
    if coder not in names:
        known = ", ".join(sorted(n for n in names if n)) or "none"
        raise InputError(project.path, f"no coder named {coder!r} in the file (coders: {known})")
    return {coder}


def _is_pigan(
    user: str | None,
    selection: RefiSelection,
    coding_guid: str,
    code_guid: str,
    event_id: str,
    loc: Any,
    matches: dict[str, Any],
) -> bool:
    """A coding pigan made: pigan's user, or pigan's own coding GUID on pigan's selection."""
    if user == PIGAN_USER_GUID:
        return True
    if loc.note_id is None:
        return False
    if selection.guid != selection_guid(event_id, loc.note_id, loc.start, loc.end):
        return False
    match = matches.get(code_guid)
    code_id = match.code_id if match is not None else None
    return code_id is not None and coding_guid == make_guid(
        "coding", event_id, loc.note_id, str(loc.start), str(loc.end), code_id
    )


def _write_all(pending: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary name first, then rename them all, so a failure writes nothing."""
    temps: list[tuple[str, Path]] = []
    try:
        for target, data in pending:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
    except OSError as exc:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise PiganError(f"cannot write ({exc.strerror}); nothing was written") from None
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in temps:
        os.replace(tmp, target)


__all__ = [
    "HumanCoding",
    "ImportReport",
    "Unmapped",
    "gold_path",
    "import_coding",
    "read_gold",
    "read_human_coding",
]
