"""Report building blocks: escaping, Markdown and DOCX rendering, figures, disclosure in tables, audiences."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from pigan import report
from pigan.errors import ConfigError
from pigan.models import Event

LABELS = report.Labels(
    labels={
        "context": "Context",
        "decision_influence": "Decision influence",
        "good_practice": "Good practice",
        "recommendation": "Recommendation",
        "case_story": "Case story",
        "context.workload": "Workload and caseloads",
        "decision_influence.risk": "Risk assessment",
    },
    definitions={"context": "Conditions at the time.", "context.workload": "Caseloads."},
    colours={
        "context": "#E69F00",
        "decision_influence": "#56B4E9",
        "good_practice": "#009E73",
        "recommendation": "#0072B2",
        "case_story": "#CC79A7",
    },
    order=["context", "decision_influence", "good_practice", "recommendation", "case_story",
           "context.workload", "decision_influence.risk"],
)  # fmt: skip


# -- escaping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("![x](http://example.org/t.png)", "!\\[x\\](http://example.org/t.png)"),
        ("*not* _emphasis_ `code`", "\\*not\\* \\_emphasis\\_ \\`code\\`"),
        ("a | b", "a \\| b"),
        ("# not a heading", "\\# not a heading"),
        ("> not a quote", "&gt; not a quote"),
        ("1. not a list", "1\\. not a list"),
        ("two\nlines\r\nhere", "two lines  here"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("Mum's & Dad's", "Mum's &amp; Dad's"),
        (None, ""),
    ],
    ids=["script", "onerror", "link", "image", "emphasis-code", "table-pipe", "heading", "quote", "list",
         "newlines", "control-characters", "ampersand-and-quotes", "none"],
)  # fmt: skip
def test_escape_markdown_makes_note_text_inert(text: str | None, expected: str) -> None:
    assert report.escape_markdown(text) == expected


def test_markdown_rendering_escapes_every_piece_of_text(tmp_path: Path) -> None:
    figure = report.ReportFigure(path=tmp_path / "figures" / "f.png", title="t")
    blocks: list[report.Block] = [
        report.Heading("7. What to do <b>", 3),
        report.Para("<script>x</script>", label="Label:"),
        report.Bullets(("<i>one</i>", "two")),
        report.Quote("Caseloads <script>", "N-1"),
        report.Table(("a|b", "n"), (("<td>", 3),)),
        report.FigureBlock(figure, "A [figure]"),
    ]
    text = report.render_markdown(blocks, base=tmp_path)
    assert "<" not in text.replace("&lt;", "")
    assert "### 7. What to do &lt;b&gt;" in text
    assert "> Caseloads &lt;script&gt; (note N-1)" in text
    assert "| a\\|b | n |" in text and "| &lt;td&gt; | 3 |" in text
    assert "![A \\[figure\\]](figures/f.png)" in text
    assert "figures/f.png" not in report.render_markdown(blocks, figures=False)


def test_docx_rendering_writes_headings_tables_quotes_and_pictures(tmp_path: Path) -> None:
    from docx import Document

    figure = report.save_figure(
        report.plot_purpose_counts(
            pd.DataFrame({"notes": [3, 1], "participants": [2, 1]}, index=["context", "recommendation"]),
            LABELS,
            title="Counts",
        ),
        tmp_path,
        "counts",
    )
    blocks: list[report.Block] = [
        report.Heading("Section", 2),
        report.Para("Text with <script>alert(1)</script> and a bell\x07."),
        report.Quote("An excerpt", "N-7"),
        report.Table(("topic", "notes"), (("Workload", 3), ("Risk", 1))),
        report.FigureBlock(figure, "Counts"),
    ]
    path = report.render_docx(blocks, tmp_path / "out.docx", title="Title")
    document = Document(str(path))
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == ["Section"]
    assert "Text with <script>alert(1)</script> and a bell." in [p.text for p in document.paragraphs]
    assert "An excerpt (note N-7)" in [p.text for p in document.paragraphs]
    assert [[c.text for c in r.cells] for r in document.tables[0].rows] == [
        ["topic", "notes"],
        ["Workload", "3"],
        ["Risk", "1"],
    ]
    assert len(document.inline_shapes) == 1
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


# -- figures ---------------------------------------------------------------------------------------------

TIMELINE = pd.DataFrame(
    {
        "date": pd.to_datetime(["1987-01-01", "2023-03-01", "2023-05-04", "2023-09-18"]),
        "label": ["1987", "2023-03", "2023-05-04", "2023-09-18"],
        "precision": ["year", "month", "day", "day"],
        "event_id": ["e"] * 4,
        "note_ids": [["a"], ["b"], ["c"], ["d"]],
        "sources": ["case story", "episode_date", "case story", "episode_date"],
        "themes": [[], ["context"], ["decision_influence", "context"], []],
        "topics": [[], ["context.workload"], ["decision_influence.risk"], []],
    }
)


def figures_to_check() -> list[tuple[str, object]]:
    counts = pd.DataFrame(
        {"notes": [5, 2, 0], "participants": [4, 2, 0]}, index=["context", "good_practice", "recommendation"]
    )
    topics = pd.DataFrame(
        {
            "top_code": ["context", "decision_influence"],
            "topic": ["context.workload", "decision_influence.risk"],
            "notes": [4, 2],
            "participants": [3, 2],
        }
    )
    matrix = pd.DataFrame(
        [[3, 1], [1, 2]], index=["context", "decision_influence"], columns=["context", "decision_influence"]
    )
    findings = pd.DataFrame(
        {"type": ["PERSON", "EMAIL"], "findings": [3, 1], "notes": [2, 1], "unresolved": [2, 1]}
    )
    by_type = pd.DataFrame(
        {
            "top_code": ["context"] * 2,
            "topic": ["context.workload"] * 2,
            "review_type": ["SAR", "CSPR"],
            "mean_share": [0.2, 0.1],
        }
    )
    prevalence = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "held_on": ["2024-01-01", "2024-06-01"],
            "topic": ["context.workload"] * 2,
            "share": [0.1, 0.3],
        }
    )
    return [
        ("purposes", lambda: report.plot_purpose_counts(counts, LABELS, title="Purposes")),
        ("topics", lambda: report.plot_topic_counts(topics, LABELS, title="Topics")),
        ("cooccurrence", lambda: report.plot_cooccurrence(matrix, LABELS, title="Together")),
        ("timeline", lambda: report.plot_case_timeline(TIMELINE, LABELS, title="Timeline")),
        ("findings", lambda: report.plot_findings_by_type(findings, title="Findings")),
        ("review-types", lambda: report.plot_prevalence_by_review_type(by_type, LABELS, title="Types")),
        ("over-time", lambda: report.plot_prevalence_over_time(prevalence, LABELS, title="Trend",
                                                               topics=["context.workload"])),
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "make"), figures_to_check(), ids=[n for n, _ in figures_to_check()])
def test_every_figure_has_a_title_labelled_axes_and_fits_an_a4_page(name: str, make: object) -> None:
    figure = make()  # type: ignore[operator]
    assert figure.get_suptitle()
    ax = figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    width, height = figure.get_size_inches()
    assert width <= report.A4_TEXT_WIDTH and height <= report.A4_MAX_HEIGHT


def test_saving_the_same_figure_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = report.save_figure(report.plot_case_timeline(TIMELINE, LABELS, title="T"), tmp_path / "a", "t")
    second = report.save_figure(report.plot_case_timeline(TIMELINE, LABELS, title="T"), tmp_path / "b", "t")
    assert (
        hashlib.sha256(first.path.read_bytes()).digest() == hashlib.sha256(second.path.read_bytes()).digest()
    )
    assert first._repr_png_()[:4] == b"\x89PNG"
    assert repr(first) == "Figure: T"


def test_timeline_axis_starts_after_a_long_gap_and_marks_earlier_episodes(tmp_path: Path) -> None:
    figure = report.plot_case_timeline(TIMELINE, LABELS, title="T")
    ax = figure.axes[0]
    left = pd.Timestamp(ax.get_xlim()[0], unit="D")
    assert left.year == 2023 or (left.year == 2022 and left.month == 12)
    markers = [line.get_marker() for line in ax.get_lines()]
    assert "<" in markers  # the 1987 episode, pinned to the left edge
    texts = [t.get_text() for t in ax.texts]
    assert "Risk assessment" in texts and "Workload and caseloads" in texts


def test_board_purpose_bars_under_k_are_not_drawn() -> None:
    counts = pd.DataFrame({"notes": [40, 3], "participants": [12, 2]}, index=["context", "good_practice"])
    figure = report.plot_purpose_counts(counts, LABELS, title="Board", k=5)
    ax = figure.axes[0]
    widths = {t.get_text(): p.get_width() for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)}
    assert widths == {"Good practice": 0, "Context": 40}
    assert sorted(t.get_text() for t in ax.texts) == ["40", "<5"]


def test_codebook_colours_are_the_okabe_ito_palette() -> None:
    labels = report.codebook_labels()
    assert labels.colours and set(labels.colours.values()) <= set(report.OKABE_ITO)


# -- disclosure and audiences ------------------------------------------------------------------------------


def test_notes_without_participant_code_do_not_lift_a_small_group_over_k() -> None:
    rows = [
        {"note_id": f"n{i}", "participant": f"P{i % 4}", "agency": "Adult Social Care", "top_code": "context"}
        for i in range(8)
    ]
    rows += [{"note_id": "r1", "participant": None, "agency": "Adult Social Care", "top_code": "context"}]
    rows += [
        {"note_id": f"g{i}", "participant": f"G{i}", "agency": "GP", "top_code": "context"} for i in range(6)
    ]
    rows += [
        {"note_id": f"p{i}", "participant": f"Q{i}", "agency": "Police", "top_code": "context"}
        for i in range(2)
    ]
    shown = report.disclosed_breakdown(pd.DataFrame(rows), "agency", LABELS, k=5)
    assert "Adult Social Care" not in shown.table.index  # four people, whatever the unrecorded note adds
    assert list(shown.table.index) == ["GP", "Other agencies", "Total"]
    assert shown.table.loc["Other agencies", "Context"] == "6"
    assert "pooled" in shown.note


@pytest.mark.parametrize(
    ("audience", "policy", "ok"),
    [("reviewer", "redact", True), ("reviewer", "warn", True), ("board", "block", True),
     ("board", "redact", True), ("board", "warn", False), ("everyone", "block", False),
     ("reviewer", "publish", False)],
)  # fmt: skip
def test_check_audience(audience: str, policy: str, ok: bool) -> None:
    if ok:
        report.check_audience(audience, policy)
    else:
        with pytest.raises(ConfigError):
            report.check_audience(audience, policy)


def summary_for(audience: str) -> report.LearningSummary:
    workload = report.TopicFinding(
        "context.workload",
        "Workload and caseloads",
        "Caseloads.",
        notes=7,
        participants=6,
        excerpts=(report.Excerpt("N-1", "Caseloads were high.", 0.5),),
    )
    risk = report.TopicFinding(
        "decision_influence.risk",
        "Risk assessment",
        "Risk.",
        notes=2,
        participants=2,
        excerpts=(report.Excerpt("N-2", "No risk assessment was done.", 0.4),),
    )
    sections = [
        report.PurposeSection("context", "Context", "Conditions.", 7, 6, (workload,)),
        report.PurposeSection("decision_influence", "Decision influence", "Decisions.", 2, 2, (risk,)),
    ]
    breakdown = report.Breakdown(
        pd.DataFrame({"Context": ["6"]}, index=pd.Index(["All agencies"], name="agency")),
        "Counts are distinct participants.",
    )
    summary = report.LearningSummary(
        event=Event("e1", review_type="SAR", held_on="2025-01-01", summary="A made-up case."),
        audience=audience, policy="block" if audience == "board" else "redact", k=5, gate_message="ok",
        notes=30, participants=9, agencies=4, purposes=sections, agency_table=breakdown,
        episodes=pd.DataFrame(), corrections=[report.Excerpt("N-3", "The date was wrong.", 0.3)],
        flagged_notes=["N-4"], questions=[],
    )  # fmt: skip
    summary.questions = report.review_questions(summary)
    return summary


def test_board_copy_has_no_excerpt_no_note_id_and_no_count_under_k() -> None:
    summary = summary_for("board")
    blocks = summary.blocks()
    assert not [b for b in blocks if isinstance(b, report.Quote)]
    text = report.render_markdown(blocks)
    assert "N-" not in text
    cells = [str(c) for b in blocks if isinstance(b, report.Table) for row in b.rows for c in row]
    assert "2" not in cells and "&lt;5" in text
    assert "Raised in &lt;5 notes by &lt;5 participants" in text
    assert "The case story" not in text  # the chronology is for the reviewer


def test_reviewer_copy_quotes_excerpts_with_note_ids_and_asks_questions() -> None:
    summary = summary_for("reviewer")
    text = report.render_markdown(summary.blocks())
    assert "> Caseloads were high. (note N-1)" in text
    assert "> The date was wrong. (note N-3)" in text
    assert "Risk assessment: what made this hard to get right at the time" in text
    assert "notes N-4" in text  # blame-flagged notes, for the reviewer to reframe
    for heading in (
        "## 7-minute briefing (draft)",
        "### 1. Background",
        "### 2. Why it matters",
        "### 3. Key learning: Workload and caseloads",
        "### 6. Things to remember",
        "### 7. What to do",
    ):
        assert heading in text


def test_html_rendering_escapes_text_and_keeps_structure() -> None:
    blocks: list[report.Block] = [
        report.Heading("Title <i>", 2),
        report.Quote("Caseloads <script>alert(1)</script>", "N-1"),
        report.Table(("topic", "notes"), (("<img src=x onerror=alert(2)>", 3),)),
        report.Bullets(("a & b",)),
    ]
    page = report.render_html(blocks)
    assert "<h2>Title &lt;i&gt;</h2>" in page
    assert (
        "<blockquote><p>Caseloads &lt;script&gt;alert(1)&lt;/script&gt; <em>(note N-1)</em></p></blockquote>"
        in page
    )
    assert "<td>&lt;img src=x onerror=alert(2)&gt;</td>" in page
    assert "<li>a &amp; b</li>" in page
    section = report.Section(blocks, title="Doc")
    assert section._repr_html_().startswith("<h1>Doc</h1>")
    assert str(section).startswith("# Doc")
