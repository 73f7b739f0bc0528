"""`pigan run` end to end, as a user or a scheduled job runs it (real model, real Papermill, real files).

One run of a small event whose notes carry markup serves several tests (the
reports, the manifest, HTML safety, the lock); the failure, refusal, board
audience and board runs each have their own store.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

pytestmark = pytest.mark.slow

HOSTILE_EVENT = """event_id: hostile-e
review_type: SAR
review_ref: TEST-1
held_on: '2025-01-15'
title: Test event whose notes carry markup
summary: A made-up event whose notes carry markup, to check that every report escapes it.
"""
HOSTILE_ROWS = [
    ("H-01", "P01", "Police", "Context", "", "Caseloads were far too high <script>alert('pigan')</script> so "
     "home visits were cut short."),
    ("H-02", "P02", "Police", "Context", "", "The team caseload was very high that winter and home visits "
     "were cut short."),
    ("H-03", "P03", "GP", "Context", "", "High caseloads meant nobody had time to follow up "
     "<img src=x onerror=alert(1)> the referral."),
    ("H-04", "P04", "GP", "Decisions", "", "The GP failed to act on the referral "
     "<b onmouseover=alert(2)>at all</b>."),
    ("H-05", "P05", "Housing", "Context", "", "Staff turnover and agency staff meant there was "
     "little handover."),
    ("H-06", "P06", "Housing", "Decisions", "", "Nobody asked him about his drinking; we took his account at "
     "face value."),
    ("H-07", "P07", "Adult Social Care", "Decisions", "", "The risk assessment did not consider the "
     "fire risk from smoking with oxygen."),
    ("H-08", "P08", "Adult Social Care", "Good practice", "", "The housing officer kept visiting and built a "
     "trusting relationship with him."),
    ("H-09", "P01", "Police", "Recommendations", "", "It would help if there was one self-neglect pathway "
     "across all agencies."),
    ("H-10", "P02", "Police", "Case story", "2023-03-12", "He was admitted to hospital after a fall and "
     "discharged two days later."),
    ("H-11", "P03", "GP", "Case story", "", "On 4 May 2023 the GP referral was received by the mental "
     "health team."),
    ("H-12", "P05", "Housing", "Recommendations", "", "Training on self-neglect and hoarding for "
     "housing staff should be offered."),
]  # fmt: skip


def write_hostile_notes(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Note ID", "Participant", "Organisation", "Segment", "Episode date", "Note"])
        writer.writerows(HOSTILE_ROWS)


@dataclass(frozen=True)
class Done:
    """What a `pigan run` did."""

    code: int
    stdout: str
    stderr: str
    seconds: float


def pigan(*args: str | Path, cwd: Path, timeout: float = 900) -> Done:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pigan", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("pigan: error:")]


@dataclass(frozen=True)
class HostileRun:
    """The hostile event's successful run and the concurrent run refused while it held the lock."""

    work: Path
    out: Path
    first: Done
    concurrent: Done

    @property
    def folder(self) -> Path:
        return self.out / "hostile-e" / "latest"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    work = tmp_path_factory.mktemp("hostile")
    event = work / "hostile-e"
    event.mkdir()
    (event / "event.yaml").write_text(HOSTILE_EVENT, encoding="utf-8")
    write_hostile_notes(event / "notes.csv")
    out = work / "reports"
    started = time.perf_counter()
    first = subprocess.Popen(
        [sys.executable, "-m", "pigan", "run", str(event), "--store", str(work / "store"), "--out", str(out)],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = out / "hostile-e" / ".lock"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if lock.is_file() and lock.read_text(encoding="utf-8").strip() == str(first.pid):
            break
        time.sleep(0.05)
    assert first.poll() is None, "the first run ended before the second could try"
    concurrent = pigan("run", "--event", "hostile-e", "--store", work / "store", "--out", out, cwd=work)
    stdout, stderr = first.communicate(timeout=900)
    done = Done(first.returncode, stdout, stderr, time.perf_counter() - started)
    return HostileRun(work, out, done, concurrent)


# -- success ---------------------------------------------------------------------------------------


def test_run_succeeds_and_points_latest_at_a_utc_timestamped_folder(hostile: HostileRun) -> None:
    assert hostile.first.code == 0, hostile.first.stderr
    latest = hostile.folder
    assert latest.is_symlink()
    assert re.fullmatch(r"\d{8}T\d{6}Z", os.readlink(latest))
    assert hostile.first.stdout.strip() == str(hostile.out / "hostile-e" / os.readlink(latest))
    names = {p.name for p in latest.iterdir()}
    assert {
        "01_screening.ipynb", "02_themes.ipynb", "03_learning_summary.ipynb", "01_screening.html",
        "02_themes.html", "learning_summary.html", "learning_summary.md", "learning_summary.docx",
        "manifest.json", "figures",
    } <= names  # fmt: skip
    assert not [p for p in (hostile.out / "hostile-e").iterdir() if p.name.startswith(".running")]
    assert not (hostile.out / "hostile-e" / "failed").exists()


def test_progress_and_stage_timings_go_to_stderr(hostile: HostileRun) -> None:
    assert "01_screening:" in hostile.first.stderr and "cell" in hostile.first.stderr  # a bar per notebook
    assert re.search(r"hostile-e: stages: .*model [\d.]+s, screen [\d.]+s, tag [\d.]+s", hostile.first.stderr)


def test_manifest_records_inputs_parameters_versions_counts_and_status(hostile: HostileRun) -> None:
    manifest = json.loads((hostile.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "succeeded"
    source = manifest["inputs"]["sources"]["hostile-e"][0]
    assert source["name"] == "notes.csv" and len(source["sha256"]) == 64 and source["rows_read"] == 12
    assert {n["name"] for n in manifest["inputs"]["notebooks"]} == {
        "01_screening.ipynb",
        "02_themes.ipynb",
        "03_learning_summary.ipynb",
    }
    assert manifest["inputs"]["codebook"]["version"] == manifest["versions"]["codebook"]
    for key in ("pigan", "spacy", "model", "codebook", "papermill", "python"):
        assert manifest["versions"][key], key
    given = manifest["parameters"]["03_learning_summary"]["given"]
    assert given["event_id"] == "hostile-e" and given["prepare"] is False
    assert manifest["counts"]["hostile-e"]["notes"] == 12
    assert {"model", "screen", "tag", "notebook:02_themes", "html"} <= set(manifest["timings"])
    listed = {o["path"] for o in manifest["outputs"]}
    assert "learning_summary.docx" in listed and "figures/timeline.png" in listed


def test_a_concurrent_run_for_the_same_output_exits_at_once_with_code_4(hostile: HostileRun) -> None:
    assert hostile.concurrent.code == 4
    assert hostile.concurrent.seconds < 20
    (line,) = error_lines(hostile.concurrent.stderr)
    assert "another `pigan run`" in line and "hostile-e" in line
    assert hostile.concurrent.stdout == ""


# -- HTML safety -----------------------------------------------------------------------------------

LIVE_MARKUP = re.compile(r"<\s*script|<[^>]*\son\w+\s*=|javascript:", re.I)


def test_note_markup_is_escaped_in_every_html_and_markdown_output(hostile: HostileRun) -> None:
    pages = {p.name: p.read_text(encoding="utf-8") for p in hostile.folder.glob("*.html")}
    assert set(pages) == {"01_screening.html", "02_themes.html", "learning_summary.html"}
    for name, page in pages.items():
        assert not LIVE_MARKUP.search(page), name
    assert "&lt;script&gt;alert('pigan')&lt;/script&gt;" in pages["learning_summary.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["learning_summary.html"]
    assert "&lt;b onmouseover=alert(2)&gt;" in pages["02_themes.html"]  # the blame table, for the reviewer
    markdown = (hostile.folder / "learning_summary.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert('pigan')&lt;/script&gt;" in markdown


def test_docx_holds_note_text_as_plain_text(hostile: HostileRun) -> None:
    from docx import Document

    document = Document(str(hostile.folder / "learning_summary.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "<script>alert('pigan')</script>" in text  # shown literally, as typed; Word runs no markup


# -- failure ---------------------------------------------------------------------------------------


def test_a_failing_notebook_keeps_its_partial_run_under_failed_and_leaves_latest(hostile: HostileRun) -> None:
    before = os.readlink(hostile.folder)
    done = pigan(
        "run", "--event", "hostile-e", "--store", hostile.work / "store", "--out", hostile.out,
        "-p", "k", "2", cwd=hostile.work,
    )  # fmt: skip
    assert done.code == 1
    (line,) = error_lines(done.stderr)
    assert "notebook 02_themes failed in cell" in line and "ConfigError" in line
    assert os.readlink(hostile.folder) == before
    (failed,) = (hostile.out / "hostile-e" / "failed").iterdir()
    assert str(failed) in line
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["error"]["type"] == "RunError"
    assert (failed / "01_screening.ipynb").is_file() and (failed / "02_themes.ipynb").is_file()
    assert not (failed / "learning_summary.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "colour", "red"], "-p colour: unknown parameter"),
        (["-p", "k", "five"], "-p k: 'five' is not a whole number"),
        (["-p", "prepare", "true"], "-p prepare: set by pigan run itself"),
        (["-p", "audience", "everyone"], "-p audience: must be 'reviewer' or 'board'"),
        (
            ["-p", "audience", "board", "-p", "policy", "warn"],
            "-p policy: 'warn' is for reviewer outputs only",
        ),
        (["-p", "policy", "publish"], "-p policy: must be 'block', 'redact' or 'warn'"),
        (["--board", "-p", "excerpts", "2"], "-p excerpts: unknown parameter"),
    ],
    ids=[
        "unknown-name",
        "malformed-int",
        "reserved",
        "bad-audience",
        "warn-for-the-board",
        "unknown-policy",
        "event-only-parameter-for-board",
    ],
)
def test_bad_parameters_are_refused_before_anything_runs(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = pigan("run", "--event", "sar-adult-d", *args, "--store", tmp_path / "store", "--out",
                 tmp_path / "reports", cwd=tmp_path) if "--board" not in args else pigan(
        "run", *args, "--store", tmp_path / "store", "--out", tmp_path / "reports", cwd=tmp_path
    )  # fmt: skip
    assert done.code == 2
    (line,) = error_lines(done.stderr)
    assert line.startswith(f"pigan: error: {message}")
    assert not (tmp_path / "reports").exists() and not (tmp_path / "store").exists()
    assert done.seconds < 30


# -- the board's copy and the board overview -------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("sample")
    done = pigan(
        "ingest", SAMPLE / "sar-adult-d", SAMPLE / "cspr-infant-f", "--store", work / "store", cwd=work
    )
    assert done.code == 0, done.stderr
    return work


def sample_note_texts() -> list[str]:
    """Opening words of every sample note (long enough to be a quote)."""
    import pandas as pd

    texts = pd.read_csv(SAMPLE / "sar-adult-d" / "notes.csv", dtype=str)["Note"].tolist()
    return [t[:45] for t in texts if isinstance(t, str) and len(t) >= 45]


def test_board_audience_is_refused_by_the_gate_while_findings_are_unresolved(sample_store: Path) -> None:
    done = pigan(
        "run", "--event", "sar-adult-d", "-p", "audience", "board", "--store", sample_store / "store",
        "--out", sample_store / "refused", cwd=sample_store,
    )  # fmt: skip
    assert done.code == 3
    (line,) = error_lines(done.stderr)
    assert "unresolved personal-data finding" in line and "D-032" in line
    assert not (sample_store / "refused" / "sar-adult-d" / "latest").exists()


def test_board_audience_output_has_no_excerpt_and_no_group_under_k(sample_store: Path) -> None:
    from docx import Document

    out = sample_store / "board-copy"
    done = pigan(
        "run", "--event", "sar-adult-d", "-p", "audience", "board", "-p", "policy", "redact",
        "--store", sample_store / "store", "--out", out, cwd=sample_store,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    folder = out / "sar-adult-d" / "latest"
    assert {p.name for p in folder.glob("*.html")} == {"learning_summary.html"}  # the board's copy only
    markdown = (folder / "learning_summary.md").read_text(encoding="utf-8")
    html = (folder / "learning_summary.html").read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(str(folder / "learning_summary.docx")).paragraphs)
    cells = [
        c.text
        for t in Document(str(folder / "learning_summary.docx")).tables
        for r in t.rows
        for c in r.cells
    ]
    for output in (markdown, html, docx):
        assert "(note " not in output and not re.search(r"\bD-\d{3}\b", output)
        assert not [t for t in sample_note_texts() if t in output]  # no quote at all
    # every count in every table is at least k=5 or shown as <5
    numbers = [int(c) for c in cells if c.isdigit()]
    assert numbers and min(n for n in numbers if n > 0) >= 5
    for agency in ("Ambulance Service", "Voluntary Sector", "Fire and Rescue", "Community Nursing"):
        assert agency not in markdown  # agencies of 1-2 participants never named
    assert "<5" in cells


def test_board_overview_rerun_gives_the_same_figures_and_tags_at_least_5x_faster(tmp_path: Path) -> None:
    runs = []
    for _ in range(3):  # one cold run, then two on unchanged notes (the faster of those is compared)
        done = pigan(
            "run", "--board", SAMPLE / "sar-adult-d", SAMPLE / "cspr-infant-f", "-p", "policy", "redact",
            "--store", tmp_path / "store", "--out", tmp_path / "reports", cwd=tmp_path,
        )  # fmt: skip
        assert done.code == 0, done.stderr
        runs.append(Path(done.stdout.strip()))
    assert len(set(runs)) == 3 and (tmp_path / "reports" / "board" / "latest").resolve() == runs[-1].resolve()
    figures = sorted(p.name for p in (runs[0] / "figures").glob("*.png"))
    assert figures == ["board_purposes.png", "board_review_types.png", "board_trends.png"]
    for run in runs[1:]:
        for name in figures:
            assert (runs[0] / "figures" / name).read_bytes() == (run / "figures" / name).read_bytes(), name
    timings = [
        json.loads((run / "manifest.json").read_text(encoding="utf-8"))["timings"]["tag"] for run in runs
    ]
    cold, warm = timings[0], min(timings[1:])
    assert warm * 5 <= cold, f"tagging stage: cold {cold}s, warm {timings[1:]}s"


def test_scheduled_run_exit_codes_are_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reports and scheduled runs", 1)[-1]
    for code in ("0", "1", "2", "3", "4"):
        assert re.search(rf"^\|\s*`?{code}`?\s*\|", section, flags=re.M), f"exit code {code} not documented"
