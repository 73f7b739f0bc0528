"""Tagging speed: the bare spaCy model against pigan's full tagging, and cold against warm runs.

Usage::

    .venv/bin/python benchmarks/bench_tagging.py                  # 5,000 notes, both parts
    .venv/bin/python benchmarks/bench_tagging.py --notes 10000
    .venv/bin/python benchmarks/bench_tagging.py --no-cache-run   # only bare against full
    .venv/bin/python benchmarks/bench_tagging.py --json

Part 1, **overhead**: the sample events' notes, repeated (each copy made
unique by a short suffix) up to ``--notes``, are run through the bare model
(``nlp.pipe`` of :func:`pigan.nlp.load_model`) and through pigan's full tagging
(:func:`pigan.tagging.tag_notes`: the same model plus pigan's components and
the roll-up to per-note results). The notes go in blocks of 100, each block
timed bare, pigan, pigan, bare (an ABBA order, so that a change in load from
other work on the machine falls on both alike); every note is thus run twice
each way. Target: ratio (bare time / pigan time) at least 0.85, i.e. pigan
adds at most about 15%.

Part 2, **parse cache**: the same notes are ingested into a temporary store
and tagged twice with :func:`pigan.tagging.tag_event`; the first run parses
every note and fills ``doc_cache``, the second reads the parses back and runs
only pigan's components. Target: the warm run at least 5x faster.

Only counts and timings are printed, never note text.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pigan.ingest import ingest_paths, read_notes
from pigan.models import Note
from pigan.nlp import load_model
from pigan.store import Store
from pigan.tagging import get_pipeline, tag_event, tag_notes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
BLOCK = 100
TARGET_RATIO = 0.85
TARGET_SPEEDUP = 5.0


def sample_notes(count: int) -> list[Note]:
    """``count`` notes: the sample events' notes repeated, each copy with a unique suffix."""
    base: list[Note] = []
    for path in sorted(SAMPLE.glob("*/*")):
        if path.suffix in {".csv", ".xlsx", ".docx", ".md", ".jsonl", ".txt"} and path.name != "README.md":
            base.extend(read_notes(path).notes)
    if not base:
        raise SystemExit(f"no sample notes found under {SAMPLE}")
    notes = []
    for i in range(count):
        note = base[i % len(base)]
        notes.append(Note(event_id="bench", note_id=f"n{i:06d}", text=f"{note.text} (ref {i})"))
    return notes


def time_overhead(notes: list[Note], batch_size: int) -> dict[str, Any]:
    """Seconds for the bare model and for pigan's tagging over the same notes, block by block."""
    nlp = load_model()
    pipeline = get_pipeline()
    warm = [n.text for n in notes[:50]]
    for _ in nlp.pipe(warm, batch_size=batch_size):
        pass
    for _ in tag_notes(notes[:50], nlp=pipeline, batch_size=batch_size):
        pass
    bare = full = 0.0
    for start in range(0, len(notes), BLOCK):
        block = notes[start : start + BLOCK]
        texts = [n.text for n in block]

        def run_bare(texts: list[str] = texts) -> float:
            t0 = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=batch_size):
                pass
            return time.perf_counter() - t0

        def run_full(block: list[Note] = block) -> float:
            t0 = time.perf_counter()
            for _ in tag_notes(block, nlp=pipeline, batch_size=batch_size):
                pass
            return time.perf_counter() - t0

        bare += run_bare()
        full += run_full()
        full += run_full()
        bare += run_bare()
    runs = 2 * len(notes)  # each note went through each side twice
    return {
        "notes": len(notes),
        "bare_seconds": round(bare / 2, 2),
        "pigan_seconds": round(full / 2, 2),
        "bare_notes_per_second": round(runs / bare, 1),
        "pigan_notes_per_second": round(runs / full, 1),
        "ratio": round(bare / full, 3),
        "target_ratio": TARGET_RATIO,
    }


def time_cache(notes: list[Note], batch_size: int) -> dict[str, Any]:
    """Seconds for a cold and a warm :func:`tag_event` of the same event."""
    with tempfile.TemporaryDirectory(prefix="pigan-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "bench_notes.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for note in notes:
                handle.write(json.dumps({"id": note.note_id, "text": note.text}) + "\n")
        ingest_paths([source], store=folder / "store", event_id="bench")
        with Store.open(folder / "store") as store:
            t0 = time.perf_counter()
            tag_event(store, "bench", use_cache=True, batch_size=batch_size)
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            tag_event(store, "bench", use_cache=True, batch_size=batch_size)
            warm = time.perf_counter() - t0
            cached = store.connection.execute("SELECT count(*) FROM doc_cache").fetchone()[0]
    return {
        "notes": len(notes),
        "cached_parses": cached,
        "cold_seconds": round(cold, 2),
        "warm_seconds": round(warm, 2),
        "speedup": round(cold / warm, 2),
        "target_speedup": TARGET_SPEEDUP,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pigan tagging speed benchmark")
    parser.add_argument("--notes", type=int, default=5000, help="notes to tag (default 5000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-cache-run", action="store_true", help="skip the cold/warm tag_event part")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    notes = sample_notes(args.notes)
    results: dict[str, Any] = {"overhead": time_overhead(notes, args.batch_size)}
    if not args.no_cache_run:
        results["cache"] = time_cache(notes, args.batch_size)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    o = results["overhead"]
    print(f"notes                      {o['notes']}")
    print(f"bare model (nlp.pipe)      {o['bare_notes_per_second']:>8.1f} notes/s  ({o['bare_seconds']} s)")
    print(f"pigan full tagging         {o['pigan_notes_per_second']:>8.1f} notes/s  ({o['pigan_seconds']} s)")
    verdict = "ok" if o["ratio"] >= TARGET_RATIO else "BELOW TARGET"
    print(f"ratio (bare / pigan time)  {o['ratio']:>8.3f}  (target >= {TARGET_RATIO}: {verdict})")
    if "cache" in results:
        c = results["cache"]
        verdict = "ok" if c["speedup"] >= TARGET_SPEEDUP else "BELOW TARGET"
        print(
            f"tag_event cold             {c['cold_seconds']:>8.2f} s  (parses cached: {c['cached_parses']})"
        )
        print(f"tag_event warm (cached)    {c['warm_seconds']:>8.2f} s")
        print(f"warm speed-up              {c['speedup']:>8.2f}x  (target >= {TARGET_SPEEDUP}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
