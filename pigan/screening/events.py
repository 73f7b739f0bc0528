"""Screening notes and events, storing findings and decisions, and the gate every report passes.

The gate policies:

``block``
    The default for board outputs. Reports are refused while any finding is
    unresolved (not marked a false alarm); the refusal lists note ids and
    types, never the matched text.
``redact``
    Reports use the redacted text (consistent pseudonyms, see
    :mod:`pigan.screening.redaction`); the original stays in ``notes.text``.
``warn``
    Reviewer outputs only: the original text is used and the findings are
    listed. A board output asked for with ``warn`` is **refused** with a
    :class:`~pigan.errors.ConfigError` (exit code 2), whatever the findings:
    silently upgrading would hide a configuration mistake in an unattended
    run, and the board pack must say ``block`` or ``redact`` explicitly.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pigan.errors import ConfigError, GateError, NotFoundError
from pigan.models import Note
from pigan.screening.detectors import DenyList, Finding, load_deny_list, merge_deny_lists
from pigan.screening.redaction import redact_notes
from pigan.screening.rules import FINDING_TYPES, Rules, load_rules
from pigan.store import Store, now_utc, text_sha256

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

Policy = Literal["block", "redact", "warn"]
Audience = Literal["reviewer", "board"]
POLICIES: tuple[str, ...] = ("block", "redact", "warn")
DECISIONS: tuple[str, ...] = ("false_alarm", "confirmed")
DENY_LIST_NAMES: tuple[str, ...] = ("deny_list.yaml", "deny_list.yml")


# -- screening notes ------------------------------------------------------------


def _model_pipes(nlp: Language) -> list[str]:
    """The components needed for entities: ``ner`` and any shared embedding it listens to."""
    if "ner" not in nlp.pipe_names:
        return []
    needed = ["ner"]
    architecture = str(
        nlp.get_pipe_config("ner").get("model", {}).get("tok2vec", {}).get("@architectures", "")
    )
    if "Listener" in architecture:
        needed += [name for name in ("tok2vec", "transformer") if name in nlp.pipe_names]
    return needed


def screen_notes(
    notes: Iterable[Note],
    *,
    deny_list: DenyList | None = None,
    nlp: Language | None = None,
    rules: Rules | None = None,
    batch_size: int = 64,
    min_score: float = 0.0,
) -> list[Finding]:
    """Find personal data in notes.

    Parameters
    ----------
    notes
        The notes to screen.
    deny_list
        Names and places known to the review team (:func:`load_deny_list`).
    nlp
        The spaCy pipeline whose ``ner`` supplies PERSON entities (default
        :func:`pigan.nlp.load_model`). A blank pipeline runs the pattern
        detectors only. The pipeline is not changed.
    rules
        Screening rules (default: the packaged ``pii_patterns.yaml``).
    batch_size
        Texts per spaCy batch.
    min_score
        Findings scoring below this are dropped.

    Returns
    -------
    list[Finding]
        In note order, then text order.
    """
    from pigan.screening.detectors import common_words, screen_text

    notes = list(notes)
    if nlp is None:
        from pigan.nlp import load_model

        nlp = load_model()
    rules = rules or load_rules()
    words = common_words(nlp)
    out: list[Finding] = []
    with nlp.select_pipes(enable=_model_pipes(nlp)):
        docs = nlp.pipe((n.text for n in notes), batch_size=batch_size)
        for note, doc in zip(notes, docs, strict=True):
            ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            found = screen_text(
                note.text, rules, ents=ents, deny_list=deny_list, min_score=min_score, common_words=words
            )
            out.extend(replace(f, note_id=note.note_id) for f in found)
    log.info("screened %d notes: %d findings", len(notes), len(out))
    return out


def find_deny_list(folders: Iterable[Path]) -> DenyList | None:
    """The deny lists found in the given folders, merged (None when there is none)."""
    found = []
    for folder in dict.fromkeys(Path(f) for f in folders):
        for name in DENY_LIST_NAMES:
            if (folder / name).is_file():
                found.append(load_deny_list(folder / name))
                break
    return merge_deny_lists(found) if found else None


def event_deny_list(store: Store, event_id: str) -> DenyList | None:
    """The deny list kept beside the event's notes files (``deny_list.yaml`` in their folders)."""
    return find_deny_list(Path(s["path"]).parent for s in store.sources(event_id))


# -- the store ---------------------------------------------------------------------


def screen_event(
    store: Store,
    event_id: str,
    *,
    deny_list: DenyList | Path | str | None = None,
    nlp: Language | None = None,
    rules: Rules | None = None,
) -> list[Finding]:
    """Screen an event's current notes and store the findings and redacted texts.

    Findings replace the event's previous findings in one transaction; the
    redacted text of every note is stored in ``redactions`` beside the
    original. Reviewers' decisions are kept and applied: a finding marked a
    false alarm comes back with ``decision="false_alarm"``.

    Parameters
    ----------
    deny_list
        A deny list or its path; default: ``deny_list.yaml`` beside the
        event's notes files.
    """
    notes = store.notes(event_id)
    if deny_list is None:
        deny_list = event_deny_list(store, event_id)
    elif not isinstance(deny_list, DenyList):
        deny_list = load_deny_list(deny_list)
    found = screen_notes(notes, deny_list=deny_list, nlp=nlp, rules=rules)
    texts = {n.note_id: n.text for n in notes}
    found = _apply_decisions(store, event_id, found, texts)
    redacted = redact_notes(notes, found)
    with store.transaction() as db:
        db.execute("DELETE FROM findings WHERE event_id = ?", (event_id,))
        db.executemany(
            "INSERT INTO findings (event_id, note_id, type, start, end, score, detector, text_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    event_id,
                    f.note_id,
                    f.type,
                    f.start,
                    f.end,
                    f.score,
                    f.detector,
                    text_sha256(texts[f.note_id]),
                )
                for f in found
            ],
        )
        _write_redactions(db, event_id, notes, redacted)
    log.info("event %s: %d findings stored", event_id, len(found))
    return found


def _write_redactions(
    db: sqlite3.Connection, event_id: str, notes: Sequence[Note], redacted: dict[str, str]
) -> None:
    db.execute("DELETE FROM redactions WHERE event_id = ?", (event_id,))
    db.executemany(
        "INSERT INTO redactions (event_id, note_id, redacted_text, text_sha256) VALUES (?, ?, ?, ?)",
        [(event_id, n.note_id, redacted[n.note_id], text_sha256(n.text)) for n in notes],
    )


def _decisions(store: Store, event_id: str) -> dict[tuple[str, str, int, int, str], str]:
    rows = store.connection.execute(
        "SELECT note_id, type, start, end, match_sha256, decision FROM finding_decisions WHERE event_id = ?",
        (event_id,),
    ).fetchall()
    return {(r[0], r[1], r[2], r[3], r[4]): r[5] for r in rows}


def _apply_decisions(
    store: Store, event_id: str, findings: Sequence[Finding], texts: dict[str, str]
) -> list[Finding]:
    decided = _decisions(store, event_id)
    out = []
    for f in findings:
        match = text_sha256(texts[f.note_id][f.start : f.end])
        out.append(replace(f, decision=decided.get((f.note_id, f.type, f.start, f.end, match))))
    return out


def load_findings(store: Store, event_id: str, *, include_false_alarms: bool = True) -> list[Finding]:
    """The event's stored findings (with reviewers' decisions), in note then text order."""
    store.event(event_id)
    texts = {n.note_id: n.text for n in store.notes(event_id)}
    rows = store.connection.execute(
        "SELECT note_id, type, start, end, score, detector FROM findings WHERE event_id = ? ORDER BY rowid",
        (event_id,),
    ).fetchall()
    found = [Finding(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows if r[0] in texts]
    found = _apply_decisions(store, event_id, found, texts)
    if not include_false_alarms:
        found = [f for f in found if f.decision != "false_alarm"]
    return found


def mark_finding(
    store: Store,
    event_id: str,
    note_id: str,
    type_: str,
    start: int,
    *,
    decision: str = "false_alarm",
    decided_by: str | None = None,
) -> Finding:
    """Record a reviewer's decision on a stored finding; it is kept and respected on later runs.

    The decision is keyed by note, type, offsets and a hash of the matched
    text, so it lapses if the note text at that place changes. The event's
    redacted texts are rebuilt at once.

    Raises
    ------
    NotFoundError
        When the event has no such finding (screen the event first).
    ConfigError
        For an unknown decision or type.
    """
    if decision not in DECISIONS:
        raise ConfigError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if type_ not in FINDING_TYPES:
        raise ConfigError(f"finding type must be one of {', '.join(FINDING_TYPES)}, not {type_!r}")
    notes = store.notes(event_id)
    texts = {n.note_id: n.text for n in notes}
    matches = [
        f for f in load_findings(store, event_id) if (f.note_id, f.type, f.start) == (note_id, type_, start)
    ]
    if not matches:
        raise NotFoundError(
            f"event {event_id!r} has no {type_} finding at note {note_id!r} offset {start} "
            "(run `pigan screen --event` to list findings)"
        )
    finding = matches[0]
    match = text_sha256(texts[note_id][finding.start : finding.end])
    with store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO finding_decisions (event_id, note_id, type, start, end, match_sha256, "
            "decision, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, note_id, type_, finding.start, finding.end, match, decision, decided_by, now_utc()),
        )
        _write_redactions(db, event_id, notes, redact_notes(notes, load_findings(store, event_id)))
    log.info("event %s: %s %s at %d marked %s", event_id, note_id, type_, start, decision)
    return replace(finding, decision=decision)


def is_screened(store: Store, event_id: str) -> bool:
    """Whether every current note of the event was screened as it now reads."""
    current = {(n.note_id, text_sha256(n.text)) for n in store.notes(event_id)}
    rows = store.connection.execute(
        "SELECT note_id, text_sha256 FROM redactions WHERE event_id = ?", (event_id,)
    ).fetchall()
    return current <= {(r[0], r[1]) for r in rows}


# -- the gate ------------------------------------------------------------------------


@dataclass(frozen=True)
class GateVerdict:
    """What the gate decided for one output.

    Attributes
    ----------
    allowed
        Whether the output may be produced.
    policy
        The policy applied.
    unresolved
        ``(note_id, type)`` of every finding not marked a false alarm, sorted.
    message
        One or more lines for the user: counts, note ids and types, never the text.
    """

    allowed: bool
    policy: str
    unresolved: list[tuple[str, str]]
    message: str


def _check_policy(policy: str, audience: str) -> None:
    if policy not in POLICIES:
        raise ConfigError(f"gate policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    if audience not in ("reviewer", "board"):
        raise ConfigError(f"audience must be 'reviewer' or 'board', not {audience!r}")
    if policy == "warn" and audience == "board":
        raise ConfigError(
            "gate policy 'warn' is for reviewer outputs only; board outputs need 'block' or 'redact'"
        )


def gate(store: Store, event_id: str, policy: str = "block", *, audience: str = "reviewer") -> GateVerdict:
    """Decide whether an output for the event may be produced under a policy.

    The event is screened first if any note changed since it was last screened.

    Parameters
    ----------
    policy
        ``block``, ``redact`` or ``warn`` (see the module docstring).
    audience
        ``reviewer`` or ``board``; ``warn`` is refused for ``board``.

    Raises
    ------
    ConfigError
        For an unknown policy, or ``warn`` for a board output.
    """
    _check_policy(policy, audience)
    if not is_screened(store, event_id):
        screen_event(store, event_id)
    open_findings = load_findings(store, event_id, include_false_alarms=False)
    unresolved = sorted({(f.note_id, f.type) for f in open_findings})
    notes = sorted({n for n, _ in unresolved})
    listing = "; ".join(f"{n} {t}" for n, t in unresolved[:20]) + ("; ..." if len(unresolved) > 20 else "")
    if not unresolved:
        return GateVerdict(True, policy, [], f"event {event_id}: no unresolved personal-data findings")
    if policy == "block":
        message = (
            f"event {event_id}: {len(open_findings)} unresolved personal-data finding(s) in "
            f"{len(notes)} note(s) ({listing}); correct the notes, mark false alarms with "
            f"`pigan screen --event {event_id} --false-alarm NOTE_ID TYPE START`, or use policy 'redact'"
        )
        return GateVerdict(False, policy, unresolved, message)
    if policy == "redact":
        message = f"event {event_id}: {len(open_findings)} finding(s) in {len(notes)} note(s) redacted"
        return GateVerdict(True, policy, unresolved, message)
    message = (
        f"event {event_id}: WARNING {len(open_findings)} unresolved personal-data finding(s) in "
        f"{len(notes)} note(s) ({listing}); reviewer output shows the original text"
    )
    return GateVerdict(True, policy, unresolved, message)


def report_notes(
    store: Store, event_id: str, policy: str = "block", *, audience: str = "reviewer"
) -> list[Note]:
    """The event's notes with the text the policy allows a report to show.

    ``warn``: original text; ``redact``: redacted text; ``block``: original
    text when nothing is unresolved.

    Raises
    ------
    GateError
        Under ``block`` while findings are unresolved (the message lists note ids and types).
    ConfigError
        For an unknown policy, or ``warn`` for a board output.
    """
    verdict = gate(store, event_id, policy, audience=audience)
    if not verdict.allowed:
        raise GateError(verdict.message)
    notes = store.notes(event_id)
    if policy != "redact" or not verdict.unresolved:
        return notes
    rows = store.connection.execute(
        "SELECT note_id, redacted_text FROM redactions WHERE event_id = ?", (event_id,)
    ).fetchall()
    redacted = dict(rows)
    return [replace(n, text=redacted.get(n.note_id, n.text)) for n in notes]


def redacted_texts(store: Store, event_id: str) -> dict[str, str]:
    """The stored redacted text of each note of the event (screening it first if needed)."""
    if not is_screened(store, event_id):
        screen_event(store, event_id)
    rows = store.connection.execute(
        "SELECT note_id, redacted_text FROM redactions WHERE event_id = ?", (event_id,)
    ).fetchall()
    return dict(rows)


# -- the command line's view ---------------------------------------------------------


@dataclass
class ScreenResult:
    """What ``pigan screen`` shows: open findings, the texts they point into, and the verdict."""

    findings: list[Finding]
    texts: dict[str, str]
    dismissed: int = 0
    verdict: GateVerdict | None = None


def screen_target(
    *,
    store: Path | str | None = None,
    event_id: str | None = None,
    file: Path | str | None = None,
    deny_list: Path | str | None = None,
    false_alarms: Sequence[tuple[str, str, str]] = (),
    policy: str | None = None,
) -> ScreenResult:
    """Screen an event in the store or a notes file, as ``pigan screen`` does.

    Parameters
    ----------
    store
        The store folder (event mode).
    event_id, file
        Exactly one: the event to screen (findings stored) or a notes file
        (nothing stored; its folder's ``deny_list.yaml`` is used).
    deny_list
        A deny list to use instead of the one beside the notes.
    false_alarms
        ``(note_id, type, start)`` findings to mark as false alarms (event mode only).
    policy
        If given, the gate's verdict under this policy is included.

    Raises
    ------
    InputError
        For false alarms without an event, or a START that is not a number.
    """
    from pigan.errors import InputError

    if (event_id is None) == (file is None):
        raise InputError("pigan screen", "give either --event ID or a FILE")
    if file is not None:
        from pigan.ingest import read_notes

        if false_alarms:
            raise InputError(str(file), "--false-alarm needs --event (decisions are kept in the store)")
        path = Path(file)
        result = read_notes(path, event_id="file")
        deny = load_deny_list(deny_list) if deny_list is not None else find_deny_list([path.parent])
        found = screen_notes(result.notes, deny_list=deny)
        texts = {n.note_id: n.text for n in result.notes}
        verdict = None
        if policy is not None:
            _check_policy(policy, "reviewer")
            unresolved = sorted({(f.note_id, f.type) for f in found})
            allowed = policy != "block" or not unresolved
            message = f"{path.name}: {len(found)} finding(s) in {len({n for n, _ in unresolved})} note(s)"
            verdict = GateVerdict(allowed, policy, unresolved, message)
        return ScreenResult(found, texts, 0, verdict)

    assert event_id is not None
    with Store.open(store, create=False) as opened:
        found = screen_event(opened, event_id, deny_list=deny_list)
        for note_id, type_, start in false_alarms:
            try:
                offset = int(start)
            except ValueError:
                raise InputError(
                    "--false-alarm", f"START must be a character offset, not {start!r}"
                ) from None
            mark_finding(opened, event_id, note_id, type_.upper(), offset)
        if false_alarms:
            found = load_findings(opened, event_id)
        texts = {n.note_id: n.text for n in opened.notes(event_id)}
        verdict = gate(opened, event_id, policy) if policy is not None else None
    open_findings = [f for f in found if f.decision != "false_alarm"]
    return ScreenResult(open_findings, texts, len(found) - len(open_findings), verdict)


def format_findings(findings: Sequence[Finding], texts: dict[str, str] | None = None) -> str:
    """A readable table of findings: note, type, offsets, score, detector (and text only if ``texts``)."""
    width = max([len("note"), *(len(f.note_id) for f in findings)])
    lines = [f"{'note':<{width}}  {'type':<13} {'start':>6} {'end':>6} {'score':>5}  detector"]
    for f in findings:
        line = f"{f.note_id:<{width}}  {f.type:<13} {f.start:>6} {f.end:>6} {f.score:>5.2f}  {f.detector}"
        if texts is not None:
            line += f"  {texts[f.note_id][f.start : f.end]!r}"
        lines.append(line)
    return "\n".join(lines)
