"""The four notebooks are committed clean and thin: no outputs, one typed parameters cell, no logic."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ("01_screening", "02_themes", "03_learning_summary", "04_board_overview")

# Statements and expressions that are logic, not a call and a display.
FORBIDDEN = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
    ast.For, ast.AsyncFor, ast.While, ast.If, ast.IfExp, ast.Try, ast.With,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)  # fmt: skip


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)


def code_cells(name: str) -> list[nbformat.NotebookNode]:
    return [c for c in load(name).cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = load(name)
    nbformat.validate(notebook)
    for cell in code_cells(name):
        assert cell.outputs == []
        assert cell.execution_count is None
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_one_parameters_cell_of_typed_commented_defaults(name: str) -> None:
    cells = code_cells(name)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is cells[0]
    lines = [line for line in tagged[0].source.splitlines() if line.strip()]
    tree = ast.parse(tagged[0].source)
    assert all(isinstance(node, ast.AnnAssign) for node in tree.body), "every parameter has a type"
    assert len(tree.body) == len(lines)
    assert all("  # " in line for line in lines), "every parameter has a comment"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_cells_hold_no_logic(name: str) -> None:
    for cell in code_cells(name)[1:]:
        tree = ast.parse(cell.source)
        logic = [type(node).__name__ for node in ast.walk(tree) if isinstance(node, FORBIDDEN)]
        assert logic == [], f"{name}: {logic} in {cell.source!r}"
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        for node in imports:
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert all(m.startswith("pigan") for m in modules), f"{name} imports {modules}"
        assert "re." not in cell.source and "regex" not in cell.source


@pytest.mark.parametrize("name", NAMES)
def test_notebook_ends_by_recording_its_completion(name: str) -> None:
    last = code_cells(name)[-1]
    assert last.source == f'record_completion(output_dir, "{name}")'
