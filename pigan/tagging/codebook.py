"""The codebook and the other rule files, loaded from YAML and validated.

Three data files drive tagging, each packaged in ``pigan/resources/`` and
overridable by a path:

- ``codebook.yaml``: the two-level codebook (top-level codes, their topics,
  cues, token patterns, examples);
- ``negation.yaml``: NegEx-style negation and hypothetical cues;
- ``blame.yaml``: blame-language and singling-out rules.

Loading validates the whole file and raises :class:`~pigan.errors.ConfigError`
naming the file and the key at fault (``codebook.yaml: codes.context.topics.
workload.cues[2]: expected a string``), so a reviewer who edits a file learns
at once what to fix.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pigan.errors import ConfigError

log = logging.getLogger(__name__)

#: The top-level codes of the packaged codebook, in order.
TOP_LEVEL_CODES: tuple[str, ...] = (
    "context",
    "decision_influence",
    "good_practice",
    "recommendation",
    "case_story",
)
#: The top-level codes that are purposes of the event (``case_story`` is not).
PURPOSE_CODES: tuple[str, ...] = TOP_LEVEL_CODES[:4]
#: The flags pigan raises beside the themes.
FLAG_CODES: tuple[str, ...] = ("blame", "singling_out")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

Pattern = list[dict[str, Any]]


# -- data types -------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A topic code under a top-level code, e.g. ``context.workload``."""

    id: str
    code: str
    key: str
    label: str
    definition: str
    cues: tuple[str, ...]
    patterns: tuple[Pattern, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """A top-level code (a purpose of the event, or ``case_story``)."""

    id: str
    label: str
    definition: str
    colour: str
    topics: tuple[Topic, ...]
    keep_negated: bool = False
    keep_hypothetical: bool = False


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: ``version``, the top-level ``codes`` and topic lookups."""

    version: str
    codes: tuple[Code, ...]
    source: str = "<memory>"
    sha256: str = ""

    @cached_property
    def code_ids(self) -> tuple[str, ...]:
        """The top-level code ids, in codebook order."""
        return tuple(code.id for code in self.codes)

    @cached_property
    def topics(self) -> tuple[Topic, ...]:
        """Every topic, in codebook order."""
        return tuple(topic for code in self.codes for topic in code.topics)

    @cached_property
    def _positions(self) -> dict[str, int]:
        ids = [*self.code_ids, *(t.id for t in self.topics)]
        return {code_id: index for index, code_id in enumerate(ids)}

    def code(self, code_id: str) -> Code:
        """The top-level code with this id.

        Raises
        ------
        KeyError
            When the codebook has no such code.
        """
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def topic(self, topic_id: str) -> Topic:
        """The topic with this full id (``"context.workload"``).

        Raises
        ------
        KeyError
            When the codebook has no such topic.
        """
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    def top_code_of(self, code_id: str) -> str:
        """The top-level code of a topic id or of a top-level code itself."""
        return code_id.split(".", 1)[0]

    def order(self, code_id: str) -> int:
        """Sort key putting codes and topics in codebook order (unknown ids last)."""
        return self._positions.get(code_id, len(self._positions))

    def to_dict(self) -> dict[str, Any]:
        """The codebook in the shape of ``codebook.yaml`` (plain, JSON-serialisable)."""
        codes: dict[str, Any] = {}
        for code in self.codes:
            entry: dict[str, Any] = {
                "label": code.label,
                "definition": code.definition,
                "colour": code.colour,
            }
            if code.keep_negated:
                entry["keep_negated"] = True
            if code.keep_hypothetical:
                entry["keep_hypothetical"] = True
            entry["topics"] = {
                topic.key: {
                    "label": topic.label,
                    "definition": topic.definition,
                    "cues": list(topic.cues),
                    "patterns": [list(p) for p in topic.patterns],
                    "examples": list(topic.examples),
                }
                for topic in code.topics
            }
            codes[code.id] = entry
        return {"version": self.version, "codes": codes}


@dataclass(frozen=True)
class CueSet:
    """NegEx cue lists of one kind (negation or hypothetical)."""

    pseudo: tuple[str, ...]
    preceding: tuple[str, ...]
    following: tuple[str, ...]
    termination: tuple[str, ...]


@dataclass(frozen=True)
class ContextRules:
    """Negation and hypothetical cues (``negation.yaml``)."""

    version: str
    negation: CueSet
    hypothetical: CueSet
    ruling_out: CueSet = CueSet((), (), (), ())
    source: str = "<memory>"

    def to_dict(self) -> dict[str, Any]:
        """The rules in the shape of ``negation.yaml``."""
        return {
            "version": self.version,
            "negation": _cueset_dict(self.negation),
            "hypothetical": _cueset_dict(self.hypothetical),
            "ruling_out": {
                "preceding": list(self.ruling_out.preceding),
                "following": list(self.ruling_out.following),
            },
        }


@dataclass(frozen=True)
class FlagRules:
    """Blame-language and singling-out rules (``blame.yaml``)."""

    version: str
    fault_cues: tuple[str, ...]
    judgement_cues: tuple[str, ...]
    roles: tuple[str, ...]
    agencies: tuple[str, ...]
    persons: tuple[str, ...]
    generic_targets: tuple[str, ...]
    not_blame: tuple[str, ...]
    singling_cues: tuple[str, ...]
    singling_patterns: tuple[Pattern, ...] = field(default_factory=tuple)
    target_heads: tuple[str, ...] = ()
    not_targets: tuple[str, ...] = ()
    source: str = "<memory>"

    def to_dict(self) -> dict[str, Any]:
        """The rules in the shape of ``blame.yaml``."""
        return {
            "version": self.version,
            "blame": {
                "fault_cues": list(self.fault_cues),
                "judgement_cues": list(self.judgement_cues),
                "targets": {
                    "roles": list(self.roles),
                    "agencies": list(self.agencies),
                    "persons": list(self.persons),
                    "heads": list(self.target_heads),
                    "not_targets": list(self.not_targets),
                },
                "generic_targets": list(self.generic_targets),
                "not_blame": list(self.not_blame),
            },
            "singling_out": {
                "cues": list(self.singling_cues),
                "patterns": [list(p) for p in self.singling_patterns],
            },
        }


# -- loading ------------------------------------------------------------------------


def load_codebook(path: Path | str | None = None) -> Codebook:
    """Load and validate the codebook (the packaged one unless ``path`` is given).

    Raises
    ------
    ConfigError
        When the file cannot be read or parsed, or a key is missing or wrong;
        the message names the file and the key.
    """
    name, text = _read_resource(path, "codebook.yaml")
    data = _parse_yaml(name, text)
    codebook = codebook_from_dict(data, source=name)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Codebook(codebook.version, codebook.codes, source=name, sha256=sha)


def codebook_from_dict(data: Any, *, source: str = "<memory>") -> Codebook:
    """Validate a codebook given as plain data (the shape of ``codebook.yaml``).

    Raises
    ------
    ConfigError
        When a key is missing or wrong; the message names ``source`` and the key.
    """
    check = _Checker(source)
    root = check.mapping(data, "")
    version = check.string(root, "version", "")
    codes_data = check.mapping(check.required(root, "codes", ""), "codes")
    if not codes_data:
        raise check.error("codes", "the codebook has no codes")
    codes: list[Code] = []
    for code_id, code_value in codes_data.items():
        where = f"codes.{code_id}"
        check.identifier(code_id, where)
        entry = check.mapping(code_value, where)
        topics_data = check.mapping(check.required(entry, "topics", where), f"{where}.topics")
        topics: list[Topic] = []
        for key, topic_value in topics_data.items():
            twhere = f"{where}.topics.{key}"
            check.identifier(key, twhere)
            tentry = check.mapping(topic_value, twhere)
            cues = check.strings(tentry.get("cues", []), f"{twhere}.cues")
            patterns = check.patterns(tentry.get("patterns", []) or [], f"{twhere}.patterns")
            if not cues and not patterns:
                raise check.error(twhere, "a topic needs at least one cue or pattern")
            check.unknown_keys(tentry, {"label", "definition", "cues", "patterns", "examples", "why"}, twhere)
            topics.append(
                Topic(
                    id=f"{code_id}.{key}",
                    code=code_id,
                    key=key,
                    label=check.string(tentry, "label", twhere),
                    definition=check.string(tentry, "definition", twhere),
                    cues=cues,
                    patterns=patterns,
                    examples=check.strings(tentry.get("examples", []) or [], f"{twhere}.examples"),
                )
            )
        colour = check.string(entry, "colour", where)
        if not _COLOUR.match(colour):
            raise check.error(f"{where}.colour", f"expected a colour like '#E69F00', got {colour!r}")
        check.unknown_keys(
            entry,
            {"label", "definition", "colour", "topics", "keep_negated", "keep_hypothetical", "why"},
            where,
        )
        codes.append(
            Code(
                id=code_id,
                label=check.string(entry, "label", where),
                definition=check.string(entry, "definition", where),
                colour=colour,
                topics=tuple(topics),
                keep_negated=check.boolean(entry, "keep_negated", where),
                keep_hypothetical=check.boolean(entry, "keep_hypothetical", where),
            )
        )
    return Codebook(version=version, codes=tuple(codes), source=source)


def load_context_rules(path: Path | str | None = None) -> ContextRules:
    """Load and validate the negation and hypothetical cues (``negation.yaml``).

    Raises
    ------
    ConfigError
        When the file cannot be read, or a kind or cue list is missing or wrong.
    """
    name, text = _read_resource(path, "negation.yaml")
    return context_rules_from_dict(_parse_yaml(name, text), source=name)


def context_rules_from_dict(data: Any, *, source: str = "<memory>") -> ContextRules:
    """Validate negation rules given as plain data (the shape of ``negation.yaml``)."""
    check = _Checker(source)
    root = check.mapping(data, "")
    sets: dict[str, CueSet] = {}
    for kind in ("negation", "hypothetical"):
        entry = check.mapping(check.required(root, kind, ""), kind)
        lists = {
            part: check.strings(check.required(entry, part, kind), f"{kind}.{part}")
            for part in ("pseudo", "preceding", "following", "termination")
        }
        sets[kind] = CueSet(**lists)
    ruling = check.mapping(root.get("ruling_out") or {}, "ruling_out")
    ruling_out = CueSet(
        pseudo=sets["negation"].pseudo,
        preceding=check.strings(ruling.get("preceding", []) or [], "ruling_out.preceding"),
        following=check.strings(ruling.get("following", []) or [], "ruling_out.following"),
        termination=sets["negation"].termination,
    )
    return ContextRules(
        version=check.string(root, "version", ""),
        negation=sets["negation"],
        hypothetical=sets["hypothetical"],
        ruling_out=ruling_out,
        source=source,
    )


def load_flag_rules(path: Path | str | None = None) -> FlagRules:
    """Load and validate the blame and singling-out rules (``blame.yaml``).

    Raises
    ------
    ConfigError
        When the file cannot be read, or a list is missing or wrong.
    """
    name, text = _read_resource(path, "blame.yaml")
    return flag_rules_from_dict(_parse_yaml(name, text), source=name)


def flag_rules_from_dict(data: Any, *, source: str = "<memory>") -> FlagRules:
    """Validate flag rules given as plain data (the shape of ``blame.yaml``)."""
    check = _Checker(source)
    root = check.mapping(data, "")
    blame = check.mapping(check.required(root, "blame", ""), "blame")
    targets = check.mapping(check.required(blame, "targets", "blame"), "blame.targets")
    single = check.mapping(check.required(root, "singling_out", ""), "singling_out")
    return FlagRules(
        version=check.string(root, "version", ""),
        fault_cues=check.strings(check.required(blame, "fault_cues", "blame"), "blame.fault_cues"),
        judgement_cues=check.strings(
            check.required(blame, "judgement_cues", "blame"), "blame.judgement_cues"
        ),
        roles=check.strings(check.required(targets, "roles", "blame.targets"), "blame.targets.roles"),
        agencies=check.strings(
            check.required(targets, "agencies", "blame.targets"), "blame.targets.agencies"
        ),
        persons=check.strings(targets.get("persons", []) or [], "blame.targets.persons"),
        target_heads=tuple(
            h.lower() for h in check.strings(targets.get("heads", []) or [], "blame.targets.heads")
        ),
        not_targets=tuple(
            h.lower()
            for h in check.strings(targets.get("not_targets", []) or [], "blame.targets.not_targets")
        ),
        generic_targets=check.strings(
            check.required(blame, "generic_targets", "blame"), "blame.generic_targets"
        ),
        not_blame=check.strings(check.required(blame, "not_blame", "blame"), "blame.not_blame"),
        singling_cues=check.strings(single.get("cues", []) or [], "singling_out.cues"),
        singling_patterns=check.patterns(single.get("patterns", []) or [], "singling_out.patterns"),
        source=source,
    )


# -- helpers --------------------------------------------------------------------------


def _read_resource(path: Path | str | None, default_name: str) -> tuple[str, str]:
    """The display name and text of a rule file: ``path``, else the packaged resource."""
    if path is None:
        resource = resources.files("pigan").joinpath("resources", default_name)
        return default_name, resource.read_text(encoding="utf-8")
    file = Path(path)
    try:
        return str(file), file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read ({exc.strerror})") from None


def _parse_yaml(name: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{where}: {problem}") from None


def _cueset_dict(cues: CueSet) -> dict[str, list[str]]:
    return {
        "pseudo": list(cues.pseudo),
        "preceding": list(cues.preceding),
        "following": list(cues.following),
        "termination": list(cues.termination),
    }


class _Checker:
    """Validation helpers whose errors name the file and the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, problem: str) -> ConfigError:
        where = f"{self.source}: {key}" if key else self.source
        return ConfigError(f"{where}: {problem}")

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a mapping, got {_kind(value)}")
        for name in value:
            if not isinstance(name, str):
                raise self.error(key, f"keys must be text, got {_kind(name)}")
        return value

    def required(self, mapping: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in mapping or mapping[name] is None:
            raise self.error(_join(key, name), "missing")
        return mapping[name]

    def string(self, mapping: Mapping[str, Any], name: str, key: str) -> str:
        value = self.required(mapping, name, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.error(_join(key, name), f"expected non-empty text, got {_kind(value)}")
        return value.strip()

    def boolean(self, mapping: Mapping[str, Any], name: str, key: str) -> bool:
        value = mapping.get(name, False)
        if not isinstance(value, bool):
            raise self.error(_join(key, name), f"expected true or false, got {_kind(value)}")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(key, f"expected a list of text, got {_kind(value)}")
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{index}]", f"expected non-empty text, got {_kind(item)}")
            out.append(item.strip())
        return tuple(out)

    def identifier(self, name: str, key: str) -> None:
        if not _ID.match(name):
            raise self.error(key, "ids must be lower-case letters, digits and underscores")

    def unknown_keys(self, mapping: Mapping[str, Any], allowed: set[str], key: str) -> None:
        unknown = sorted(set(mapping) - allowed)
        if unknown:
            raise self.error(
                _join(key, unknown[0]), f"unknown key (expected one of {', '.join(sorted(allowed))})"
            )

    def patterns(self, value: Any, key: str) -> tuple[Pattern, ...]:
        from spacy.schemas import validate_token_pattern

        if not isinstance(value, list):
            raise self.error(key, f"expected a list of token patterns, got {_kind(value)}")
        out: list[Pattern] = []
        for index, pattern in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
                raise self.error(where, "expected a token pattern: a list of token dicts")
            problems = validate_token_pattern(pattern)
            if problems:
                raise self.error(where, f"invalid token pattern ({problems[0]})")
            # Round-trip through JSON so that the pattern is plain data.
            out.append(json.loads(json.dumps(pattern)))
        return tuple(out)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


__all__ = [
    "FLAG_CODES",
    "PURPOSE_CODES",
    "TOP_LEVEL_CODES",
    "Code",
    "Codebook",
    "ContextRules",
    "CueSet",
    "FlagRules",
    "Topic",
    "codebook_from_dict",
    "context_rules_from_dict",
    "flag_rules_from_dict",
    "load_codebook",
    "load_context_rules",
    "load_flag_rules",
]
