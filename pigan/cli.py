"""The ``pigan`` command line: thin callers of the library, one-line errors, exit codes.

Exit codes: 0 success; 1 failure (a run failed, a problem found by doctor);
2 bad input or arguments (nothing written); 3 the screening gate refused an
output; 4 another run holds the lock; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pigan import __version__
from pigan.errors import InputError, PiganError

if TYPE_CHECKING:
    from pigan.store import Store

log = logging.getLogger("pigan")

Handler = Callable[[argparse.Namespace], int]


# -- helpers ------------------------------------------------------------------


def _write_output(text: str | bytes, out: Path | None) -> None:
    """Write to ``out`` atomically (temp file then rename), or to stdout."""
    if out is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {out}", file=sys.stderr)


# -- commands -------------------------------------------------------------------


def _cmd_ingest(args: argparse.Namespace) -> int:
    from pigan.ingest import ingest_paths

    report = ingest_paths(args.paths, store=args.store, event_id=args.event)
    print(f"{'event':<18} {'file':<28} {'status':<12} {'read':>6} {'ingested':>9} {'quarantined':>12}")
    for o in report.outcomes:
        print(
            f"{o.event_id:<18} {o.name:<28} {o.status:<12} {o.rows_read:>6} "
            f"{o.rows_ingested:>9} {o.rows_quarantined:>12}"
        )
    print(
        f"{'total':<18} {'':<28} {'':<12} {report.rows_read:>6} {report.rows_ingested:>9} "
        f"{report.rows_quarantined:>12}"
    )
    held = [(key, q) for key, rows in report.quarantined.items() for q in rows]
    if held:
        print("\nquarantined rows (kept in the store, not analysed):")
        for key, q in held:
            note = f" note {q.note_id}" if q.note_id else ""
            print(f"  {key} {q.row_ref}{note}: {q.reason}")
    return 0


def _warn_unscreened(store: Store, event_id: str) -> None:
    """Say on stderr when an export of original note text carries unresolved personal data."""
    from pigan.screening import load_findings
    from pigan.screening.events import is_screened

    screened = is_screened(store, event_id)
    open_findings = load_findings(store, event_id, include_false_alarms=False)
    if open_findings:
        notes = len({f.note_id for f in open_findings})
        print(
            f"pigan: warning: {len(open_findings)} unresolved personal-data finding(s) in {notes} note(s) "
            f"of {event_id}; this export holds the original text (for the reviewer only); "
            f"review them with `pigan screen --event {event_id}`",
            file=sys.stderr,
        )
    elif not screened:
        print(
            f"pigan: warning: {event_id} has not been screened for personal data; "
            f"run `pigan screen --event {event_id}` before sharing this export",
            file=sys.stderr,
        )


def _cmd_export(args: argparse.Namespace) -> int:
    from pigan.export import notes_to_csv, notes_to_jsonl
    from pigan.store import Store

    if args.format in {"jsonl", "csv"}:
        with Store.open(args.store, create=False) as store:
            notes = store.notes(args.event)
            _warn_unscreened(store, args.event)
        text = notes_to_jsonl(notes) if args.format == "jsonl" else notes_to_csv(notes)
        _write_output(text, args.out)
        return 0
    if args.format in {"qdc", "taguette"}:
        from pigan.interop import export_qdc, export_taguette_csv

        _write_output(export_qdc() if args.format == "qdc" else export_taguette_csv(), args.out)
        return 0
    if args.format == "qdpx":
        from pigan.interop import export_qdpx

        out = args.out or Path(f"{args.event}.qdpx")
        with Store.open(args.store, create=False) as store:
            _warn_unscreened(store, args.event)
            summary = export_qdpx(store, args.event, out)
        print(f"wrote {out}: {summary.describe()}", file=sys.stderr)
        return 0
    if args.format == "docx":
        from pigan.report import learning_summary_docx

        _write_output(learning_summary_docx(args.store, args.event), args.out or Path(f"{args.event}.docx"))
        return 0
    raise PiganError(f"export format {args.format!r} is not available yet")


def _cmd_doctor(args: argparse.Namespace) -> int:
    from pigan.doctor import diagnose

    problems = 0
    for check in diagnose(store=args.store):
        mark = "ok " if check.ok else "!! "
        print(f"{mark}{check.name:<16} {check.value}")
        if not check.ok:
            problems += 1
            print(f"    fix: {check.fix}")
    if problems:
        print(f"\n{problems} problem(s) found", file=sys.stderr)
    return 1 if problems else 0


def _cmd_screen(args: argparse.Namespace) -> int:
    import json

    from pigan.screening.events import format_findings, screen_target

    result = screen_target(
        store=args.store,
        event_id=args.event,
        file=args.file,
        deny_list=args.deny_list,
        false_alarms=[tuple(item) for item in args.false_alarm or []],
        policy=args.policy,
    )
    if args.json:
        rows = [f.to_json() for f in result.findings]
        if args.show:
            rows = [{**row, "text": result.texts[row["id"]][row["start"] : row["end"]]} for row in rows]
        print(json.dumps(rows, ensure_ascii=False))
    else:
        print(format_findings(result.findings, result.texts if args.show else None))
        notes = len({f.note_id for f in result.findings})
        print(f"{len(result.findings)} finding(s) in {notes} note(s)", file=sys.stderr)
    if result.dismissed:
        print(f"{result.dismissed} finding(s) marked false alarm not shown", file=sys.stderr)
    if result.verdict is not None:
        print(result.verdict.message, file=sys.stderr)
        return 0 if result.verdict.allowed else 3
    return 0


def _cmd_tag(args: argparse.Namespace) -> int:
    from pigan.store import Store
    from pigan.tagging.pipeline import tag_event, tag_file, write_results

    if args.workers < 1:
        raise InputError("--workers", "must be 1 or more")
    if args.event:
        with Store.open(args.store, create=False) as store:
            results = tag_event(store, args.event, codebook=args.codebook, n_process=args.workers)
        print(f"tagged {len(results)} notes of event {args.event}; tags stored", file=sys.stderr)
        write_results(results, args.format, args.out)
    else:
        count = write_results(
            tag_file(args.file, codebook=args.codebook, n_process=args.workers), args.format, args.out
        )
        print(f"tagged {count} notes", file=sys.stderr)
    if args.out is not None:
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if args.human:
        from pigan.interop import cmd_evaluate_human

        return cmd_evaluate_human(args)
    import json

    from pigan.evaluate import evaluate_gold, format_evaluation

    if args.gold is None:
        raise InputError("GOLD.jsonl", "give a labelled file (or --human FILE.qdpx --event ID)")
    evaluation = evaluate_gold(args.gold, codebook=args.codebook)
    if args.json:
        print(json.dumps(evaluation.to_dict(), indent=2))
    else:
        print(format_evaluation(evaluation), end="")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pigan.notebooks import format_timings, run_reports

    results = run_reports(
        args.paths,
        store=args.store,
        event=args.event,
        board=args.board,
        out=args.out,
        parameters=args.parameter,
        timeout=args.timeout,
    )
    for result in results:
        print(f"{result.target}: report written; {result.latest} -> {result.folder.name}", file=sys.stderr)
        print(f"{result.target}: stages: {format_timings(result.timings)}", file=sys.stderr)
        print(result.folder)
    return 0


def _cmd_import_coding(args: argparse.Namespace) -> int:
    from pigan.interop import import_coding
    from pigan.store import Store

    with Store.open(args.store, create=False) as store:
        report = import_coding(
            args.file,
            store,
            args.event,
            codebook_path=args.codebook,
            codebook_out=args.codebook_out,
            coder=args.coder,
            keep_pigan=args.keep_pigan,
        )
    print("\n".join(report.describe()))
    return 0


# -- parser -----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line message for bad arguments."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command (the contract in DESIGN.md)."""
    common = _Parser(add_help=False)
    common.add_argument("--store", type=Path, help="store folder (default ./pigan-store or $PIGAN_STORE)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more messages on stderr")
    common.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")

    parser = _Parser(prog="pigan", description="Evidence-linked learning from practitioner event notes.")
    parser.add_argument("--version", action="version", version=f"pigan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("ingest", _cmd_ingest, "read notes files or event folders into the store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notes file or event folder")
    p.add_argument("--event", help="event id for every file (else event.yaml or an event_id column)")

    p = command("screen", _cmd_screen, "find personal data left in notes")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--event", help="screen an event in the store")
    target.add_argument("file", nargs="?", type=Path, metavar="FILE", help="screen a notes file directly")
    p.add_argument("--json", action="store_true", help="print findings as JSON")
    p.add_argument("--show", action="store_true", help="show the matched text (on your screen only)")
    p.add_argument(
        "--policy",
        choices=["block", "redact", "warn"],
        help="report the gate's verdict under this policy (exit 3 if block refuses)",
    )
    p.add_argument(
        "--deny-list",
        type=Path,
        metavar="YAML",
        help="known names and places (default: deny_list.yaml beside the notes)",
    )
    p.add_argument(
        "--false-alarm",
        nargs=3,
        action="append",
        metavar=("NOTE_ID", "TYPE", "START"),
        help="mark a finding as a false alarm (kept for later runs)",
    )

    p = command("tag", _cmd_tag, "tag themes, flags and evidence per note")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--event", help="tag an event in the store")
    target.add_argument("file", nargs="?", type=Path, metavar="FILE", help="tag a notes file directly")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--codebook", type=Path, help="codebook YAML to use instead of the packaged one")
    p.add_argument("--workers", type=int, default=1, help="processes for spaCy (n_process)")

    p = command("evaluate", _cmd_evaluate, "agreement with a labelled set or a human coder")
    p.add_argument("gold", nargs="?", type=Path, metavar="GOLD.jsonl", help="labelled sentences")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--human", type=Path, metavar="FILE.qdpx", help="a REFI-QDA project coded by a person")
    p.add_argument("--event", help="event the human coding belongs to")
    p.add_argument("--codebook", type=Path, help="codebook YAML to use instead of the packaged one")

    p = command("run", _cmd_run, "run the notebooks and write the reports")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="notes to ingest first")
    p.add_argument("--event", help="event to report on")
    p.add_argument("--board", action="store_true", help="the board overview across events")
    p.add_argument("--out", type=Path, default=Path("reports"), help="reports folder (default ./reports)")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="notebook parameter",
    )
    p.add_argument("--timeout", type=int, default=600, help="seconds per notebook cell")

    p = command("export", _cmd_export, "write an event's notes, coding or report")
    p.add_argument("--event", required=True, help="event id")
    p.add_argument("--format", required=True, choices=["jsonl", "csv", "qdc", "qdpx", "taguette", "docx"])
    p.add_argument("--out", type=Path, help="output file (default stdout for text formats)")

    p = command("import-coding", _cmd_import_coding, "bring in coding from NVivo, ATLAS.ti, MAXQDA...")
    p.add_argument("file", type=Path, metavar="FILE.qdpx|FILE.qdc")
    p.add_argument("--event", required=True, help="event the coding belongs to")
    p.add_argument("--codebook-out", type=Path, help="write the adopted codebook here")
    p.add_argument("--codebook", type=Path, help="local codebook YAML to compare with (default: packaged)")
    p.add_argument("--coder", help="take only this user's coding as gold (default: every human coder)")
    p.add_argument("--keep-pigan", action="store_true", help="count pigan's own codings as gold")

    command("doctor", _cmd_doctor, "check versions, model, kernel and store; say how to fix problems")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="pigan: %(message)s", stream=sys.stderr)
    handler: Handler = args.handler
    try:
        return handler(args)
    except PiganError as exc:
        print(f"pigan: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pigan: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: no traceback, it may quote note text
        if args.debug:
            raise
        print(
            f"pigan: internal error ({exc.__class__.__name__}); rerun with --debug to see details",
            file=sys.stderr,
        )
        return 1


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["InputError", "build_parser", "main"]
