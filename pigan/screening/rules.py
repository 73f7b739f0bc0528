"""Screening rules: the YAML data in ``pigan/resources/pii_patterns.yaml``, validated and compiled.

The rules are data a reviewer can read and edit. :func:`load_rules` reads
them (the packaged file, or any path), checks every key the detectors need,
compiles every regular expression and raises :class:`~pigan.errors.ConfigError`
naming the file and key when something is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pigan.errors import ConfigError

#: The finding types, in the order reports list them.
FINDING_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "NHS_NUMBER",
    "NI_NUMBER",
    "POSTCODE",
    "DATE_OF_BIRTH",
    "ADDRESS",
    "FACILITY",
)

_REQUIRED: dict[str, tuple[str, ...]] = {
    "email": ("regex", "score", "why"),
    "phone": ("regex", "prefixes", "score", "context_score", "context", "window", "why"),
    "nhs_number": ("regex", "context", "window", "scores", "why"),
    "not_nhs_context": ("words", "window", "why"),
    "ni_number": (
        "regex",
        "first_letter_not",
        "second_letter_not",
        "prefixes_not",
        "test_prefixes",
        "context",
        "window",
        "scores",
        "why",
    ),
    "postcode": ("regex", "score", "lowercase_score", "why"),
    "date_of_birth": ("date_regex", "cues", "window_before", "window_after", "score", "why"),
    "address": (
        "street_types",
        "house_number",
        "building",
        "street_name",
        "town",
        "score",
        "street_only_score",
        "street_only_cues",
        "why",
    ),
    "facility": (
        "suffixes",
        "generic_words",
        "agency_tails",
        "ward_regex",
        "ward_not",
        "score",
        "ward_score",
        "why",
    ),
    "person": (
        "titles",
        "kinship",
        "name_cues",
        "family_cue",
        "age_cue",
        "scores",
        "why",
        "given_names",
        "ambiguous_given_names",
    ),
}


def _words_regex(words: list[str]) -> str:
    """An alternation of literal words and phrases, longest first, on word boundaries."""
    ordered = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    parts = [r"\s+".join(re.escape(piece) for piece in w.split()) for w in ordered]
    return r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])"


@dataclass
class Rules:
    """Compiled screening rules. Build with :func:`load_rules` or :meth:`from_data`.

    ``data`` keeps the plain mapping (for ``to_disk``); the other attributes
    are compiled from it.
    """

    data: dict[str, Any]
    source: str = "<data>"
    email: re.Pattern[str] = field(init=False)
    phone: re.Pattern[str] = field(init=False)
    phone_context: re.Pattern[str] = field(init=False)
    nhs: re.Pattern[str] = field(init=False)
    nhs_context: re.Pattern[str] = field(init=False)
    not_nhs_context: re.Pattern[str] = field(init=False)
    ni: re.Pattern[str] = field(init=False)
    ni_context: re.Pattern[str] = field(init=False)
    postcode: re.Pattern[str] = field(init=False)
    postcode_any_case: re.Pattern[str] = field(init=False)
    date: re.Pattern[str] = field(init=False)
    dob_cue: re.Pattern[str] = field(init=False)
    address: re.Pattern[str] = field(init=False)
    street_only: re.Pattern[str] = field(init=False)
    building: re.Pattern[str] = field(init=False)
    facility: re.Pattern[str] = field(init=False)
    ward: re.Pattern[str] = field(init=False)
    title_name: re.Pattern[str] = field(init=False)
    kin_name: re.Pattern[str] = field(init=False)
    name_kin: re.Pattern[str] = field(init=False)
    cue_name: re.Pattern[str] = field(init=False)
    name_age: re.Pattern[str] = field(init=False)
    and_name: re.Pattern[str] = field(init=False)
    family: re.Pattern[str] = field(init=False)
    pseudonyms: list[re.Pattern[str]] = field(init=False)
    agencies: list[re.Pattern[str]] = field(init=False)
    roles: frozenset[str] = field(init=False)
    not_names: frozenset[str] = field(init=False)
    given_names: frozenset[str] = field(init=False)
    ambiguous_names: frozenset[str] = field(init=False)
    titles: frozenset[str] = field(init=False)
    kinship: frozenset[str] = field(init=False)
    facility_generic: frozenset[str] = field(init=False)
    facility_suffix_words: frozenset[str] = field(init=False)
    street_types: frozenset[str] = field(init=False)
    ward_not: frozenset[str] = field(init=False)
    agency_tails: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self._validate()
        d = self.data
        c = self._compile
        self.email = c(d["email"]["regex"], "email.regex")
        self.phone = c(d["phone"]["regex"], "phone.regex")
        self.phone_context = c(_words_regex(d["phone"]["context"]), "phone.context", re.I)
        self.nhs = c(d["nhs_number"]["regex"], "nhs_number.regex")
        self.nhs_context = c(_words_regex(d["nhs_number"]["context"]), "nhs_number.context", re.I)
        self.not_nhs_context = c(_words_regex(d["not_nhs_context"]["words"]), "not_nhs_context.words", re.I)
        self.ni = c(d["ni_number"]["regex"], "ni_number.regex")
        self.ni_context = c(_words_regex(d["ni_number"]["context"]), "ni_number.context", re.I)
        self.postcode = c(d["postcode"]["regex"], "postcode.regex")
        self.postcode_any_case = c(d["postcode"]["regex"], "postcode.regex", re.I)
        self.date = c(d["date_of_birth"]["date_regex"], "date_of_birth.date_regex", re.I)
        self.dob_cue = c("|".join(d["date_of_birth"]["cues"]), "date_of_birth.cues", re.I)

        address = d["address"]
        types = sorted(address["street_types"], key=len, reverse=True)
        type_alt = "(?:" + "|".join(re.escape(t) for t in types) + r")\.?"
        self.address = c(
            "(?:"
            + address["house_number"]
            + ")"
            + address["street_name"]
            + type_alt
            + r"\b"
            + address["town"],
            "address",
        )
        self.building = c(address["building"], "address.building")
        cues = _words_regex(address["street_only_cues"])
        self.street_only = c(
            cues + r"\s+(?P<street>(?:[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?\s+){1,3}" + type_alt + r")(?![\w])",
            "address.street_only_cues",
        )
        self.street_types = frozenset(t.lower() for t in address["street_types"])

        facility = d["facility"]
        suffixes = sorted(facility["suffixes"], key=len, reverse=True)
        suffix_alt = "(?:" + "|".join(r"\s+".join(map(re.escape, s.split())) for s in suffixes) + ")"
        name_word = r"(?:St\.?|[A-Z][\w'’.&-]*|of|de|la|le|upon|on|in|the|and)"
        self.facility = c(
            r"(?<![\w])(?P<name>(?:" + name_word + r"\s+){1,6}?)(?P<suffix>" + suffix_alt + r")(?![\w])",
            "facility.suffixes",
        )
        self.facility_generic = frozenset(w.lower() for w in facility["generic_words"])
        self.facility_suffix_words = frozenset(w.lower() for s in suffixes for w in s.split())
        self.ward = c(facility["ward_regex"], "facility.ward_regex")
        self.ward_not = frozenset(w.lower() for w in facility["ward_not"])
        self.agency_tails = c(r"\s+" + _words_regex(facility["agency_tails"]), "facility.agency_tails")

        person = d["person"]
        self.titles = frozenset(t.lower() for t in person["titles"])
        self.kinship = frozenset(k.lower() for k in person["kinship"])
        surname = r"(?:Mc|Mac|O['’])?[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
        name = surname + r"(?:\s+" + surname + ")?"
        titles = "|".join(re.escape(t) for t in sorted(person["titles"], key=len, reverse=True))
        self.title_name = c(
            r"(?<![\w])(?P<title>" + titles + r")\.?\s+(?P<name>" + name + ")", "person.titles"
        )
        kin = _words_regex(person["kinship"])
        self.kin_name = c(
            r"(?i:" + kin + r")(?:['’]s)?,?\s+(?:(?i:called|named)\s+)?(?P<name>" + name + ")",
            "person.kinship",
        )
        self.name_kin = c(
            r"(?<![\w])(?P<name>" + surname + r")['’]s\s+(?:(?i:ex-|step-?|new\s+|older\s+|younger\s+|"
            r"little\s+|baby\s+|elder\s+|late\s+))?(?i:" + kin + ")",
            "person.kinship",
        )
        self.cue_name = c(
            r"(?i:" + _words_regex(person["name_cues"]) + r")\s+(?P<name>" + name + ")", "person.name_cues"
        )
        self.family = c(person["family_cue"], "person.family_cue")
        self.name_age = c(
            r"(?<![\w'’-])(?P<name>" + name + r")\s*(?:\(\s*|,\s*)" + person["age_cue"], "person.age_cue"
        )
        self.and_name = c(r"\s+(?:and|&)\s+(?P<name>" + name + r")(?![\w])", "person")
        self.given_names = frozenset(person["given_names"])
        self.ambiguous_names = frozenset(person["ambiguous_given_names"])

        self.pseudonyms = [
            c(r"(?:" + item["regex"] + r")\Z", f"pseudonyms[{i}].regex")
            for i, item in enumerate(d["pseudonyms"])
        ]
        self.agencies = [c(item["regex"], f"agencies[{i}].regex") for i, item in enumerate(d["agencies"])]
        self.roles = frozenset(r.lower() for r in d["roles"])
        self.not_names = frozenset(n.lower() for n in d["not_names"])

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_data(cls, data: dict[str, Any], *, source: str = "<data>") -> Rules:
        """Validate and compile a rules mapping (as read from the YAML)."""
        return cls(data=data, source=source)

    def _compile(self, pattern: str, key: str, flags: int = 0) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            raise ConfigError(
                f"{self.source}: key {key!r} is not a valid regular expression ({exc})"
            ) from None

    def _validate(self) -> None:
        if not isinstance(self.data, dict):
            raise ConfigError(f"{self.source}: expected a mapping of screening rules")
        for section, keys in _REQUIRED.items():
            value = self.data.get(section)
            if not isinstance(value, dict):
                raise ConfigError(f"{self.source}: section {section!r} is missing or not a mapping")
            missing = [k for k in keys if k not in value]
            if missing:
                raise ConfigError(f"{self.source}: section {section!r} lacks key(s) {', '.join(missing)}")
        for section in ("pseudonyms", "agencies"):
            items = self.data.get(section)
            if not isinstance(items, list):
                raise ConfigError(f"{self.source}: section {section!r} must be a list of rules")
            for i, item in enumerate(items):
                if not isinstance(item, dict) or "regex" not in item or "why" not in item:
                    raise ConfigError(f"{self.source}: {section}[{i}] needs keys 'regex' and 'why'")
        for section in ("roles", "not_names"):
            if not isinstance(self.data.get(section), list):
                raise ConfigError(f"{self.source}: section {section!r} must be a list of words")

    @property
    def version(self) -> str:
        """The rules' version string."""
        return str(self.data.get("version", "unversioned"))


def load_rules(path: Path | str | None = None) -> Rules:
    """Load the screening rules: the packaged ``pii_patterns.yaml``, or the file at ``path``.

    Raises
    ------
    ConfigError
        When the file cannot be read, is not YAML, or lacks a key the detectors need.
    """
    if path is None:
        source = "pigan/resources/pii_patterns.yaml"
        text = resources.files("pigan").joinpath("resources", "pii_patterns.yaml").read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: cannot read screening rules ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    return Rules.from_data(data, source=source)
