"""Agreement between pigan's tagging and a labelled set (``pigan evaluate GOLD.jsonl``).

Each gold line is one unit (usually a sentence)::

    {"id": "dev-0001", "text": "...", "labels": ["context"], "blame": false}

``labels`` holds top-level codes (a topic id such as ``"context.workload"``
counts as its top-level code); ``blame`` is optional; other keys are ignored.
pigan tags each unit's text as one note and compares the note's top-level
codes and blame flag with the gold.

The figures, all computed over units:

- per label: precision, recall and F1 of the label's presence, its support
  (gold units with the label) and Cohen's kappa between gold and pigan on
  "has the label" (``null`` when both sides give every unit the same answer,
  where kappa is undefined). Precision is 0 when pigan never gives the label,
  recall 0 when the gold never does.
- labels reported: the top-level codes of the codebook that appear in the
  gold or in pigan's output.
- ``macro_f1``: the mean F1 over the *purpose* codes (``context``,
  ``decision_influence``, ``good_practice``, ``recommendation``) among the
  labels reported; ``case_story`` is reported but not averaged, because it
  is not a purpose of the event. When no purpose code is reported the mean
  is over all reported labels.
- ``micro_f1``: F1 from the true positives, false positives and false
  negatives pooled over the same labels as ``macro_f1``.
- ``blame``: precision, recall and F1 of the blame flag over the units whose
  gold line has ``blame`` (present only when at least one does).

The plain-text table (without ``--json``) adds a 95% interval for the macro
F1: the 2.5th and 97.5th percentiles of the macro F1 over 1,000 resamples of
the units with replacement (a percentile bootstrap, fixed seed, so a rerun
prints the same interval). On a labelled set of a hundred or so sentences it
is several points wide, which is worth knowing before reading a difference
of 0.01 between two runs as real.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pigan.errors import InputError
from pigan.models import Note
from pigan.tagging.codebook import PURPOSE_CODES, Codebook, load_codebook

#: Cap on a gold file's size, as for notes files.
MAX_GOLD_BYTES = 100 * 1024 * 1024
#: Resamples behind the macro F1 interval, and the seed that makes it repeatable.
BOOTSTRAP_ROUNDS = 1000
BOOTSTRAP_SEED = 0


@dataclass(frozen=True)
class GoldUnit:
    """One labelled unit of a gold file."""

    id: str
    text: str
    labels: frozenset[str]
    blame: bool | None
    line: int


@dataclass(frozen=True)
class Prediction:
    """pigan's answer for one unit."""

    labels: frozenset[str]
    blame: bool


@dataclass(frozen=True)
class BinaryScores:
    """Agreement on one yes/no question over all units."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP), 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN), 0 when the gold has no positive."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Gold positives."""
        return self.tp + self.fn

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa between gold and prediction; None when chance agreement is 1."""
        n = self.tp + self.fp + self.fn + self.tn
        if n == 0:
            return None
        observed = (self.tp + self.tn) / n
        expected = ((self.tp + self.fp) * (self.tp + self.fn) + (self.fn + self.tn) * (self.fp + self.tn)) / (
            n * n
        )
        if expected >= 1.0:
            return None
        return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class Evaluation:
    """The figures ``pigan evaluate`` prints."""

    n: int
    labels: dict[str, BinaryScores]
    averaged: tuple[str, ...]
    blame: BinaryScores | None
    #: 95% percentile-bootstrap interval of :attr:`macro_f1` (None below two units).
    macro_f1_interval: tuple[float, float] | None = None

    @property
    def macro_f1(self) -> float:
        """Mean F1 over :attr:`averaged`."""
        if not self.averaged:
            return 0.0
        return sum(self.labels[label].f1 for label in self.averaged) / len(self.averaged)

    @property
    def micro_f1(self) -> float:
        """F1 of the pooled counts over :attr:`averaged`."""
        pooled = BinaryScores(
            tp=sum(self.labels[c].tp for c in self.averaged),
            fp=sum(self.labels[c].fp for c in self.averaged),
            fn=sum(self.labels[c].fn for c in self.averaged),
            tn=0,
        )
        return pooled.f1

    def to_dict(self) -> dict[str, Any]:
        """The figures in the JSON shape of DESIGN.md (rounded to 4 places)."""
        out: dict[str, Any] = {
            "n": self.n,
            "labels": {
                label: {
                    "precision": _round(s.precision),
                    "recall": _round(s.recall),
                    "f1": _round(s.f1),
                    "support": s.support,
                    "kappa": _round(s.kappa),
                }
                for label, s in self.labels.items()
            },
            "macro_f1": _round(self.macro_f1),
            "micro_f1": _round(self.micro_f1),
        }
        if self.blame is not None:
            out["blame"] = {
                "precision": _round(self.blame.precision),
                "recall": _round(self.blame.recall),
                "f1": _round(self.blame.f1),
            }
        return out


def read_gold(path: Path | str, *, codebook: Codebook | None = None) -> list[GoldUnit]:
    """Read and check a gold JSONL file.

    Raises
    ------
    InputError
        ``FILE:LINE: reason`` for a line that is not a JSON object, lacks
        ``text`` or ``labels``, has a label outside the codebook, a
        non-boolean ``blame`` or a repeated id; ``FILE: reason`` when the
        file cannot be read or holds no unit.
    """
    book = codebook or load_codebook()
    file = Path(path)
    try:
        if file.stat().st_size > MAX_GOLD_BYTES:
            raise InputError(file, f"larger than {MAX_GOLD_BYTES // (1024 * 1024)} MB")
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError(file, "no such file") from None
    except IsADirectoryError:
        raise InputError(file, "is a folder, expected a JSONL file") from None
    except OSError as exc:
        raise InputError(file, f"cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(file, "not UTF-8 text", line=line) from None
    known = set(book.code_ids)
    units: list[GoldUnit] = []
    seen: dict[str, int] = {}
    for number, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            record = json.loads(content)
        except json.JSONDecodeError as exc:
            raise InputError(file, f"not valid JSON ({exc.msg})", line=number) from None
        if not isinstance(record, dict):
            raise InputError(file, "expected a JSON object", line=number)
        unit_text = record.get("text")
        if not isinstance(unit_text, str) or not unit_text.strip():
            raise InputError(file, "missing or empty 'text'", line=number)
        labels = record.get("labels")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InputError(file, "'labels' must be a list of codes", line=number)
        tops = set()
        for label in labels:
            top = label.split(".", 1)[0]
            if top not in known:
                raise InputError(
                    file, f"unknown label {label!r} (codes: {', '.join(book.code_ids)})", line=number
                )
            tops.add(top)
        blame = record.get("blame")
        if blame is not None and not isinstance(blame, bool):
            raise InputError(file, "'blame' must be true or false", line=number)
        unit_id = record.get("id", f"line {number}")
        if not isinstance(unit_id, str | int) or isinstance(unit_id, bool):
            raise InputError(file, "'id' must be text or a number", line=number)
        unit_id = str(unit_id)
        if unit_id in seen:
            raise InputError(file, f"id {unit_id!r} repeats line {seen[unit_id]}", line=number)
        seen[unit_id] = number
        units.append(GoldUnit(unit_id, unit_text, frozenset(tops), blame, number))
    if not units:
        raise InputError(file, "no labelled lines")
    return units


def score_units(
    gold: Sequence[GoldUnit], predicted: Sequence[Prediction], *, codes: Sequence[str]
) -> Evaluation:
    """Compare predictions with gold units, label by label (pure; see the module docstring).

    ``codes`` are the candidate labels in reporting order (the codebook's
    top-level codes).
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    present = {c for unit in gold for c in unit.labels} | {c for p in predicted for c in p.labels}
    reported = [c for c in codes if c in present]
    answers = {
        code: np.array(
            [[code in g.labels, code in p.labels] for g, p in zip(gold, predicted, strict=True)], dtype=bool
        ).reshape(len(gold), 2)
        for code in reported
    }
    labels = {code: _binary((bool(g), bool(p)) for g, p in answers[code]) for code in reported}
    averaged = tuple(c for c in reported if c in PURPOSE_CODES) or tuple(reported)
    interval = macro_f1_interval({code: answers[code] for code in averaged})
    with_blame = [(g.blame, p.blame) for g, p in zip(gold, predicted, strict=True) if g.blame is not None]
    blame = _binary((bool(g), p) for g, p in with_blame) if with_blame else None
    return Evaluation(n=len(gold), labels=labels, averaged=averaged, blame=blame, macro_f1_interval=interval)


def macro_f1_interval(
    answers: dict[str, np.ndarray], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float] | None:
    """The 95% percentile-bootstrap interval of the mean F1 over the labels of ``answers``.

    ``answers`` maps each label to a boolean array with one row per unit:
    (gold has the label, pigan gave it). Units are resampled with
    replacement, the same resample for every label, ``rounds`` times.
    """
    columns = list(answers.values())
    n = len(columns[0]) if columns else 0
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    macros: list[np.ndarray] = []
    chunk = max(1, 2_000_000 // n)  # resamples drawn at once, to bound memory on a large gold file
    for start in range(0, rounds, chunk):
        picks = rng.integers(0, n, size=(min(chunk, rounds - start), n))
        total = np.zeros(len(picks))
        present = np.zeros(len(picks))
        for column in columns:
            gold, given = column[:, 0].astype(bool), column[:, 1].astype(bool)
            tp = (gold & given)[picks].sum(axis=1)
            wrong = (gold ^ given)[picks].sum(axis=1)
            total += np.where(tp > 0, 2 * tp / np.maximum(2 * tp + wrong, 1), 0.0)
            present += (tp + wrong) > 0
        # As for the figure itself, a label neither side gives in a resample is not averaged.
        macros.append(np.where(present > 0, total / np.maximum(present, 1), np.nan))
    low, high = np.nanpercentile(np.concatenate(macros), [2.5, 97.5])
    return float(low), float(high)


def predict_units(
    units: Iterable[GoldUnit], *, codebook: Codebook | None = None, nlp: Any = None, batch_size: int = 64
) -> list[Prediction]:
    """Tag each unit's text as one note and return its top-level codes and blame flag."""
    from pigan.tagging import tag_notes

    notes = (Note(event_id="gold", note_id=unit.id, text=unit.text) for unit in units)
    return [
        Prediction(frozenset(result.codes), bool(result.flags.get("blame")))
        for result in tag_notes(notes, codebook=codebook, nlp=nlp, batch_size=batch_size)
    ]


def evaluate_gold(
    path: Path | str, *, codebook: Path | str | Codebook | None = None, nlp: Any = None
) -> Evaluation:
    """Read a gold file, tag its units and score the agreement.

    Raises
    ------
    InputError
        When the gold file is malformed (the message names file and line).
    ConfigError
        When the codebook is invalid.
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    units = read_gold(path, codebook=book)
    predicted = predict_units(units, codebook=book, nlp=nlp)
    return score_units(units, predicted, codes=book.code_ids)


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text table of the figures."""
    lines = [f"{'label':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'kappa':>6}"]
    for label, s in evaluation.labels.items():
        kappa = "-" if s.kappa is None else f"{s.kappa:.3f}"
        lines.append(
            f"{label:<20} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8d} {kappa:>6}"
        )
    over = ", ".join(evaluation.averaged) or "no labels"
    lines.append("")
    lines.append(f"macro F1 {evaluation.macro_f1:.3f}  micro F1 {evaluation.micro_f1:.3f}  (over {over})")
    if evaluation.macro_f1_interval is not None:
        low, high = evaluation.macro_f1_interval
        lines.append(
            f"         macro F1 95% interval {low:.3f} to {high:.3f} "
            f"(bootstrap, {BOOTSTRAP_ROUNDS:,} resamples of the {evaluation.n} units)"
        )
    if evaluation.blame is not None:
        b = evaluation.blame
        lines.append(
            f"blame    precision {b.precision:.3f}  recall {b.recall:.3f}  "
            f"f1 {b.f1:.3f}  (support {b.support})"
        )
    lines.append(f"units    {evaluation.n}")
    return "\n".join(lines) + "\n"


def _binary(pairs: Iterable[tuple[bool, bool]]) -> BinaryScores:
    tp = fp = fn = tn = 0
    for gold, predicted in pairs:
        if gold and predicted:
            tp += 1
        elif predicted:
            fp += 1
        elif gold:
            fn += 1
        else:
            tn += 1
    return BinaryScores(tp, fp, fn, tn)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


__all__ = [
    "BinaryScores",
    "Evaluation",
    "GoldUnit",
    "Prediction",
    "evaluate_gold",
    "format_evaluation",
    "macro_f1_interval",
    "predict_units",
    "read_gold",
    "score_units",
]
