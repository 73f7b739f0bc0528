"""Each notebook executed through Papermill on the sample data, with its defaults as they stand.

The notebooks are copied into a scratch project (``notebooks/`` beside a
``data`` link to the real sample data), so their relative default paths
resolve as they do when a user opens them in JupyterLab; what they write lands
in the scratch ``build/``. Each notebook runs once for the module; the tests
assert on what it recorded: its outputs, its figures, its documents.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
import yaml

from pigan.notebooks import MARKER_DIR, execute_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "data" / "sample"
ORDER = ("01_screening", "02_themes", "03_learning_summary", "04_board_overview")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Executed:
    """Where the scratch project is and the executed notebooks."""

    project: Path
    notebooks: dict[str, nbformat.NotebookNode]

    @property
    def event_output(self) -> Path:
        return self.project / "build" / "notebook-output" / "sar-adult-d"

    @property
    def board_output(self) -> Path:
        return self.project / "build" / "notebook-output" / "board"

    def text(self, name: str) -> str:
        """Everything a notebook showed (text, HTML and Markdown outputs), as one string."""
        parts = []
        for cell in self.notebooks[name].cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    parts.append(output.get("text", ""))
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in output.get("data", {}):
                        parts.append(output["data"][mime])
        return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Executed:
    project = tmp_path_factory.mktemp("project")
    (project / "data").mkdir()
    (project / "data" / "sample").symlink_to(SAMPLE, target_is_directory=True)
    sources = project / "sources"
    sources.mkdir()
    work = project / "notebooks"
    work.mkdir()
    done = {}
    for name in ORDER:
        source = sources / f"{name}.ipynb"
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", source)
        # No parameters: the defaults in the parameters cell, as a JupyterLab user would run it.
        output = execute_notebook(source, work, {}, timeout=600, progress=False)
        done[name] = nbformat.read(str(output), as_version=4)
    return Executed(project, done)


def planted_texts(event: str) -> list[str]:
    """The personal data planted in a sample event, in its written form and (for dates) ISO form."""
    planted = yaml.safe_load((SAMPLE / "planted.yaml").read_text(encoding="utf-8"))[event]["personal_data"]
    texts = [str(p["text"]) for p in planted]
    for p in planted:
        if p["type"] == "DATE_OF_BIRTH":
            texts.append(datetime.strptime(str(p["text"]), "%d/%m/%Y").date().isoformat())
    return texts


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("name", ORDER)
def test_notebook_runs_every_cell_and_records_completion(executed: Executed, name: str) -> None:
    cells = [c for c in executed.notebooks[name].cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in cells)
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    output = executed.board_output if name.startswith("04") else executed.event_output
    record = json.loads((output / MARKER_DIR / f"completed-{name}.json").read_text(encoding="utf-8"))
    assert record["notebook"] == name


@pytest.mark.parametrize(
    ("name", "figures"),
    [
        ("01_screening", ["findings"]),
        ("02_themes", ["purposes", "topics", "cooccurrence", "timeline"]),
        ("03_learning_summary", ["purposes", "timeline"]),
        ("04_board_overview", ["board_purposes", "board_trends", "board_review_types"]),
    ],
)
def test_figures_are_saved_as_a4_sized_png_and_shown_in_the_notebook(
    executed: Executed, name: str, figures: list[str]
) -> None:
    folder = (executed.board_output if name.startswith("04") else executed.event_output) / "figures"
    for figure in figures:
        width, height = png_size(folder / f"{figure}.png")
        assert width <= 6.3 * 150 + 1, f"{figure} is wider than an A4 text column"
        assert height <= 9.0 * 150 + 1, f"{figure} is taller than an A4 page"
    shown = [
        o
        for c in executed.notebooks[name].cells
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(shown) >= len(figures)


def test_screening_notebook_accounts_for_every_row_and_lists_findings_by_note_id(executed: Executed) -> None:
    text = executed.text("01_screening")
    assert "notes.csv" in text and "recall_session.md" in text
    assert "196" in text  # 178 + 18 rows read, all ingested
    assert "D-032" in text and "NHS_NUMBER" in text and "DATE_OF_BIRTH" in text
    assert "allowed" in text  # the default policy, redact, lets reviewer outputs through


@pytest.mark.parametrize("name", ["01_screening", "02_themes", "03_learning_summary"])
def test_no_planted_personal_data_is_shown_under_the_default_redact_policy(
    executed: Executed, name: str
) -> None:
    text = executed.text(name)
    leaked = [p for p in planted_texts("sar-adult-d") if p in text]
    assert leaked == []


def test_agency_breakdown_never_names_an_agency_with_fewer_than_k_participants(executed: Executed) -> None:
    tables = [
        o["data"]["text/html"]
        for c in executed.notebooks["02_themes"].cells
        for o in c.get("outputs", [])
        if "Themes by agency" in o.get("data", {}).get("text/html", "")
    ]
    assert len(tables) == 1
    # Every sample agency has 1 to 4 participants (data/sample/README.md): none may be shown by name.
    for agency in ("Ambulance Service", "Voluntary Sector", "Adult Social Care", "GP", "Police", "Housing"):
        assert f">{agency}<" not in tables[0]
    assert "participants" in tables[0]


def test_case_timeline_shows_dated_episodes_with_themes_but_not_a_redacted_date_of_birth(
    executed: Executed,
) -> None:
    text = executed.text("02_themes")
    assert "2023-07-19" in text  # D-012's episode date
    assert "1952-03-14" not in text  # D-032's date of birth, redacted under the default policy


def test_blame_notes_are_listed_for_the_reviewer(executed: Executed) -> None:
    flagged = set(re.findall(r"\bD-\d{3}\b", executed.text("02_themes").split("Notes flagged for blame")[-1]))
    planted = yaml.safe_load((SAMPLE / "planted.yaml").read_text(encoding="utf-8"))["sar-adult-d"]["blame"]
    planted_ids = {p["id"] for p in planted if "id" in p}
    assert flagged, "no flagged note shown"
    assert flagged & planted_ids


def test_learning_summary_is_written_as_markdown_and_docx_from_the_package(executed: Executed) -> None:
    from docx import Document

    markdown = (executed.event_output / "learning_summary.md").read_text(encoding="utf-8")
    for heading in (
        "## Event overview",
        "### Context",
        "### Decision influence",
        "### Good practice",
        "### Recommendation",
        "## The case story",
        "## Questions for the review",
        "## 7-minute briefing (draft)",
        "### 7. What to do",
    ):
        assert heading in markdown
    assert "![Case timeline](figures/timeline.png)" in markdown
    excerpts = re.findall(r"^> .*\(note ([^)]+)\)$", markdown, flags=re.M)
    assert len(excerpts) >= 8
    known = set(re.findall(r"^(D-\d{3}),", (SAMPLE / "sar-adult-d" / "notes.csv").read_text(), flags=re.M))
    assert {e for e in excerpts if e.startswith("D-")} <= known
    document = Document(str(executed.event_output / "learning_summary.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "7-minute briefing (draft)" in headings
    assert len(document.tables) >= 4
    assert len(document.inline_shapes) == 2  # the purposes figure and the case timeline
    body = "\n".join(p.text for p in document.paragraphs)
    assert not [p for p in planted_texts("sar-adult-d") if p in body + markdown]


def test_board_overview_covers_both_events_with_aggregates_only(executed: Executed) -> None:
    markdown = (executed.board_output / "board_overview.md").read_text(encoding="utf-8")
    assert "sar-adult-d" in markdown and "cspr-infant-f" in markdown
    assert "| SAR |" in markdown and "| CSPR |" in markdown
    assert "(note " not in markdown and not re.search(r"\b[DF]-\d{3}\b", markdown)
    assert (executed.board_output / "board_overview.docx").stat().st_size > 10_000
