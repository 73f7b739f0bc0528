"""Personal-data screening: find what anonymisation missed, redact it, and gate every report.

Public API
----------
``screen_notes(notes, *, deny_list=None, nlp=None, rules=None) -> list[Finding]``
    Screen notes without the store (used by ``pigan screen FILE``).
``screen_event(store, event_id, *, deny_list=None) -> list[Finding]``
    Screen an event's notes; store findings and redacted texts.
``gate(store, event_id, policy, *, audience="reviewer") -> GateVerdict``
    Whether an output may be produced under ``block``, ``redact`` or ``warn``.
``report_notes(store, event_id, policy, *, audience="reviewer") -> list[Note]``
    The notes with the text a report may show (raises GateError under block).
``mark_finding(store, event_id, note_id, type_, start, *, decision="false_alarm")``
    A reviewer's decision, kept and respected on later runs.
``load_findings``, ``redacted_texts``, ``load_deny_list``, ``load_rules``.

The detectors also run inside spaCy as the ``pigan_pii`` component
(:mod:`pigan.screening.component`); the rules are data in
``pigan/resources/pii_patterns.yaml``.
"""

from __future__ import annotations

from pigan.screening.component import PiiScreener  # registers the "pigan_pii" spaCy factory
from pigan.screening.detectors import DenyList, Finding, load_deny_list, nhs_checksum_ok, screen_text
from pigan.screening.events import (
    POLICIES,
    GateVerdict,
    event_deny_list,
    find_deny_list,
    gate,
    is_screened,
    load_findings,
    mark_finding,
    redacted_texts,
    report_notes,
    screen_event,
    screen_notes,
)
from pigan.screening.redaction import PseudonymMap, redact_notes, redact_text
from pigan.screening.rules import FINDING_TYPES, Rules, load_rules

__all__ = [
    "FINDING_TYPES",
    "POLICIES",
    "DenyList",
    "Finding",
    "GateVerdict",
    "PiiScreener",
    "PseudonymMap",
    "Rules",
    "event_deny_list",
    "find_deny_list",
    "gate",
    "is_screened",
    "load_deny_list",
    "load_findings",
    "load_rules",
    "mark_finding",
    "nhs_checksum_ok",
    "redact_notes",
    "redact_text",
    "redacted_texts",
    "report_notes",
    "screen_event",
    "screen_notes",
    "screen_text",
]
