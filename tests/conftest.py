"""Shared fixtures: paths to the sample data, a CLI runner, and the real spaCy model (loaded once)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from spacy.language import Language

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SAR_EVENT = SAMPLE / "sar-adult-d"
CSPR_EVENT = SAMPLE / "cspr-infant-f"


@dataclass(frozen=True)
class CliResult:
    """What a `pigan` command did: exit code and both streams."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The real English model, loaded once for the whole test session."""
    from pigan.nlp import load_model

    return load_model()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A store folder that does not exist yet."""
    return tmp_path / "store"


@pytest.fixture
def run_pigan(tmp_path: Path) -> Callable[..., CliResult]:
    """Run the real `pigan` command in a subprocess (as a user would), in a temporary folder."""

    def run(*args: str | Path, cwd: Path | None = None, timeout: float = 600) -> CliResult:
        argv: Sequence[str] = [sys.executable, "-m", "pigan", *map(str, args)]
        done = subprocess.run(
            argv, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=timeout, check=False
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
