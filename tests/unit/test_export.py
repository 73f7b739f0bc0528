"""Exported CSV cells never run as spreadsheet formulas."""

from __future__ import annotations

import pytest

from pigan.export import neutralise_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=1+1", "'=1+1", id="equals"),
        pytest.param("+44 20", "'+44 20", id="plus"),
        pytest.param("-3", "'-3", id="minus"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
        pytest.param("\tcmd", "'\tcmd", id="tab"),
        pytest.param("\rcmd", "'\rcmd", id="carriage-return"),
        pytest.param("GP said = fine", "GP said = fine", id="equals-inside"),
        pytest.param(None, "", id="none"),
    ],
)
def test_formula_like_cells_are_neutralised(value: str | None, expected: str) -> None:
    assert neutralise_cell(value) == expected
