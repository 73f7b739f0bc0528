"""The codebook as a tree of codes, and the stable GUIDs that REFI-QDA files give them.

The exporters and importers work on :class:`CodeNode` trees rather than on the
tagging module's codebook object, so that a codebook arrives here in any of
the forms pigan has: the loaded :class:`pigan.tagging.codebook.Codebook`, the
parsed YAML mapping (the format agreed in ``codebook.yaml``), or a path.

Every GUID pigan writes is a UUID version 5 of a readable name in pigan's own
namespace, so the same code, note or tag keeps the same GUID across exports
and a file coded elsewhere can be matched back to what pigan wrote.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pigan.errors import ConfigError

log = logging.getLogger(__name__)

#: The namespace of every GUID pigan writes (a fixed UUID: never change it, GUIDs depend on it).
PIGAN_NAMESPACE = uuid.UUID("7b0f3f5e-2d1c-5a8e-9c41-6e1d2a9b7c30")

#: Flag codes that the tagger sets besides themes, exported under one category.
FLAGS_CATEGORY = "flags"
FLAG_CODES: dict[str, tuple[str, str]] = {
    "blame": ("Blame language", "Language that apportions blame to a person or agency."),
    "singling_out": ("Singling out", "Language that singles out an individual practitioner."),
}
FLAGS_LABEL = "Flags (pigan)"
FLAGS_DEFINITION = "Language the event should avoid: blame and singling out (flagged, not a theme)."
FLAGS_COLOUR = "#999999"

#: Marker put at the end of each exported description so a code can be recognised
#: even when another tool gives it a new GUID.
ID_MARKER = "pigan id: "
_ID_MARKER_RE = re.compile(r"pigan id:\s*([A-Za-z0-9_.\-]+)")
_COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}")


def make_guid(kind: str, *parts: str) -> str:
    """A stable GUID for a thing pigan exports (``kind`` is "code", "source", "selection"...)."""
    return str(uuid.uuid5(PIGAN_NAMESPACE, "/".join((kind, *parts))))


def code_guid(code_id: str) -> str:
    """The GUID of a code: the same code id always gives the same GUID."""
    return make_guid("code", code_id)


#: The GUID of pigan as a coder in REFI-QDA projects.
PIGAN_USER_GUID = make_guid("user", "pigan")


@dataclass
class CodeNode:
    """One code of the two-level hierarchy.

    ``code_id`` is pigan's id ("context" for a top-level code,
    "context.workload" for a topic); ``children`` are the topics of a
    top-level code.
    """

    code_id: str
    label: str
    definition: str = ""
    colour: str | None = None
    children: list[CodeNode] = field(default_factory=list)

    @property
    def guid(self) -> str:
        """The code's stable GUID."""
        return code_guid(self.code_id)

    @property
    def top_id(self) -> str:
        """The id of the top-level code this code belongs to."""
        return self.code_id.split(".", 1)[0]

    def walk(self) -> Iterator[CodeNode]:
        """This code and then its children."""
        yield self
        for child in self.children:
            yield from child.walk()


def walk(tree: Iterable[CodeNode]) -> Iterator[CodeNode]:
    """Every code of a tree, parents before children."""
    for node in tree:
        yield from node.walk()


def valid_colour(value: object) -> str | None:
    """``value`` as ``#RRGGBB`` (upper case) when it is one, else ``None``."""
    if isinstance(value, str) and _COLOUR_RE.fullmatch(value.strip()):
        return value.strip().upper()
    return None


def marker_id(description: str | None) -> str | None:
    """The pigan code id recorded in an exported description, if any."""
    if not description:
        return None
    found = _ID_MARKER_RE.search(description)
    return found.group(1) if found else None


def packaged_codebook_path() -> Path:
    """The codebook YAML shipped with pigan."""
    return Path(str(resources.files("pigan") / "resources" / "codebook.yaml"))


def read_codebook_yaml(path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Read a codebook YAML file (default: the packaged one) as a plain mapping.

    Raises
    ------
    ConfigError
        When the file is missing or is not a mapping with a ``codes`` mapping.
    """
    chosen = Path(path) if path is not None else packaged_codebook_path()
    try:
        data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{chosen}: no such codebook file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{chosen}: cannot read the codebook ({exc.__class__.__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{chosen}{where}: not valid YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise ConfigError(f"{chosen}: a codebook needs a 'codes' mapping at the top level")
    return chosen, data


def tree_from_mapping(data: Mapping[str, Any], *, source: str = "codebook") -> list[CodeNode]:
    """The code tree of a codebook in the YAML format (``codes: {id: {label, topics: {...}}}``)."""
    codes = data.get("codes")
    if not isinstance(codes, Mapping):
        raise ConfigError(f"{source}: a codebook needs a 'codes' mapping")
    tree = []
    for top_id, top in codes.items():
        if not isinstance(top, Mapping):
            raise ConfigError(f"{source}: codes.{top_id} must be a mapping")
        colour = valid_colour(top.get("colour"))
        node = CodeNode(str(top_id), str(top.get("label") or top_id), _text(top.get("definition")), colour)
        topics = top.get("topics") or {}
        if not isinstance(topics, Mapping):
            raise ConfigError(f"{source}: codes.{top_id}.topics must be a mapping")
        for topic_id, topic in topics.items():
            topic = topic if isinstance(topic, Mapping) else {}
            node.children.append(
                CodeNode(
                    f"{top_id}.{topic_id}",
                    str(topic.get("label") or topic_id),
                    _text(topic.get("definition")),
                    valid_colour(topic.get("colour")) or colour,
                )
            )
        tree.append(node)
    return tree


def code_tree(codebook: object | None = None) -> list[CodeNode]:
    """The two-level code tree of a codebook.

    Parameters
    ----------
    codebook
        A loaded codebook object (with ``codes`` top-level codes that have
        ``id``/``label``/``definition``/``colour`` and ``topics``), a mapping in
        the YAML format, a path to a YAML file, or ``None`` for the packaged one.
    """
    if codebook is None or isinstance(codebook, str | Path):
        path = Path(codebook) if codebook is not None else None
        chosen, data = read_codebook_yaml(path)
        return tree_from_mapping(data, source=str(chosen))
    if isinstance(codebook, Mapping):
        return tree_from_mapping(codebook)
    return _tree_from_object(codebook)


def codebook_version(codebook: object | None) -> str | None:
    """The codebook's version string, when it has one."""
    if codebook is None or isinstance(codebook, str | Path):
        _, data = read_codebook_yaml(Path(codebook) if codebook is not None else None)
        value = data.get("version")
    elif isinstance(codebook, Mapping):
        value = codebook.get("version")
    else:
        value = getattr(codebook, "version", None)
    return None if value is None else str(value)


def with_flags(tree: list[CodeNode]) -> list[CodeNode]:
    """The tree plus pigan's flag codes (blame, singling out) under one category."""
    if any(node.code_id == FLAGS_CATEGORY for node in tree):
        return tree
    flags = CodeNode(FLAGS_CATEGORY, FLAGS_LABEL, FLAGS_DEFINITION, FLAGS_COLOUR)
    for code, (label, definition) in FLAG_CODES.items():
        # Flag ids stay as the tagger writes them ("blame"), not "flags.blame".
        flags.children.append(CodeNode(code, label, definition, FLAGS_COLOUR))
    return [*tree, flags]


def counted(tag: Mapping[str, Any]) -> bool:
    """Whether a stored tag counts as its theme, as the tagger counts it: neither negated nor hypothetical.

    (The tagger never marks codes that the codebook keeps, such as hypothetical
    recommendations, so their tags count.)
    """
    return not tag.get("negated") and not tag.get("hypothetical")


def top_of(code_id: str) -> str:
    """The top-level code of a code id ("context.workload" -> "context"; flags stay themselves)."""
    return code_id.split(".", 1)[0]


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _tree_from_object(codebook: object) -> list[CodeNode]:
    """Adapt a loaded codebook object by its attributes (``codes`` and their ``topics``)."""
    codes = getattr(codebook, "codes", None)
    if codes is None:
        raise ConfigError(f"not a codebook: {type(codebook).__name__} has no 'codes'")
    items: Iterable[tuple[str, Any]]
    if isinstance(codes, Mapping):
        items = ((str(k), v) for k, v in codes.items())
    else:
        items = ((str(_attr(c, "id", "code_id", "name")), c) for c in codes)
    tree = []
    for top_id, top in items:
        colour = valid_colour(_attr(top, "colour", "color"))
        node = CodeNode(top_id, str(_attr(top, "label") or top_id), _text(_attr(top, "definition")), colour)
        topics = _attr(top, "topics") or {}
        topic_items: Iterable[tuple[str, Any]]
        if isinstance(topics, Mapping):
            topic_items = ((str(k), v) for k, v in topics.items())
        else:
            topic_items = ((str(_attr(t, "id", "code_id", "name")), t) for t in topics)
        for topic_id, topic in topic_items:
            full = topic_id if topic_id.startswith(f"{top_id}.") else f"{top_id}.{topic_id}"
            node.children.append(
                CodeNode(
                    full,
                    str(_attr(topic, "label") or topic_id.rsplit(".", 1)[-1]),
                    _text(_attr(topic, "definition")),
                    valid_colour(_attr(topic, "colour", "color")) or colour,
                )
            )
        tree.append(node)
    return tree


def _attr(obj: object, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None
