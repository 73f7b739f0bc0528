"""Screening benchmark: precision and recall per type on the labelled screening set.

Usage::

    .venv/bin/python benchmarks/bench_screening.py                 # held-out half (the reported figures)
    .venv/bin/python benchmarks/bench_screening.py --split tune    # the half the patterns were tuned on
    .venv/bin/python benchmarks/bench_screening.py --json

A predicted span counts as a true positive when it overlaps a labelled span
of the same type (the usual lenient match for de-identification: what
matters is that the personal data is covered). Recall per type is the share
of labelled spans covered by a prediction of that type. The false alarms on
pseudonyms, roles and agency names are predictions overlapping the set's
recorded hard-negative spans of those kinds. Figures are printed, never the
note text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pigan.models import Note
from pigan.screening import FINDING_TYPES, Finding, screen_notes

DATA = Path(__file__).parent / "data" / "screening_set.jsonl"
TARGET_RECALL = {
    **dict.fromkeys(["EMAIL", "PHONE", "NHS_NUMBER", "NI_NUMBER", "POSTCODE", "DATE_OF_BIRTH"], 0.98),
    "PERSON": 0.90,
    "ADDRESS": 0.90,
    "FACILITY": 0.80,
}
TARGET_PRECISION = 0.90
ALLOWED_KINDS = ("PSEUDO", "ROLE", "AGENCY")


def _overlap(a: dict[str, Any] | Finding, b: dict[str, Any] | Finding) -> bool:
    a_start, a_end = (a["start"], a["end"]) if isinstance(a, dict) else (a.start, a.end)
    b_start, b_end = (b["start"], b["end"]) if isinstance(b, dict) else (b.start, b.end)
    return bool(a_start < b_end and b_start < a_end)


def evaluate(rows: list[dict[str, Any]], findings: list[Finding]) -> dict[str, Any]:
    """Precision and recall per type, overall precision, and false alarms on allowed names."""
    by_note: dict[str, list[Finding]] = {}
    for f in findings:
        by_note.setdefault(f.note_id, []).append(f)
    gold_n: Counter[str] = Counter()
    gold_hit: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    pred_hit: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for row in rows:
        predicted = by_note.get(row["id"], [])
        for span in row["spans"]:
            gold_n[span["type"]] += 1
            if any(p.type == span["type"] and _overlap(p, span) for p in predicted):
                gold_hit[span["type"]] += 1
        for p in predicted:
            pred_n[p.type] += 1
            if any(p.type == s["type"] and _overlap(p, s) for s in row["spans"]):
                pred_hit[p.type] += 1
        for negative in row.get("hard_negatives", []):
            if negative["kind"] in ALLOWED_KINDS and any(_overlap(p, negative) for p in predicted):
                alarms[negative["kind"]] += 1
    types: dict[str, dict[str, Any]] = {}
    for t in FINDING_TYPES:
        types[t] = {
            "support": gold_n[t],
            "predicted": pred_n[t],
            "recall": gold_hit[t] / gold_n[t] if gold_n[t] else None,
            "precision": pred_hit[t] / pred_n[t] if pred_n[t] else None,
            "target_recall": TARGET_RECALL[t],
        }
    total_pred = sum(pred_n.values())
    return {
        "notes": len(rows),
        "types": types,
        "precision": sum(pred_hit.values()) / total_pred if total_pred else None,
        "recall": sum(gold_hit.values()) / sum(gold_n.values()) if gold_n else None,
        "false_alarms_on_allowed": {k: alarms[k] for k in ALLOWED_KINDS},
        "allowed_spans": {
            k: sum(n["kind"] == k for r in rows for n in r.get("hard_negatives", [])) for k in ALLOWED_KINDS
        },
    }


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list missed and spurious spans (TEXT SHOWN)")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.split != "all":
        rows = [r for r in rows if r.get("split") == args.split]
    notes = [Note(event_id="bench", note_id=r["id"], text=r["text"]) for r in rows]
    started = time.perf_counter()
    findings = screen_notes(notes)
    seconds = time.perf_counter() - started
    result = evaluate(rows, findings)
    result["split"] = args.split
    result["seconds"] = round(seconds, 2)

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"screening benchmark: {result['notes']} notes ({args.split} half), {seconds:.1f} s")
        print(f"{'type':<14} {'support':>7} {'pred':>5} {'precision':>9} {'recall':>7} {'target':>7}  ")
        for t, m in result["types"].items():
            met = m["recall"] is not None and m["recall"] >= m["target_recall"]
            print(
                f"{t:<14} {m['support']:>7} {m['predicted']:>5} {_fmt(m['precision']):>9} "
                f"{_fmt(m['recall']):>7} {m['target_recall']:>7.2f}  {'ok' if met else 'BELOW'}"
            )
        print(
            f"overall precision {_fmt(result['precision'])} (target {TARGET_PRECISION:.2f}), "
            f"overall recall {_fmt(result['recall'])}"
        )
        alarms = ", ".join(
            f"{k.lower()} {result['false_alarms_on_allowed'][k]}/{result['allowed_spans'][k]}"
            for k in ALLOWED_KINDS
        )
        print(f"false alarms on pseudonyms, roles, agencies: {alarms}")
    if args.errors:
        by_note: dict[str, list[Finding]] = {}
        for f in findings:
            by_note.setdefault(f.note_id, []).append(f)
        for row in rows:
            predicted = by_note.get(row["id"], [])
            for s in row["spans"]:
                if not any(p.type == s["type"] and _overlap(p, s) for p in predicted):
                    print(
                        f"MISS {row['id']} {s['type']:<13} {row['text'][s['start'] : s['end']]!r}",
                        file=sys.stderr,
                    )
            for p in predicted:
                if not any(p.type == s["type"] and _overlap(p, s) for s in row["spans"]):
                    print(
                        f"FP   {row['id']} {p.type:<13} {row['text'][p.start : p.end]!r} ({p.detector})",
                        file=sys.stderr,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
