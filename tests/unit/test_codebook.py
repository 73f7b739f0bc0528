"""The codebook and rule files: the packaged ones load, and a broken file says which file and key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from pigan.errors import ConfigError
from pigan.tagging.codebook import (
    TOP_LEVEL_CODES,
    load_codebook,
    load_context_rules,
    load_flag_rules,
)

MINIMAL = """\
version: "t1"
codes:
  context:
    label: Context
    definition: Conditions at the time.
    colour: "#E69F00"
    topics:
      workload:
        label: Workload
        definition: How much work there was.
        cues: [caseload]
"""


def write(tmp_path: Path, text: str, name: str = "codebook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_codebook_has_the_five_top_level_codes_in_order() -> None:
    book = load_codebook()
    assert book.code_ids == TOP_LEVEL_CODES
    assert book.version
    assert len(book.topics) >= 30
    assert book.topic("context.workload").code == "context"
    assert book.top_code_of("good_practice.persistence") == "good_practice"


def test_every_packaged_topic_has_a_label_definition_cues_and_an_example() -> None:
    for topic in load_codebook().topics:
        assert topic.label and topic.definition, topic.id
        assert topic.cues or topic.patterns, topic.id
        assert topic.examples, topic.id


def test_codes_say_which_negations_and_hypotheticals_they_keep() -> None:
    book = load_codebook()
    assert book.code("decision_influence").keep_negated  # "there was no risk assessment"
    assert book.code("recommendation").keep_hypothetical  # "it would help if..."
    good = book.code("good_practice")
    assert not good.keep_negated and not good.keep_hypothetical  # "an advocate would have helped"


def test_a_codebook_given_by_path_replaces_the_packaged_one(tmp_path: Path) -> None:
    book = load_codebook(write(tmp_path, MINIMAL))
    assert book.version == "t1"
    assert [t.id for t in book.topics] == ["context.workload"]
    assert book.source.endswith("codebook.yaml")
    assert len(book.sha256) == 64


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('version: "t1"\n', "", "version", "missing"),
        (
            "        cues: [caseload]\n",
            "        cues: [caseload, no]\n",
            "codes.context.topics.workload.cues[1]",
            "expected non-empty text",
        ),
        (
            "        cues: [caseload]\n",
            "        cues: caseload\n",
            "codes.context.topics.workload.cues",
            "expected a list",
        ),
        (
            "        cues: [caseload]\n",
            "        cues: []\n",
            "codes.context.topics.workload",
            "at least one cue or pattern",
        ),
        (
            "        cues: [caseload]\n",
            "        cues: [caseload]\n        patterns: [[{LOWER: {IN: x}}]]\n",
            "codes.context.topics.workload.patterns[0]",
            "invalid token pattern",
        ),
        ('    colour: "#E69F00"\n', "    colour: orange\n", "codes.context.colour", "expected a colour"),
        (
            "    label: Context\n",
            "    label: Context\n    keep_negated: sometimes\n",
            "codes.context.keep_negated",
            "expected true or false",
        ),
        (
            "        label: Workload\n",
            "        label: Workload\n        cue: [x]\n",
            "codes.context.topics.workload.cue",
            "unknown key",
        ),
        ("  context:\n", "  Context:\n", "codes.Context", "lower-case"),
    ],
    ids=[
        "missing-version",
        "unquoted-no-is-a-boolean",
        "cues-not-a-list",
        "topic-without-cues",
        "bad-token-pattern",
        "bad-colour",
        "keep-flag-not-boolean",
        "misspelt-key",
        "capitalised-id",
    ],
)
def test_invalid_codebook_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_codebook(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}:"), message
    assert problem in message


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("label: Workload", "label: [Workload"))
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: "):
        load_codebook(path)


def test_missing_codebook_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_codebook(tmp_path / "absent.yaml")


def test_packaged_negation_rules_have_the_negex_cue_kinds() -> None:
    rules = load_context_rules()
    for cues in (rules.negation, rules.hypothetical):
        assert cues.pseudo and cues.preceding and cues.following and cues.termination
    assert "no concerns about" in rules.ruling_out.preceding


def packaged(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("pigan").joinpath("resources", name).read_text("utf-8")
    )
    return data


def test_negation_rules_without_a_kind_name_it(tmp_path: Path) -> None:
    data = packaged("negation.yaml")
    del data["hypothetical"]["termination"]
    path = write(tmp_path, yaml.safe_dump(data), "negation.yaml")
    with pytest.raises(ConfigError, match=r"negation\.yaml: hypothetical\.termination: missing"):
        load_context_rules(path)


def test_packaged_blame_rules_load_with_hard_negatives() -> None:
    rules = load_flag_rules()
    assert "failed to" in rules.fault_cues
    assert "not about apportioning blame" in rules.not_blame
    assert "practitioners" in rules.generic_targets
    assert rules.singling_patterns


def test_blame_rules_with_a_wrong_list_name_the_key(tmp_path: Path) -> None:
    data = packaged("blame.yaml")
    data["blame"]["fault_cues"] = "failed to"
    path = write(tmp_path, yaml.safe_dump(data), "blame.yaml")
    with pytest.raises(ConfigError, match=r"blame\.yaml: blame\.fault_cues: expected a list"):
        load_flag_rules(path)
