"""Agreement between pigan's tags and a human coder, sentence by sentence.

The unit is the sentence (the spaCy model's sentence boundaries, as the
tagger uses). For every sentence of every note of the event and every code,
pigan says yes when one of its tags' evidence lies in the sentence (tags
marked negated or hypothetical do not count, as in the tagger), and the human says yes when one of
their selections for that code touches the sentence (a selection over a
whole paragraph marks each of its sentences). A topic coded by either side
also marks its top-level code. Per code this gives a 2x2 table, hence
precision and recall (of pigan against the human), F1, and Cohen's kappa
(agreement beyond chance, undefined when neither side ever varies).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pigan.errors import InputError, NotFoundError
from pigan.evaluate import BinaryScores
from pigan.interop.alignment import overlapping, sentence_spans
from pigan.interop.codes import FLAG_CODES, code_tree, counted, top_of
from pigan.interop.coding_import import read_gold, read_human_coding
from pigan.interop.refi_export import stored_tags
from pigan.models import Note
from pigan.store import text_sha256

if TYPE_CHECKING:
    from spacy.language import Language

    from pigan.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeAgreement:
    """The 2x2 table of one code over the sentences, and the figures from it."""

    code: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def support(self) -> int:
        """Sentences the human coded with this code."""
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        """Sentences pigan tagged with this code."""
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        """Share of pigan's sentences the human also coded."""
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """Share of the human's sentences pigan also tagged."""
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (None when neither side used the code)."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa between pigan and the human (None when chance agreement is total)."""
        return BinaryScores(self.tp, self.fp, self.fn, self.tn).kappa

    def to_dict(self) -> dict[str, Any]:
        """Figures and counts as a plain dict (rounded to 4 places)."""
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
            "kappa": _round(self.kappa),
            "support": self.support,
            "predicted": self.predicted,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


@dataclass(frozen=True)
class Disagreement:
    """A sentence where pigan and the human differ (offsets only, never text)."""

    note_id: str
    sentence: int  # 1-based within the note
    start: int
    end: int
    pigan_only: list[str]
    human_only: list[str]
    rules: list[str]
    score: float


@dataclass
class AgreementReport:
    """Sentence-level agreement between pigan and a human coder on one event."""

    event_id: str
    human_file: str
    coders: list[str]
    notes: int
    notes_coded: int
    sentences: int
    codes: dict[str, CodeAgreement]
    topics: dict[str, CodeAgreement]
    disagreements: list[Disagreement] = field(default_factory=list)
    unmapped: int = 0
    unmapped_reasons: dict[str, int] = field(default_factory=dict)
    stale: int = 0
    pigan_tags: str = "stored"

    @property
    def macro_f1(self) -> float | None:
        """Mean F1 over the top-level codes that either side used."""
        scores = [c.f1 for c in self.codes.values() if c.f1 is not None]
        return sum(scores) / len(scores) if scores else None

    @property
    def micro_f1(self) -> float | None:
        """F1 over all top-level code decisions pooled."""
        tp = sum(c.tp for c in self.codes.values())
        wrong = sum(c.fp + c.fn for c in self.codes.values())
        return 2 * tp / (2 * tp + wrong) if tp or wrong else None

    @property
    def mean_kappa(self) -> float | None:
        """Mean kappa over the top-level codes where it is defined."""
        values = [c.kappa for c in self.codes.values() if c.kappa is not None]
        return sum(values) / len(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "event_id": self.event_id,
            "human": self.human_file,
            "coders": self.coders,
            "unit": "sentence",
            "n_notes": self.notes,
            "n_notes_coded": self.notes_coded,
            "n": self.sentences,
            "labels": {code: c.to_dict() for code, c in self.codes.items()},
            "topics": {code: c.to_dict() for code, c in self.topics.items()},
            "macro_f1": _round(self.macro_f1),
            "micro_f1": _round(self.micro_f1),
            "mean_kappa": _round(self.mean_kappa),
            "disagreements": [asdict(d) for d in self.disagreements],
            "unmapped": self.unmapped,
            "unmapped_reasons": self.unmapped_reasons,
            "stale_gold": self.stale,
            "pigan_tags": self.pigan_tags,
        }

    def render(self) -> str:
        """The report as a table for people."""
        who = ", ".join(self.coders) or "no coder"
        lines = [
            f"agreement of pigan with {who} on event {self.event_id}, by sentence: "
            f"{self.sentences} sentences in {self.notes} notes ({self.notes_coded} with human coding); "
            f"pigan's tags: {self.pigan_tags}",
            "",
            _table_header(),
        ]
        lines.extend(_table_row(code, c) for code, c in self.codes.items())
        lines.append(
            f"macro F1 {_fmt(self.macro_f1)}   micro F1 {_fmt(self.micro_f1)}   "
            f"mean kappa {_fmt(self.mean_kappa)}"
        )
        if self.topics:
            lines += ["", "topics", _table_header()]
            lines.extend(_table_row(code, c) for code, c in self.topics.items())
        if self.disagreements:
            lines += ["", "largest disagreements (note, sentence, characters: pigan only | human only):"]
            for d in self.disagreements:
                pigan = ", ".join(d.pigan_only) or "-"
                human = ", ".join(d.human_only) or "-"
                rules = f" [{'; '.join(d.rules)}]" if d.rules else ""
                lines.append(
                    f"  {d.note_id} s{d.sentence} [{d.start}:{d.end}]  pigan only: {pigan}{rules}  "
                    f"| human only: {human}"
                )
        if self.unmapped:
            reasons = "; ".join(f"{n} {why}" for why, n in sorted(self.unmapped_reasons.items()))
            lines += ["", f"not counted: {self.unmapped} human codings could not be mapped ({reasons})"]
        if self.stale:
            lines.append(f"not counted: {self.stale} gold codings on notes changed since the import")
        return "\n".join(lines) + "\n"


def evaluate_human(
    store: Store,
    event_id: str,
    human: Path | str,
    *,
    codebook: object | None = None,
    coder: str | None = None,
    nlp: Language | None = None,
    tags: Sequence[dict[str, Any]] | None = None,
    top: int = 10,
) -> AgreementReport:
    """Sentence-level agreement between pigan's tags and a human coder for an event.

    Parameters
    ----------
    store
        The open store with the event's notes (and tags, from ``pigan tag --event``).
    event_id
        The event.
    human
        A REFI-QDA project (``.qdpx``) coded by a person, or the gold set
        (``.jsonl``) written by ``pigan import-coding``.
    codebook
        The codebook (default: the packaged one), for the list of codes.
    coder
        Only this coder's codings (default: every human coder in the file).
    nlp
        The spaCy model for sentence boundaries (default: :func:`pigan.nlp.load_model`).
    tags
        pigan's tags (dicts with ``note_id``); default: the tags stored for
        the event, or the event tagged now when it has never been tagged.
    top
        How many of the largest disagreements to list.
    """
    notes = store.notes(event_id)
    if not notes:
        raise NotFoundError(f"event {event_id!r} has no notes to compare")
    if nlp is None:
        from pigan.nlp import load_model

        nlp = load_model()
    human = Path(human)
    report_extra: dict[str, Any] = {}
    if human.suffix.lower() == ".jsonl":
        records = read_gold(human, event_id=event_id)
        if coder is not None:
            records = [r for r in records if r.get("coder") == coder]
    else:
        coding, project = read_human_coding(human, store, event_id, codebook=codebook, coder=coder, nlp=nlp)
        if project.kind != "project":
            raise InputError(human, "a codebook (.qdc) has no coding to compare; give a .qdpx project")
        records = coding.records
        report_extra = {
            "unmapped": len(coding.unmapped),
            "unmapped_reasons": dict(coding.unmapped_reasons()),
        }
    if tags is not None:
        tag_list, tag_origin = list(tags), "given"
    else:
        tag_list, tag_origin = _pigan_tags(store, event_id, notes, codebook, nlp)

    texts = {note.note_id: note for note in notes}
    spans = dict(zip(texts, sentence_spans([n.text for n in notes], nlp), strict=True))
    pigan: dict[tuple[str, int], set[str]] = defaultdict(set)
    rules: dict[tuple[str, int, str], list[tuple[float, str]]] = defaultdict(list)
    for tag in tag_list:
        note = texts.get(str(tag.get("note_id")))
        code = str(tag.get("code", ""))
        if note is None or not counted(tag):
            continue
        score = float(tag.get("score", 0.0))
        for index in overlapping(spans[note.note_id], int(tag["start"]), int(tag["end"]), note.text):
            for label in _labels(code):
                pigan[(note.note_id, index)].add(label)
                rules[(note.note_id, index, label)].append((score, str(tag.get("rule", "?"))))

    human_labels: dict[tuple[str, int], set[str]] = defaultdict(set)
    stale = 0
    coders: list[str] = []
    for record in records:
        note = texts.get(str(record["note_id"]))
        if note is None or record.get("note_sha256", text_sha256(note.text)) != text_sha256(note.text):
            stale += 1
            continue
        if record.get("coder") and record["coder"] not in coders:
            coders.append(str(record["coder"]))
        for index in overlapping(spans[note.note_id], int(record["start"]), int(record["end"]), note.text):
            human_labels[(note.note_id, index)].update(_labels(str(record["code"])))

    units = [(note.note_id, i) for note in notes for i in range(len(spans[note.note_id]))]
    top_codes, topic_codes = _codes_to_report(codebook, pigan, human_labels)
    report = AgreementReport(
        event_id=event_id,
        human_file=human.name,
        coders=coders,
        notes=len(notes),
        notes_coded=len({r["note_id"] for r in records if str(r["note_id"]) in texts}),
        sentences=len(units),
        codes={code: _table(code, units, pigan, human_labels) for code in top_codes},
        topics={code: _table(code, units, pigan, human_labels) for code in topic_codes},
        stale=stale,
        pigan_tags=tag_origin,
        **report_extra,
    )
    report.disagreements = _largest_disagreements(
        units, spans, pigan, human_labels, rules, set(top_codes), top
    )
    return report


def cmd_evaluate_human(args: argparse.Namespace) -> int:
    """``pigan evaluate --human FILE --event ID [--json]``: print the agreement; exit code 0."""
    from pigan.store import Store

    if not args.event:
        raise InputError(args.human, "--human needs --event: the event the human coding belongs to")
    with Store.open(args.store, create=False) as store:
        report = evaluate_human(
            store,
            args.event,
            args.human,
            codebook=getattr(args, "codebook", None),
            coder=getattr(args, "coder", None),
        )
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report.render())
    return 0


# -- internals ------------------------------------------------------------------


def _labels(code: str) -> set[str]:
    """A code and, for a topic, its top-level code."""
    return {code, top_of(code)} if code else set()


def _pigan_tags(
    store: Store, event_id: str, notes: Sequence[Note], codebook: object | None, nlp: Language
) -> tuple[list[dict[str, Any]], str]:
    """The tags stored for the event, or (never tagged) the event tagged now without storing."""
    tagged = store.connection.execute("SELECT 1 FROM tag_runs WHERE event_id = ?", (event_id,)).fetchone()
    stored = stored_tags(store, event_id)
    if stored or tagged:
        return stored, "stored"
    from pigan.tagging import tag_notes

    log.info("event %s was never tagged: tagging its %d notes now (not stored)", event_id, len(notes))
    book = codebook if codebook is None or isinstance(codebook, str | Path) else None
    tags: list[dict[str, Any]] = []
    for result in tag_notes(notes, codebook=book, nlp=nlp):
        tags.extend({**tag.to_dict(), "note_id": result.id} for tag in result.tags)
    return tags, "tagged now (not stored)"


def _codes_to_report(
    codebook: object | None,
    pigan: dict[tuple[str, int], set[str]],
    human: dict[tuple[str, int], set[str]],
) -> tuple[list[str], list[str]]:
    """Top-level codes (codebook order, then flags and others used) and topics used by either side."""
    tops = [node.code_id for node in code_tree(codebook)]
    used = set().union(*pigan.values(), *human.values()) if (pigan or human) else set()
    extra = sorted(c for c in used if "." not in c and c not in tops)
    flags = [c for c in FLAG_CODES if c in extra]
    others = [c for c in extra if c not in FLAG_CODES]
    human_topics = {c for labels in human.values() for c in labels if "." in c}
    topics = sorted(c for c in used if "." in c) if human_topics else []
    return tops + flags + others, topics


def _table(
    code: str,
    units: Iterable[tuple[str, int]],
    pigan: dict[tuple[str, int], set[str]],
    human: dict[tuple[str, int], set[str]],
) -> CodeAgreement:
    tp = fp = fn = tn = 0
    for unit in units:
        p, h = code in pigan.get(unit, ()), code in human.get(unit, ())
        if p and h:
            tp += 1
        elif p:
            fp += 1
        elif h:
            fn += 1
        else:
            tn += 1
    return CodeAgreement(code, tp, fp, fn, tn)


def _largest_disagreements(
    units: Sequence[tuple[str, int]],
    spans: dict[str, list[tuple[int, int]]],
    pigan: dict[tuple[str, int], set[str]],
    human: dict[tuple[str, int], set[str]],
    rules: dict[tuple[str, int, str], list[tuple[float, str]]],
    codes: set[str],
    top: int,
) -> list[Disagreement]:
    found = []
    for order, unit in enumerate(units):
        p, h = pigan.get(unit, set()) & codes, human.get(unit, set()) & codes
        if p == h:
            continue
        note_id, index = unit
        pigan_only, human_only = sorted(p - h), sorted(h - p)
        evidence = sorted(
            (item for code in pigan_only for item in rules.get((note_id, index, code), [])), reverse=True
        )
        score = evidence[0][0] if evidence else 0.0
        start, end = spans[note_id][index]
        found.append(
            (
                -(len(pigan_only) + len(human_only)),
                -score,
                order,
                Disagreement(
                    note_id,
                    index + 1,
                    start,
                    end,
                    pigan_only,
                    human_only,
                    [f"{rule} {s:.2f}" for s, rule in evidence[:3]],
                    round(score, 4),
                ),
            )
        )
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:top]]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def _table_header() -> str:
    return (
        f"{'code':<40} {'precision':>9} {'recall':>7} {'F1':>6} {'kappa':>6} "
        f"{'human':>6} {'pigan':>6} {'both':>5}"
    )


def _table_row(code: str, c: CodeAgreement) -> str:
    return (
        f"{code:<40} {_fmt(c.precision):>9} {_fmt(c.recall):>7} {_fmt(c.f1):>6} {_fmt(c.kappa):>6} "
        f"{c.support:>6} {c.predicted:>6} {c.tp:>5}"
    )
