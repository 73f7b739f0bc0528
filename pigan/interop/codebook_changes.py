"""Match another tool's codes to pigan's codebook, find what changed, and adopt it.

A code written by another tool is matched to a pigan code by, in order: its
GUID (pigan's GUIDs are stable), the ``pigan id:`` line pigan writes in each
description, a name equal to a pigan code id (Taguette tags), or a name equal
to a pigan code's label (under the same parent when the parent is known).

Changes found: **renamed** (matched by GUID or id, new name), **redefined**
(new description), **added** (no match), **merged** (a pigan code missing
from the file whose tagged spans now carry another code), **moved** (a topic
under another parent) and **removed** (missing, no evidence of a merge).
Renamed, redefined, added and merged codes can be adopted into a codebook
YAML; moved and removed codes are reported, never applied silently.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pigan.interop.codes import (
    FLAG_CODES,
    FLAGS_CATEGORY,
    CodeNode,
    marker_id,
    valid_colour,
    walk,
)
from pigan.interop.refi_read import RefiCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeMatch:
    """How a code of the file was matched to pigan's codebook (``code_id`` None: not matched)."""

    guid: str
    name: str
    code_id: str | None
    method: str  # "guid", "id in description", "id as name", "label", "parent" or "none"


@dataclass(frozen=True)
class CodebookChange:
    """One difference between the file's codebook and pigan's."""

    kind: str  # renamed, redefined, added, merged, moved, removed
    code_id: str
    detail: str
    adoptable: bool
    new_label: str | None = None
    new_definition: str | None = None
    target: str | None = None  # merged into / parent of an added code
    colour: str | None = None
    guid: str | None = None  # the file's code, for added codes

    def describe(self) -> str:
        """One line for the command line."""
        return f"{self.kind:<9} {self.code_id}: {self.detail}"


def match_codes(codes: Iterable[RefiCode], tree: list[CodeNode]) -> dict[str, CodeMatch]:
    """Match every code of the file (at any depth) to a pigan code id, by GUID."""
    nodes = {node.code_id: node for node in walk(tree)}
    by_guid = {node.guid: node.code_id for node in nodes.values()}
    by_label: dict[str, list[str]] = {}
    for node in nodes.values():
        by_label.setdefault(_key(node.label), []).append(node.code_id)
    matches: dict[str, CodeMatch] = {}

    def visit(code: RefiCode, parent_id: str | None) -> None:
        code_id, method = None, "none"
        marked = marker_id(code.description)
        if code.guid in by_guid:
            code_id, method = by_guid[code.guid], "guid"
        elif marked in nodes:
            code_id, method = marked, "id in description"
        elif code.name in nodes:
            code_id, method = code.name, "id as name"
        else:
            candidates = by_label.get(_key(code.name), [])
            if parent_id is not None:
                under = [c for c in candidates if _parent(c) == parent_id]
                candidates = under or candidates
            if len(candidates) == 1:
                code_id, method = candidates[0], "label"
        matches[code.guid] = CodeMatch(code.guid, code.name, code_id, method)
        for child in code.children:
            visit(child, code_id)

    for code in codes:
        visit(code, None)
    return matches


def find_changes(
    codes: list[RefiCode],
    tree: list[CodeNode],
    matches: Mapping[str, CodeMatch],
    *,
    merge_evidence: Mapping[str, Counter[str]] | None = None,
) -> list[CodebookChange]:
    """The differences between the file's codebook and pigan's.

    Parameters
    ----------
    merge_evidence
        For a pigan code id, the codes (pigan ids) that the file puts on the
        spans pigan had tagged with it; used to tell a merge from a removal.
    """
    nodes = {node.code_id: node for node in walk(tree)}
    changes: list[CodebookChange] = []
    taken_ids = set(nodes)

    def visit(code: RefiCode, parent: RefiCode | None, parent_id: str | None) -> None:
        match = matches[code.guid]
        code_id = match.code_id
        if code_id is not None:
            node = nodes[code_id]
            by_id = match.method in {"guid", "id in description", "id as name"}
            if by_id and code.name not in {"", code_id} and _key(code.name) != _key(node.label):
                changes.append(
                    CodebookChange(
                        "renamed", code_id, f"{node.label!r} -> {code.name!r}", True, new_label=code.name
                    )
                )
            definition = _definition(code.description)
            if definition and _key(definition) != _key(node.definition):
                changes.append(
                    CodebookChange("redefined", code_id, "new description", True, new_definition=definition)
                )
            if parent_id is not None and "." in code_id and _parent(code_id) != parent_id:
                changes.append(
                    CodebookChange(
                        "moved", code_id, f"now under {parent_id} (not adopted: ids would change)", False
                    )
                )
        elif parent is None or (parent_id is not None and "." not in parent_id and parent_id in nodes):
            if parent is None:
                code_id = _unique(_slug(code.name), taken_ids)
                detail = f"new top-level code {code.name!r}"
            else:
                assert parent_id is not None
                if parent_id == FLAGS_CATEGORY:
                    code_id = _unique(_slug(code.name), taken_ids)
                else:
                    code_id = _unique(f"{parent_id}.{_slug(code.name)}", taken_ids)
                detail = f"new topic {code.name!r} under {parent_id}"
            taken_ids.add(code_id)
            changes.append(
                CodebookChange(
                    "added",
                    code_id,
                    detail,
                    parent_id != FLAGS_CATEGORY,
                    new_label=code.name,
                    new_definition=_definition(code.description),
                    target=parent_id,
                    colour=valid_colour(code.colour),
                    guid=code.guid,
                )
            )
            nodes[code_id] = CodeNode(code_id, code.name)
        else:
            where = parent_id or (parent.name if parent else "?")
            changes.append(
                CodebookChange(
                    "added",
                    f"{where}/{code.name}",
                    "a third level of codes: not adopted (pigan has two); its codings count for its parent",
                    False,
                    new_label=code.name,
                    target=parent_id,
                    guid=code.guid,
                )
            )
            code_id = parent_id
        for child in code.children:
            visit(child, code, code_id)

    for code in codes:
        visit(code, None, None)

    present = {m.code_id for m in matches.values() if m.code_id is not None}
    if not present:
        return changes  # a different codebook altogether: do not list every pigan code as removed
    for node in walk(tree):
        if node.code_id in present or node.code_id in FLAG_CODES or node.code_id == FLAGS_CATEGORY:
            continue
        if "." in node.code_id and _parent(node.code_id) not in present:
            continue  # reported with its parent
        evidence = (merge_evidence or {}).get(node.code_id)
        target = _merge_target(node.code_id, evidence)
        if target is not None:
            assert evidence is not None
            changes.append(
                CodebookChange(
                    "merged",
                    node.code_id,
                    f"into {target} ({evidence[target]} of its tagged spans now carry {target})",
                    True,
                    target=target,
                )
            )
        else:
            changes.append(
                CodebookChange(
                    "removed", node.code_id, "not in the file (kept: delete it by hand if intended)", False
                )
            )
    return changes


def adopted_ids(changes: Iterable[CodebookChange]) -> dict[str, str]:
    """For codes the adoption renames away (merged codes), the id they become."""
    return {c.code_id: c.target for c in changes if c.kind == "merged" and c.target}


def adopt_changes(data: Mapping[str, Any], changes: Iterable[CodebookChange], *, note: str) -> dict[str, Any]:
    """A copy of a codebook mapping (YAML format) with the adoptable changes applied.

    The version gets a ``+`` suffix naming the import (``note``) so that runs
    record that the codebook differs from the packaged one.
    """
    result: dict[str, Any] = copy.deepcopy(dict(data))
    codes: dict[str, Any] = result.setdefault("codes", {})
    chosen = [c for c in changes if c.adoptable]
    for change in chosen:
        if change.kind in {"renamed", "redefined"}:
            entry = _entry(codes, change.code_id)
            if entry is None:
                continue
            if change.new_label:
                entry["label"] = change.new_label
            if change.new_definition:
                entry["definition"] = change.new_definition
        elif change.kind == "added":
            _add(codes, change)
    for change in chosen:
        if change.kind == "merged" and change.target:
            _merge(codes, change.code_id, change.target)
    version = str(result.get("version") or "0")
    result["version"] = f"{version.split('+', 1)[0]}+{_slug(note) or 'import'}"
    return result


# -- internals ------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _parent(code_id: str) -> str:
    return code_id.split(".", 1)[0]


def _definition(description: str) -> str:
    """A description without pigan's id line, on one line."""
    kept = [line for line in description.splitlines() if not line.strip().startswith("pigan id:")]
    return " ".join(" ".join(kept).split())


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:40] or "code"


def _unique(code_id: str, taken: set[str]) -> str:
    candidate, n = code_id, 2
    while candidate in taken:
        candidate = f"{code_id}_{n}"
        n += 1
    return candidate


def _merge_target(code_id: str, evidence: Counter[str] | None) -> str | None:
    """The code most of the spans went to, when a clear majority did."""
    if not evidence:
        return None
    target, count = evidence.most_common(1)[0]
    if target == code_id or count * 2 <= sum(evidence.values()):
        return None
    return target


def _entry(codes: dict[str, Any], code_id: str) -> dict[str, Any] | None:
    top_id, _, topic_id = code_id.partition(".")
    top = codes.get(top_id)
    if not isinstance(top, dict):
        return None
    if not topic_id:
        return top
    topics = top.get("topics")
    entry = topics.get(topic_id) if isinstance(topics, dict) else None
    return entry if isinstance(entry, dict) else None


#: Okabe-Ito colours, for added top-level codes that come without one.
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")


def _add(codes: dict[str, Any], change: CodebookChange) -> None:
    label = change.new_label or change.code_id
    definition = change.new_definition or f"Added from a human coder's codebook ({label})."
    if "." not in change.code_id:
        used = {str(c.get("colour", "")).upper() for c in codes.values() if isinstance(c, dict)}
        spare = [c for c in _PALETTE if c not in used]
        top: dict[str, Any] = {
            "label": label,
            "definition": definition,
            "colour": change.colour or (spare[0] if spare else _PALETTE[-1]),
            "topics": {},
        }
        codes[change.code_id] = top
        return
    top_id, topic_id = change.code_id.split(".", 1)
    parent = codes.get(top_id)
    if not isinstance(parent, dict):
        return
    topics = parent.get("topics")
    if not isinstance(topics, dict):
        topics = parent["topics"] = {}
    # A topic needs a cue to be valid: its label is the first one, to be refined by hand.
    topics[topic_id] = {
        "label": label,
        "definition": definition,
        "why": "added by pigan import-coding from a human coder's codebook; its cue is its label: refine it",
        "cues": [label.casefold()],
        "patterns": [],
        "examples": [],
    }


def _merge(codes: dict[str, Any], source_id: str, target_id: str) -> None:
    """Fold one code into another: cues, patterns and examples join; topics move."""
    source = _entry(codes, source_id)
    target = _entry(codes, target_id)
    if source is None or target is None:
        return
    source_topics = source.get("topics") if "." not in source_id else None
    if "." not in target_id:
        target_topics = target.setdefault("topics", {})
        if source_topics:  # top into top: its topics move across
            for topic_id, topic in source_topics.items():
                if topic_id in target_topics:
                    _fold(target_topics[topic_id], topic)
                else:
                    target_topics[topic_id] = topic
        elif "." in source_id:  # topic into top: the topic moves under it
            topic_id = source_id.split(".", 1)[1]
            if topic_id in target_topics:
                _fold(target_topics[topic_id], source)
            else:
                target_topics[topic_id] = source
    else:
        if source_topics:
            for topic in source_topics.values():
                _fold(target, topic)
        else:
            _fold(target, source)
    top_id, _, topic_id = source_id.partition(".")
    if topic_id:
        del codes[top_id]["topics"][topic_id]
    else:
        del codes[top_id]


def _fold(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key in ("cues", "patterns", "examples"):
        items = list(target.get(key) or [])
        for item in source.get(key) or []:
            if item not in items:
                items.append(item)
        target[key] = items
