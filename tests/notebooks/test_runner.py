"""The Papermill runner's parts: parameter checks, the lock, ``latest``, and telling a finished notebook
from one that stopped, timed out or lost its kernel (tiny purpose-built notebooks in ``fixtures/``)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pigan.errors import InputError, LockedError, RunError
from pigan.notebooks import (
    MARKER_DIR,
    TOKEN_FILE,
    check_completion,
    check_parameters,
    convert_value,
    execute_notebook,
    notebook_paths,
    output_lock,
    point_latest,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVENT_NOTEBOOKS = notebook_paths(("01_screening", "02_themes", "03_learning_summary"))


# -- parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([("k", "7")], {"02_themes": {"k": 7}, "03_learning_summary": {"k": 7}}),
        ([("audience", "board")], {"03_learning_summary": {"audience": "board"}}),
        (
            [("policy", "warn")],
            {
                "01_screening": {"policy": "warn"},
                "02_themes": {"policy": "warn"},
                "03_learning_summary": {"policy": "warn"},
            },
        ),
        ([("excerpts", " 2 ")], {"03_learning_summary": {"excerpts": 2}}),
    ],
    ids=[
        "int-to-every-notebook-declaring-it",
        "str-to-one-notebook",
        "shared-name",
        "spaces-around-a-number",
    ],
)
def test_parameters_go_converted_to_the_notebooks_that_declare_them(
    given: list[tuple[str, str]], expected: dict[str, dict[str, Any]]
) -> None:
    checked = check_parameters(given, EVENT_NOTEBOOKS)
    assert {stem: values for stem, values in checked.items() if values} == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([("colour", "red")], "-p colour: unknown parameter"),
        ([("k", "five")], "-p k: 'five' is not a whole number"),
        ([("k", "5.5")], "-p k: '5.5' is not a whole number"),
        ([("store_dir", "/tmp/x")], "-p store_dir: set by pigan run itself"),
        ([("event_id", "x")], "-p event_id: set by pigan run itself"),
        ([("k", "5"), ("k", "6")], "-p k: given more than once"),
        ([("2k", "5")], "-p 2k: a parameter name is a Python identifier"),
    ],
    ids=[
        "unknown",
        "not-an-int",
        "float-for-int",
        "reserved-store",
        "reserved-event",
        "repeated",
        "bad-name",
    ],
)
def test_unknown_reserved_or_malformed_parameters_are_refused(
    given: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        check_parameters(given, EVENT_NOTEBOOKS)
    assert str(raised.value).startswith(message)
    assert raised.value.exit_code == 2


def test_unknown_parameter_message_lists_what_the_notebooks_declare() -> None:
    with pytest.raises(InputError) as raised:
        check_parameters([("colour", "red")], EVENT_NOTEBOOKS)
    assert "audience" in str(raised.value) and "excerpts" in str(raised.value)
    assert "store_dir" not in str(raised.value)


@pytest.mark.parametrize(
    ("raw", "type_name", "value"),
    [
        ("true", "bool", True), ("No", "bool", False), ("1", "bool", True), ("off", "bool", False),
        ("a, b ,,c", "list[str]", ["a", "b", "c"]), ('["x", "y"]', "list[str]", ["x", "y"]),
        ("0.25", "float", 0.25), ("-3", "int", -3), ("as is", "str", "as is"), ("x", "None", "x"),
    ],
)  # fmt: skip
def test_convert_value(raw: str, type_name: str, value: object) -> None:
    assert convert_value("p", raw, type_name) == value


@pytest.mark.parametrize(
    ("raw", "type_name"),
    [("maybe", "bool"), ("nan", "float"), ("[1, [2]]", "list[str]"), ("[oops", "list[str]")],
)
def test_convert_value_refuses_malformed(raw: str, type_name: str) -> None:
    with pytest.raises(InputError):
        convert_value("p", raw, type_name)


# -- lock and latest -------------------------------------------------------------------------------------


def test_a_second_holder_of_the_lock_is_refused_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "event"
    with output_lock(folder), pytest.raises(LockedError) as raised, output_lock(folder):
        pass
    assert "another `pigan run`" in str(raised.value)
    assert f"pid {os.getpid()}" in str(raised.value)
    with output_lock(tmp_path / "event"):  # released: free again
        pass


def test_latest_points_at_the_newest_run_and_is_replaced(tmp_path: Path) -> None:
    first, second = tmp_path / "20260101T000000Z", tmp_path / "20260102T000000Z"
    first.mkdir()
    second.mkdir()
    latest = point_latest(tmp_path, first)
    assert os.readlink(latest) == first.name  # relative: the reports folder can move
    point_latest(tmp_path, second)
    assert latest.resolve() == second.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name, "latest"]


def test_latest_that_is_a_real_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    (tmp_path / "run").mkdir()
    with pytest.raises(RunError, match="not a symlink"):
        point_latest(tmp_path, tmp_path / "run")
    assert (tmp_path / "latest").is_dir()


# -- executing and checking completion ----------------------------------------------------------------


@pytest.fixture
def run_folder(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "run"
    (folder / MARKER_DIR).mkdir(parents=True)
    token = "token-of-this-run"
    (folder / MARKER_DIR / TOKEN_FILE).write_text(token, encoding="utf-8")
    return folder, token


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.ipynb"


pytestmark = pytest.mark.slow


def test_a_notebook_that_reaches_its_last_cell_passes_and_ran_on_pigans_python(
    run_folder: tuple[Path, str],
) -> None:
    folder, token = run_folder
    execute_notebook(fixture("finishes"), folder, {"output_dir": "."}, timeout=60, progress=False)
    check_completion(folder, "finishes", token)
    record = json.loads((folder / MARKER_DIR / "completed-finishes.json").read_text(encoding="utf-8"))
    assert Path(record["prefix"]).resolve() == Path(sys.prefix).resolve()  # the kernel is pinned
    assert (folder / "finishes.ipynb").is_file()


def test_a_notebook_that_stops_before_its_last_cell_fails_whatever_its_metadata_says(
    run_folder: tuple[Path, str],
) -> None:
    folder, token = run_folder
    execute_notebook(fixture("never_completes"), folder, {}, timeout=60, progress=False)
    with pytest.raises(RunError, match="stopped before its final cell"):
        check_completion(folder, "never_completes", token)


def test_a_completion_record_from_another_run_does_not_count(run_folder: tuple[Path, str]) -> None:
    folder, _ = run_folder
    execute_notebook(fixture("finishes"), folder, {"output_dir": "."}, timeout=60, progress=False)
    with pytest.raises(RunError, match="not from this run"):
        check_completion(folder, "finishes", "a-different-token")


@pytest.mark.parametrize(
    ("name", "parameters", "timeout", "message"),
    [
        ("kernel_dies", {}, 60, "notebook kernel_dies lost its kernel (it died or was killed)"),
        ("finishes", {"wait": 30}, 3, "notebook finishes timed out (a cell ran longer than 3s)"),
        ("raises", {}, 60, "notebook raises failed in cell 2: ConfigError: k = 2 is too small"),
        ("leaks_in_error", {}, 60, "notebook leaks_in_error failed in cell 2 (KeyError)"),
    ],
    ids=["dead-kernel", "timeout", "pigan-error-message-kept", "other-error-type-only"],
)
def test_a_failing_notebook_raises_one_clear_line(
    run_folder: tuple[Path, str], name: str, parameters: dict[str, Any], timeout: int, message: str
) -> None:
    folder, _ = run_folder
    with pytest.raises(RunError) as raised:
        execute_notebook(fixture(name), folder, parameters, timeout=timeout, progress=False)
    assert str(raised.value) == message
    assert "Dorothy" not in str(raised.value)  # an error message may quote a note: never repeated


def test_a_user_kernelspec_named_python3_is_ignored(run_folder: tuple[Path, str], tmp_path: Path) -> None:
    folder, token = run_folder
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "someone else's python",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    try:
        execute_notebook(fixture("finishes"), folder, {"output_dir": "."}, timeout=60, progress=False)
    finally:
        if old is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = old
    check_completion(folder, "finishes", token)
    shutil.rmtree(tmp_path / "jupyter")
