"""`pigan screen` as a user runs it: the JSON contract, no text without --show, decisions, the gate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

pytestmark = pytest.mark.slow

NOTES = (
    "id,text\n"
    "A1,Adult A lives at 14 Mill Road with her son Callum; call 07700 900123.\n"
    "A2,NHS number 999 000 0018. Practitioner 3 from the Safeguarding Adults Board agreed.\n"
    "A3,The duty social worker visited on 12/03/2021.\n"
)


@pytest.fixture
def notes_file(tmp_path: Path) -> Path:
    path = tmp_path / "ev" / "notes.csv"
    path.parent.mkdir()
    path.write_text(NOTES)
    return path


def test_json_lists_findings_with_the_contract_keys(
    run_pigan: Callable[..., CliResult], notes_file: Path
) -> None:
    result = run_pigan("screen", notes_file, "--json")
    assert result.code == 0, result.stderr
    findings = json.loads(result.stdout)
    assert {(f["id"], f["type"]) for f in findings} == {
        ("A1", "ADDRESS"), ("A1", "PERSON"), ("A1", "PHONE"), ("A2", "NHS_NUMBER")
    }  # fmt: skip
    assert all(set(f) == {"id", "start", "end", "type", "score"} for f in findings)
    text = NOTES.splitlines()[2].split(",", 1)[1]
    nhs = next(f for f in findings if f["type"] == "NHS_NUMBER")
    assert text[nhs["start"] : nhs["end"]] == "999 000 0018"


def test_table_never_shows_the_matched_text_unless_asked(
    run_pigan: Callable[..., CliResult], notes_file: Path
) -> None:
    plain = run_pigan("screen", notes_file)
    assert plain.code == 0
    assert "A1" in plain.stdout and "PHONE" in plain.stdout
    for secret in ("Callum", "07700", "Mill Road", "999 000"):
        assert secret not in plain.stdout + plain.stderr
    shown = run_pigan("screen", notes_file, "--show")
    assert "Callum" in shown.stdout


def test_deny_list_beside_the_file_is_used(run_pigan: Callable[..., CliResult], notes_file: Path) -> None:
    (notes_file.parent / "deny_list.yaml").write_text("names: [duty]\nplaces: []\n")
    result = run_pigan("screen", notes_file, "--json")
    assert ("A3", "PERSON") in {(f["id"], f["type"]) for f in json.loads(result.stdout)}


def test_event_false_alarm_is_kept_and_block_policy_exit_code(
    run_pigan: Callable[..., CliResult], notes_file: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert run_pigan("ingest", notes_file, "--event", "ev", "--store", store).code == 0
    blocked = run_pigan("screen", "--event", "ev", "--store", store, "--policy", "block")
    assert blocked.code == 3 and "unresolved" in blocked.stderr
    findings = json.loads(run_pigan("screen", "--event", "ev", "--store", store, "--json").stdout)
    phone = next(f for f in findings if f["type"] == "PHONE")
    marked = run_pigan(
        "screen", "--event", "ev", "--store", store, "--false-alarm", "A1", "PHONE", str(phone["start"])
    )
    assert marked.code == 0
    again = json.loads(run_pigan("screen", "--event", "ev", "--store", store, "--json").stdout)
    assert "PHONE" not in {f["type"] for f in again}
    assert len(again) == len(findings) - 1


def test_false_alarm_on_a_file_is_a_clear_error(
    run_pigan: Callable[..., CliResult], notes_file: Path
) -> None:
    result = run_pigan("screen", notes_file, "--false-alarm", "A1", "PHONE", "10")
    assert result.code == 2
    assert "needs --event" in result.stderr and "Traceback" not in result.stderr
