"""Redaction with consistent pseudonyms across an event: "[PERSON 1]" is the same person in every note.

Pseudonyms are keyed by the finding's type and its normalised matched text
(case, spacing, titles and possessives ignored; digits only for numbers), and
numbered per type in order of first appearance across the event's notes. A
surname or first name on its own takes the number of the one full name that
contains it ("Mrs Hollis" after "Jane Hollis"), when exactly one does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pigan.models import Note
from pigan.screening.detectors import Finding

_TITLES = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|master|sir|dame|lady|lord|prof|professor|rev|revd|father|sister|nurse|cllr)\.?\s+"
)


def normalise_match(type_: str, text: str) -> str:
    """The key that makes two mentions the same pseudonym ("Mrs  HOLLIS's" -> "hollis")."""
    if type_ in {"PHONE", "NHS_NUMBER"}:
        digits = re.sub(r"\D", "", text)
        return "0" + digits[2:] if digits.startswith("44") and len(digits) > 10 else digits
    if type_ in {"NI_NUMBER", "POSTCODE"}:
        return re.sub(r"\s", "", text).upper()
    key = " ".join(text.casefold().split())
    key = re.sub(r"['’]s\b", "", key).strip(" .,;:")
    if type_ == "PERSON":
        key = _TITLES.sub("", key)
    return key


def pseudonym_label(type_: str, number: int) -> str:
    """The placeholder put in place of a finding: ``[PERSON 1]``, ``[NHS NUMBER 2]``."""
    return f"[{type_.replace('_', ' ')} {number}]"


@dataclass
class PseudonymMap:
    """Pseudonym numbers handed out across an event, by type and normalised text."""

    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def label(self, type_: str, matched: str) -> str:
        """The pseudonym for a mention, handing out the next number for a new one."""
        key = normalise_match(type_, matched)
        if (type_, key) not in self.numbers and type_ == "PERSON" and " " not in key:
            owners = {n for (t, k), n in self.numbers.items() if t == type_ and key in k.split()}
            if len(owners) == 1:
                self.numbers[(type_, key)] = owners.pop()
        if (type_, key) not in self.numbers:
            self.counts[type_] = self.counts.get(type_, 0) + 1
            self.numbers[(type_, key)] = self.counts[type_]
        return pseudonym_label(type_, self.numbers[(type_, key)])


def redact_text(text: str, findings: Iterable[Finding], pseudonyms: PseudonymMap) -> str:
    """The text with every finding replaced by its pseudonym (findings must not overlap)."""
    ordered = sorted(findings, key=lambda f: f.start)
    labels = [pseudonyms.label(f.type, text[f.start : f.end]) for f in ordered]
    out = text
    for finding, label in sorted(zip(ordered, labels, strict=True), key=lambda p: -p[0].start):
        out = out[: finding.start] + label + out[finding.end :]
    return out


def redact_notes(notes: Sequence[Note], findings: Iterable[Finding]) -> dict[str, str]:
    """Redacted text per note id, with pseudonyms consistent across all the notes given.

    Findings marked ``false_alarm`` are left in place.
    """
    by_note: dict[str, list[Finding]] = {}
    for f in findings:
        if f.decision != "false_alarm":
            by_note.setdefault(f.note_id, []).append(f)
    pseudonyms = PseudonymMap()
    return {n.note_id: redact_text(n.text, by_note.get(n.note_id, []), pseudonyms) for n in notes}
