"""Reports: figures, tables and the learning summary (Markdown, DOCX) built from the store.

The notebooks are thin callers of this module: each cell calls one function
here and shows what it returns (a frame, a :class:`ReportFigure`, a
:class:`MarkdownText`). The learning summary and the board overview are
built as plain data (:class:`LearningSummary`, :class:`BoardOverview`) and
written to Markdown and DOCX from that data, never from notebook cells.

Safety rules applied throughout:

- note text reaches a report only through the screening gate
  (:func:`pigan.screening.report_notes`), so the policy decides whether it
  is the original or the redacted text, or nothing at all;
- note text in Markdown is HTML-escaped and Markdown-escaped
  (:func:`escape_markdown`), so ``<script>`` or ``onerror=`` in a note can
  never become live markup in any output;
- every breakdown by agency, role, segment or participant goes through
  :mod:`pigan.disclosure` (at least ``k`` distinct participants per shown
  group);
- the board's outputs hold aggregates only: no excerpt, no note id, no
  quote attributed to anyone, no group under ``k``.

Figures use the object API (``matplotlib.figure.Figure``, no pyplot state),
the codebook's colour-blind-safe (Okabe-Ito) colours or ``cividis``, titles
and labelled axes, and sizes that fit an A4 page; they are saved as PNG.
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pigan import analysis
from pigan.errors import ConfigError
from pigan.models import Event
from pigan.store import Store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pigan.tagging.codebook import Codebook

log = logging.getLogger(__name__)

#: Audiences of the learning summary.
AUDIENCES: tuple[str, ...] = ("reviewer", "board")
#: Gate policy used for an audience when none is given.
DEFAULT_POLICY: dict[str, str] = {"reviewer": "redact", "board": "block"}

#: Okabe-Ito colours (colour-blind safe), used where the codebook gives none.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
)  # fmt: skip
#: Text width of an A4 page with 2.5 cm margins, in inches; figures are this wide.
A4_TEXT_WIDTH = 6.3
#: Tallest figure that still fits an A4 page with a caption, in inches.
A4_MAX_HEIGHT = 9.0
FIGURE_DPI = 150
FIGURES_DIR = "figures"

#: Longest excerpt shown, in characters (cut at a word boundary).
MAX_EXCERPT_CHARS = 320


# -- displayable results ---------------------------------------------------------------------------


class MarkdownText(str):
    """Markdown that a notebook shows rendered (and ``str`` everywhere else)."""

    def _repr_markdown_(self) -> str:
        return str(self)


class Section(MarkdownText):
    """A section of a document: Markdown as a string, plus HTML built from the same blocks.

    A notebook (and nbconvert) shows the HTML, in which every piece of text
    was escaped when it was built; the Markdown is what the ``.md`` file holds.
    """

    html: str

    def __new__(cls, blocks: Sequence[Block], *, title: str = "") -> Section:
        heading = [Heading(title, 1)] if title else []
        value = super().__new__(cls, render_markdown([*heading, *blocks], figures=False))
        value.html = render_html([*heading, *blocks])
        return value

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class ReportFigure:
    """A figure saved as PNG; a notebook shows the saved file itself."""

    path: Path
    title: str

    def _repr_png_(self) -> bytes:
        return self.path.read_bytes()

    def __repr__(self) -> str:
        # The text form of the figure: its title, used as the image's alternative text.
        return f"Figure: {self.title}"


@dataclass(frozen=True)
class TextTable:
    """A table holding note text: shown whole (pandas' notebook view would cut it), always escaped."""

    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.frame.to_html(escape=True, index=False, na_rep="")

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)

    def __len__(self) -> int:
        return len(self.frame)


# -- escaping --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)])|[#>+=-])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_markdown(text: object, *, line_start: bool = True) -> str:
    """Text made inert for Markdown and for the HTML Markdown becomes.

    ``&``, ``<`` and ``>`` become entities (``<script>`` shows as text and
    never runs); the Markdown punctuation that could make links, images,
    emphasis, code or table cells is backslash-escaped, and so is a line
    start that would make a heading, quote or list; line breaks become
    spaces and control characters are dropped. ``line_start=False`` skips
    the line-start rule where the text cannot start a line (a heading's
    text after its ``#``, a table cell).
    """
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    value = _CONTROL.sub("", value).replace("\r", " ").replace("\n", " ")
    value = _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))
    if not line_start:
        return value
    # A line opening like a heading, quote, list or rule stays a paragraph.
    return _MD_LINE_START.sub(_escape_line_start, value, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"


def plain_text(text: object) -> str:
    """Text safe for a DOCX run: control characters (invalid in XML) dropped."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return _CONTROL.sub("", value)


def shorten(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    """Cut a text at a word boundary to at most ``limit`` characters, marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table with every cell escaped."""
    lines = [
        "| " + " | ".join(escape_markdown(h, line_start=False) for h in header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(_cell(v), line_start=False) for v in row) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:.0%}" if 0 <= value <= 1 and not value.is_integer() else f"{value:g}"
    return str(value)


# -- the codebook ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """Labels, definitions and colours of codes and topics, from the codebook."""

    labels: Mapping[str, str]
    definitions: Mapping[str, str]
    colours: Mapping[str, str]
    order: Sequence[str]
    keep_negated: frozenset[str] = frozenset()
    keep_hypothetical: frozenset[str] = frozenset()
    version: str = ""

    def label(self, code: object) -> str:
        """The readable label of a code or topic id (the id itself when unknown)."""
        return self.labels.get(str(code), str(code))

    def colour(self, code: object) -> str:
        """The colour of a code (a topic takes its top-level code's)."""
        top = str(code).split(".", 1)[0]
        if top in self.colours:
            return self.colours[top]
        return OKABE_ITO[-1]

    def rank(self, code: object) -> int:
        """Sort key in codebook order (unknown codes last)."""
        try:
            return list(self.order).index(str(code))
        except ValueError:
            return len(self.order)


def codebook_labels(codebook: Codebook | None = None) -> Labels:
    """The :class:`Labels` of a codebook (default: the packaged one)."""
    from pigan.tagging.codebook import load_codebook

    book = codebook or load_codebook()
    labels: dict[str, str] = {}
    definitions: dict[str, str] = {}
    colours: dict[str, str] = {}
    order: list[str] = []
    for code in book.codes:
        labels[code.id] = code.label
        definitions[code.id] = code.definition
        colours[code.id] = code.colour
        order.append(code.id)
    for topic in book.topics:
        labels[topic.id] = topic.label
        definitions[topic.id] = topic.definition
        order.append(topic.id)
    return Labels(
        labels=labels,
        definitions=definitions,
        colours=colours,
        order=order,
        keep_negated=frozenset(c.id for c in book.codes if c.keep_negated),
        keep_hypothetical=frozenset(c.id for c in book.codes if c.keep_hypothetical),
        version=book.version,
    )


# -- loading an event ------------------------------------------------------------------------------


@dataclass
class EventData:
    """Everything the event notebooks show, read once from the store."""

    store_dir: Path
    event: Event
    notes: pd.DataFrame
    tags: pd.DataFrame
    assignments: pd.DataFrame
    labels: Labels
    sources: list[dict[str, Any]]
    quarantined: pd.DataFrame
    findings: pd.DataFrame

    @property
    def event_id(self) -> str:
        """The event's id."""
        return self.event.event_id


def prepare_event(store: Store, event_id: str, *, notes_path: str | Path = "") -> None:
    """Ingest ``notes_path`` (if given), then screen and tag the event (reusing cached parses).

    This is what ``pigan run`` does before it runs the notebooks; a notebook
    opened on its own does it through ``prepare=True``.
    """
    from pigan.ingest import ingest_paths
    from pigan.screening import screen_event
    from pigan.tagging import tag_event

    if str(notes_path):
        ingest_paths([Path(notes_path)], store=store)
    store.event(event_id)
    screen_event(store, event_id)
    tag_event(store, event_id, use_cache=True)


def _tags_frame(store: Store, event_id: str) -> pd.DataFrame:
    from pigan.tagging import load_tags

    tags = load_tags(store, event_id)
    if "event_id" not in tags.columns:
        tags = tags.assign(event_id=event_id)
    return tags


def load_event(
    store_dir: str | Path | None,
    event_id: str,
    *,
    notes_path: str | Path = "",
    prepare: bool = False,
    codebook: Codebook | None = None,
) -> EventData:
    """Read an event's notes, tags, findings and accounts from the store.

    Parameters
    ----------
    store_dir
        The store folder.
    notes_path
        Notes file or event folder to ingest first (with ``prepare``).
    prepare
        Ingest, screen and tag first (see :func:`prepare_event`).

    Raises
    ------
    NotFoundError
        When the event is not in the store.
    """
    from pigan.screening import load_findings

    with Store.open(store_dir, create=prepare) as store:
        if prepare:
            prepare_event(store, event_id, notes_path=notes_path)
        event = store.event(event_id)
        notes = store.notes_frame([event_id])
        tags = _tags_frame(store, event_id)
        sources = store.sources(event_id)
        quarantined = pd.DataFrame(
            [
                {"file": q.source, "where": q.row_ref, "note_id": q.note_id, "reason": q.reason}
                for q in store.quarantined(event_id)
            ],
            columns=["file", "where", "note_id", "reason"],
        )
        directory = store.directory
        findings = pd.DataFrame(
            [
                {
                    "note_id": f.note_id,
                    "type": f.type,
                    "start": f.start,
                    "end": f.end,
                    "score": round(float(f.score), 2),
                    "detector": f.detector,
                    "status": "false alarm" if f.decision == "false_alarm" else (f.decision or "unresolved"),
                }
                for f in load_findings(store, event_id)
            ],
            columns=["note_id", "type", "start", "end", "score", "detector", "status"],
        )
    labels = codebook_labels(codebook)
    assignments = analysis.theme_assignments(
        tags, notes, keep_negated=labels.keep_negated, keep_hypothetical=labels.keep_hypothetical
    )
    return EventData(
        store_dir=directory,
        event=event,
        notes=notes,
        tags=tags,
        assignments=assignments,
        labels=labels,
        sources=sources,
        quarantined=quarantined,
        findings=findings,
    )


def shown_texts(data: EventData, policy: str, *, audience: str = "reviewer") -> dict[str, str]:
    """The text each note may be shown as under the gate policy, by note id.

    Raises
    ------
    GateError
        Under ``block`` while personal-data findings are unresolved.
    """
    from pigan.screening import report_notes

    with Store.open(data.store_dir, create=False) as store:
        return {n.note_id: n.text for n in report_notes(store, data.event_id, policy, audience=audience)}


def gate_verdict(data: EventData, policy: str, *, audience: str = "reviewer") -> MarkdownText:
    """The screening gate's verdict for an output under ``policy``, as Markdown."""
    from pigan.screening import gate

    with Store.open(data.store_dir, create=False) as store:
        verdict = gate(store, data.event_id, policy, audience=audience)
    state = "allowed" if verdict.allowed else "**refused**"
    return MarkdownText(
        f"**Screening gate** (policy `{escape_markdown(policy)}`, {escape_markdown(audience)} outputs): "
        f"{state}. {escape_markdown(verdict.message)}"
    )


# -- screening notebook ----------------------------------------------------------------------------


def event_heading(data: EventData) -> MarkdownText:
    """The event's title and metadata as a Markdown heading block."""
    event = data.event
    title = event.title or event.event_id
    facts = [
        ("Event", event.event_id),
        ("Review", " ".join(x for x in (event.review_type, event.review_ref) if x)),
        ("Held on", event.held_on),
        ("Board", event.board),
    ]
    lines = [f"## {escape_markdown(title)}", ""]
    lines += [f"- **{name}**: {escape_markdown(value)}" for name, value in facts if value]
    return MarkdownText("\n".join(lines))


def ingestion_table(data: EventData) -> pd.DataFrame:
    """Per source file: version, rows read, ingested and quarantined, and its hash."""
    rows = [
        {
            "file": s["name"],
            "version": s["version"],
            "rows read": s["rows_read"],
            "ingested": s["rows_ingested"],
            "quarantined": s["rows_quarantined"],
            "sha256": str(s["sha256"])[:12],
        }
        for s in data.sources
    ]
    table = pd.DataFrame(rows, columns=["file", "version", "rows read", "ingested", "quarantined", "sha256"])
    if len(table):
        total: dict[str, object] = {"file": "total", "version": "", "sha256": ""}
        total.update({c: int(table[c].sum()) for c in ("rows read", "ingested", "quarantined")})
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return table


def quarantine_table(data: EventData) -> pd.DataFrame:
    """The rows kept out of the analysis, with file, place and reason (no note text)."""
    return data.quarantined.copy()


#: Note fields whose completeness the screening notebook reports.
QUALITY_FIELDS: tuple[str, ...] = ("participant", "agency", "role", "segment", "episode_date")


def data_quality_table(data: EventData) -> pd.DataFrame:
    """How complete the notes are: per field, notes with a value, the share, and distinct values.

    Also counts empty-looking and duplicated note texts and unreadable
    episode dates.
    """
    notes = data.notes
    total = len(notes)
    rows = []
    for column in QUALITY_FIELDS:
        present = notes[column].notna() & (notes[column].astype("object").astype(str).str.strip() != "")
        rows.append(
            {
                "check": f"{column} recorded",
                "notes": int(present.sum()),
                "share": present.mean() if total else 0.0,
                "distinct values": int(notes.loc[present, column].nunique()),
            }
        )
    dates = notes["episode_date"].dropna()
    unreadable = int(sum(analysis.parse_partial_date(v) is None for v in dates if str(v).strip()))
    lengths = notes["text"].astype(str).map(lambda t: len(t.split()))
    duplicates = int(notes["text"].astype(str).str.strip().str.lower().duplicated(keep=False).sum())
    rows += [
        {
            "check": "episode dates not understood",
            "notes": unreadable,
            "share": unreadable / total if total else 0.0,
            "distinct values": None,
        },
        {
            "check": "notes under 4 words",
            "notes": int((lengths < 4).sum()),
            "share": float((lengths < 4).mean()) if total else 0.0,
            "distinct values": None,
        },
        {
            "check": "notes with duplicated text",
            "notes": duplicates,
            "share": duplicates / total if total else 0.0,
            "distinct values": None,
        },
    ]
    table = pd.DataFrame(rows, columns=["check", "notes", "share", "distinct values"])
    table["share"] = table["share"].map(lambda v: f"{v:.0%}")
    return table


def findings_table(data: EventData) -> pd.DataFrame:
    """Personal-data findings by note id and type, with offsets and scores (never the matched text)."""
    return data.findings.copy()


def findings_figure(data: EventData, output_dir: str | Path) -> ReportFigure:
    """Bar chart of personal-data findings by type, saved as ``figures/findings.png``."""
    figure = plot_findings_by_type(findings_by_type(data), title=f"Personal-data findings at {data.event_id}")
    return save_figure(figure, output_dir, "findings")


def findings_by_type(data: EventData) -> pd.DataFrame:
    """Findings per type: how many, in how many notes, how many unresolved."""
    from pigan.screening import FINDING_TYPES

    frame = data.findings
    rows = []
    for type_ in FINDING_TYPES:
        of_type = frame[frame["type"] == type_]
        rows.append(
            {
                "type": type_,
                "findings": len(of_type),
                "notes": int(of_type["note_id"].nunique()),
                "unresolved": int((of_type["status"] == "unresolved").sum()),
            }
        )
    return pd.DataFrame(rows, columns=["type", "findings", "notes", "unresolved"])


# -- figures ---------------------------------------------------------------------------------------


def new_figure(height: float, *, width: float = A4_TEXT_WIDTH) -> Figure:
    """A figure sized for an A4 page (object API; nothing global)."""
    from matplotlib.figure import Figure

    figure = Figure(
        figsize=(width, min(max(height, 2.0), A4_MAX_HEIGHT)), dpi=FIGURE_DPI, layout="constrained"
    )
    return figure


def save_figure(figure: Figure, output_dir: str | Path, name: str) -> ReportFigure:
    """Save a figure as ``output_dir/figures/<name>.png`` (same inputs, same bytes) and return it."""
    folder = Path(output_dir) / FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    path.write_bytes(buffer.getvalue())
    title = figure.get_suptitle() or name
    return ReportFigure(path=path, title=title or name)


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_purpose_counts(
    counts: pd.DataFrame, labels: Labels, *, title: str, measure: str = "notes", k: int | None = None
) -> Figure:
    """Horizontal bars: notes (or participants) raising each top-level code, in the codebook's colours.

    With ``k`` (board outputs), a bar resting on fewer than ``k`` participants
    is not drawn and is labelled ``<k``.
    """
    figure = new_figure(0.45 * len(counts) + 1.2)
    ax = figure.add_subplot()
    codes = list(counts.index)[::-1]
    hidden = [k is not None and 0 < int(counts.loc[c, "participants"]) < k for c in codes]
    values = [0 if h else int(counts.loc[c, measure]) for c, h in zip(codes, hidden, strict=True)]
    bars = ax.barh(
        [labels.label(c) for c in codes],
        values,
        color=[labels.colour(c) for c in codes],
        edgecolor="#333333",
        linewidth=0.5,
    )
    texts = [f"<{k}" if h else str(v) for v, h in zip(values, hidden, strict=True)]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel(f"{measure.capitalize()} raising the theme")
    ax.set_ylabel("Purpose of the event")
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def plot_topic_counts(topics: pd.DataFrame, labels: Labels, *, title: str, top: int = 15) -> Figure:
    """Horizontal bars: the most raised topics (notes), coloured by their purpose."""
    shown = topics.sort_values(["notes", "topic"], ascending=[False, True], kind="stable").head(top)
    figure = new_figure(0.3 * len(shown) + 1.4)
    ax = figure.add_subplot()
    if shown.empty:
        _empty(ax, "No topics were tagged")
    else:
        shown = shown.iloc[::-1]
        bars = ax.barh(
            [labels.label(t) for t in shown["topic"]],
            shown["notes"],
            color=[labels.colour(t) for t in shown["topic"]],
            edgecolor="#333333",
            linewidth=0.5,
        )
        ax.bar_label(bars, padding=3, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        _legend_for_codes(ax, labels, sorted(set(shown["top_code"]), key=labels.rank))
        ax.margins(x=0.12)
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Notes raising the topic")
    ax.set_ylabel("Topic")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


#: Marker of an episode by how precisely it is dated.
TIMELINE_MARKERS: dict[str, str] = {"day": "o", "month": "D", "year": "h"}


def _timeline_legend(ax: Any, labels: Labels, codes: Sequence[str], *, earlier: bool) -> None:
    """Legend: the purpose codes' colours, then what each episode marker means."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=labels.colour(c), edgecolor="#333333", label=labels.label(c)) for c in codes
    ]
    for precision, marker in TIMELINE_MARKERS.items():
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                color="#333333",
                linestyle="",
                markersize=4,
                label=f"dated to the {precision}",
            )
        )
    if earlier:
        handles.append(
            Line2D(
                [],
                [],
                marker="<",
                color="#333333",
                linestyle="",
                markersize=4,
                label="earlier (off the scale)",
            )
        )
    ax.figure.legend(handles=handles, fontsize=7, loc="outside lower center", ncol=4, frameon=False)


def _legend_for_codes(ax: Any, labels: Labels, codes: Sequence[str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=labels.colour(c), edgecolor="#333333", label=labels.label(c)) for c in codes]
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower right", frameon=False)


def plot_cooccurrence(matrix: pd.DataFrame, labels: Labels, *, title: str) -> Figure:
    """A heat map (cividis) of how many notes raise both codes, with the counts written in."""
    figure = new_figure(0.55 * len(matrix) + 1.8)
    ax = figure.add_subplot()
    if matrix.empty:
        _empty(ax, "No themes were tagged")
    else:
        values = matrix.to_numpy()
        image = ax.imshow(values, cmap="cividis", aspect="auto")
        names = [labels.label(c) for c in matrix.index]
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        top = values.max() if values.size else 0
        for (i, j), value in np.ndenumerate(values):
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=8,
                color="black" if value > top * 0.6 else "white",
            )
        colourbar = figure.colorbar(image, ax=ax, shrink=0.8)
        colourbar.set_label("Notes raising both")
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Theme")
    ax.set_ylabel("Theme")
    return figure


def plot_case_timeline(timeline: pd.DataFrame, labels: Labels, *, title: str) -> Figure:
    """The case timeline: each dated episode on its own row at its date, with the themes raised about it.

    Coloured squares after each dot mark the purpose codes raised about the
    episode (legend below); the text names up to two topics.
    """
    from matplotlib.transforms import offset_copy

    figure = new_figure(0.27 * len(timeline) + 1.6)
    ax = figure.add_subplot()
    if timeline.empty:
        _empty(ax, "No dated episodes in the notes")
        figure.suptitle(title, fontsize=11)
        return figure
    rows = list(range(len(timeline)))[::-1]
    true_dates = list(timeline["date"])
    start = _timeline_start(true_dates)
    # Episodes long before the rest (a birth, an old incident) sit at the left edge, marked with an arrow.
    dates = [max(d, start) for d in true_dates]
    ax.hlines(rows, start, dates, color="#DDDDDD", linewidth=0.6)  # type: ignore[arg-type]
    markers = TIMELINE_MARKERS
    for row, date, true_date, precision in zip(rows, dates, true_dates, timeline["precision"], strict=True):
        marker = "<" if true_date < start else markers.get(precision, "o")
        ax.plot([date], [row], marker=marker, color="#333333", markersize=4)
    used: list[str] = []
    font = 7 if len(timeline) <= 30 else 6
    for row, date, themes, topics in zip(rows, dates, timeline["themes"], timeline["topics"], strict=True):
        ordered = sorted(themes, key=labels.rank)
        for i, theme in enumerate(ordered):
            shift = offset_copy(ax.transData, fig=figure, x=7 * (i + 1), y=0, units="points")
            ax.plot(
                [date],
                [row],
                marker="s",
                markersize=4.5,
                color=labels.colour(theme),
                transform=shift,
                markeredgecolor="#333333",
                markeredgewidth=0.3,
            )
            if theme not in used:
                used.append(theme)
        names = [labels.label(t) for t in sorted(topics, key=labels.rank)[:2]]
        more = len(topics) - len(names)
        text = "; ".join(names) + (f" (+{more})" if more > 0 else "")
        if text:
            shift = offset_copy(ax.transData, fig=figure, x=7 * (len(ordered) + 1) + 4, y=0, units="points")
            ax.text(date, row, shorten(text, 70), transform=shift, va="center", fontsize=font - 1)
    ax.set_yticks(rows, list(timeline["label"]), fontsize=font)
    ax.set_ylim(-0.8, len(timeline) - 0.2)
    ax.margins(x=0.05)
    span = (max(dates) - start).days
    right = max(dates) + pd.Timedelta(days=max(int(span * 1.1), 90))
    ax.set_xlim(start - pd.Timedelta(days=max(int(span * 0.03), 5)), right)  # type: ignore[arg-type]
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Date of the episode")
    ax.set_ylabel("Episode (date as recorded)")
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    _timeline_legend(ax, labels, sorted(used, key=labels.rank), earlier=any(d < start for d in true_dates))
    return figure


#: A gap this long before the bulk of the episodes starts the timeline's axis after it.
TIMELINE_GAP = pd.Timedelta(days=730)


def _timeline_start(dates: Sequence[pd.Timestamp]) -> pd.Timestamp:
    """Where the timeline's axis starts: after the last gap of more than two years between episodes."""
    ordered = sorted(dates)
    start = ordered[0]
    for earlier, later in pairwise(ordered):
        if later - earlier > TIMELINE_GAP:
            start = later
    return start


def plot_findings_by_type(counts: pd.DataFrame, *, title: str) -> Figure:
    """Bars: personal-data findings per type, resolved and unresolved stacked."""
    from matplotlib.ticker import MaxNLocator

    figure = new_figure(0.3 * len(counts) + 1.4)
    ax = figure.add_subplot()
    shown = counts.iloc[::-1]
    unresolved = shown["unresolved"].astype(int)
    resolved = shown["findings"].astype(int) - unresolved
    ax.barh(
        shown["type"], unresolved, color=OKABE_ITO[5], label="unresolved", edgecolor="#333333", linewidth=0.5
    )
    ax.barh(
        shown["type"],
        resolved,
        left=unresolved,
        color=OKABE_ITO[1],
        label="false alarm or confirmed",
        edgecolor="#333333",
        linewidth=0.5,
    )
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Findings")
    ax.set_ylabel("Type of personal data")
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def plot_prevalence_by_review_type(
    by_type: pd.DataFrame, labels: Labels, *, title: str, top: int = 12
) -> Figure:
    """Grouped bars: mean share of notes raising each recurring topic, per review type."""
    figure = new_figure(0.32 * min(top, max(len(by_type["topic"].unique()), 1)) + 1.6)
    ax = figure.add_subplot()
    if by_type.empty:
        _empty(ax, "No topics were tagged")
    else:
        table = by_type.pivot_table(index="topic", columns="review_type", values="mean_share", fill_value=0.0)
        table = table.loc[table.max(axis=1).sort_values(ascending=False, kind="stable").index[:top]].iloc[
            ::-1
        ]
        kinds = list(table.columns)
        height = 0.8 / max(len(kinds), 1)
        palette = {"SAR": OKABE_ITO[4], "CSPR": OKABE_ITO[0]}
        for i, kind in enumerate(kinds):
            positions = [r + (i - (len(kinds) - 1) / 2) * height for r in range(len(table))]
            ax.barh(
                positions,
                table[kind] * 100,
                height=height,
                label=kind,
                color=palette.get(kind, OKABE_ITO[(i + 2) % 7]),
                edgecolor="#333333",
                linewidth=0.4,
            )
        ax.set_yticks(range(len(table)), [labels.label(t) for t in table.index], fontsize=7)
        ax.legend(title="Review type", fontsize=7, title_fontsize=7, frameon=False, loc="lower right")
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Mean share of notes raising the topic (%)")
    ax.set_ylabel("Topic")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def plot_prevalence_over_time(
    prevalence: pd.DataFrame, labels: Labels, *, title: str, topics: Sequence[str]
) -> Figure:
    """Lines: share of each event's notes raising the chosen topics, events in the order held."""
    figure = new_figure(3.6)
    ax = figure.add_subplot()
    if prevalence.empty or not topics:
        _empty(ax, "No topics were tagged")
    else:
        events = list(pd.unique(prevalence["event_id"]))
        held = prevalence.drop_duplicates("event_id").set_index("event_id")["held_on"]
        styles = ["-", "--", "-.", ":"]
        for i, topic in enumerate(topics):
            series = prevalence[prevalence["topic"] == topic].set_index("event_id").reindex(events)
            ax.plot(
                range(len(events)),
                series["share"] * 100,
                marker="o",
                markersize=3,
                linestyle=styles[i % len(styles)],
                color=OKABE_ITO[i % 7],
                label=shorten(labels.label(topic), 40),
            )
        ticks = [f"{e}\n{held.get(e) or 'date not recorded'}" for e in events]
        ax.set_xticks(range(len(events)), ticks, fontsize=7)
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.suptitle(title, fontsize=11)
    ax.set_xlabel("Event (date held)")
    ax.set_ylabel("Share of the event's notes (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


# -- tables with disclosure control ----------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """A breakdown after disclosure control, with the explanation a reader needs."""

    table: pd.DataFrame
    note: str
    title: str = ""
    dropped: bool = False

    def _repr_html_(self) -> str:
        heading = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        note = f"<p><em>{html.escape(self.note)}</em></p>" if self.note else ""
        body = "" if self.table.empty else self.table.to_html(escape=True)
        return heading + note + body

    def rows(self) -> tuple[tuple[object, ...], ...]:
        """The table's rows, group label first."""
        return tuple(
            (idx, *row) for idx, row in zip(self.table.index, self.table.to_numpy().tolist(), strict=True)
        )

    def header(self) -> tuple[str, ...]:
        """The table's header, the group column first."""
        return (str(self.table.index.name or ""), *[str(c) for c in self.table.columns])


def disclosed_breakdown(
    assignments: pd.DataFrame,
    column: str,
    labels: Labels,
    *,
    k: int,
    level: str = analysis.TOP_CODE,
    title: str = "",
) -> Breakdown:
    """Theme by ``column`` (agency, role, segment) through :func:`pigan.disclosure.disclose_counts`.

    Counts are distinct participants; groups under ``k`` are pooled, or the
    breakdown is dropped; small cells show as ``<k``, with secondary
    suppression around the totals. The explanation says what was done.
    """
    from pigan import disclosure

    shown = disclosure.disclose_counts(assignments, by=column, columns=level, k=k, totals=True)
    order = sorted((c for c in shown.table.columns if c != disclosure.TOTAL), key=labels.rank)
    ordered = [*order, *[c for c in shown.table.columns if c == disclosure.TOTAL]]
    table = shown.table[ordered].rename(columns=labels.label)
    return Breakdown(table=table, note=shown.note, title=title, dropped=shown.dropped)


# -- themes notebook -------------------------------------------------------------------------------


def purpose_table(data: EventData) -> pd.DataFrame:
    """Notes and participants raising each purpose of the event (and the case story)."""
    counts = analysis.purpose_counts(data.assignments, data.notes)
    table = pd.DataFrame(
        {
            "theme": [data.labels.label(c) for c in counts.index],
            "notes": counts["notes"].to_numpy(),
            "participants": counts["participants"].to_numpy(),
            "share of notes": [f"{v:.0%}" for v in counts["share"]],
        }
    )
    return table


def purpose_figure(data: EventData, output_dir: str | Path, *, k: int | None = None) -> ReportFigure:
    """Bar chart of notes raising each purpose, saved as ``figures/purposes.png``.

    With ``k`` (the board's copy), bars resting on fewer than ``k`` participants are not drawn.
    """
    counts = analysis.purpose_counts(data.assignments, data.notes)
    figure = plot_purpose_counts(counts, data.labels, title=f"Themes raised at {data.event_id}", k=k)
    return save_figure(figure, output_dir, "purposes")


def topic_table(data: EventData) -> pd.DataFrame:
    """Every topic raised: its purpose, label, id, notes and participants."""
    topics = analysis.topic_counts(data.assignments, data.notes)
    return pd.DataFrame(
        {
            "purpose": [data.labels.label(c) for c in topics["top_code"]],
            "topic": [data.labels.label(t) for t in topics["topic"]],
            "code": topics["topic"].to_numpy(),
            "notes": topics["notes"].to_numpy(),
            "participants": topics["participants"].to_numpy(),
        }
    )


def topic_figure(data: EventData, output_dir: str | Path) -> ReportFigure:
    """Bar chart of the most raised topics, saved as ``figures/topics.png``."""
    topics = analysis.topic_counts(data.assignments, data.notes)
    figure = plot_topic_counts(topics, data.labels, title=f"Most raised topics at {data.event_id}")
    return save_figure(figure, output_dir, "topics")


def theme_by_segment(data: EventData, *, k: int = 5) -> Breakdown:
    """Themes by segment of the agenda, through disclosure control."""
    return disclosed_breakdown(
        data.assignments, "segment", data.labels, k=k, title="Themes by segment (distinct participants)"
    )


def theme_by_agency(data: EventData, *, k: int = 5) -> Breakdown:
    """Themes by agency, through disclosure control (small agencies pooled or suppressed)."""
    return disclosed_breakdown(
        data.assignments, "agency", data.labels, k=k, title="Themes by agency (distinct participants)"
    )


def cooccurrence_table(data: EventData) -> pd.DataFrame:
    """Notes raising both themes of each pair (the diagonal: notes raising the theme)."""
    matrix = analysis.cooccurrence(data.assignments)
    return matrix.rename(index=data.labels.label, columns=data.labels.label)


def cooccurrence_figure(data: EventData, output_dir: str | Path) -> ReportFigure:
    """Heat map of theme co-occurrence, saved as ``figures/cooccurrence.png``."""
    matrix = analysis.cooccurrence(data.assignments)
    figure = plot_cooccurrence(matrix, data.labels, title=f"Themes raised together at {data.event_id}")
    return save_figure(figure, output_dir, "cooccurrence")


def case_timeline(data: EventData, *, policy: str = "redact") -> pd.DataFrame:
    """The case timeline frame, dates read from the text the gate policy allows.

    See :func:`pigan.analysis.case_timeline`.
    """
    return analysis.case_timeline(data.notes, data.assignments, texts=shown_texts(data, policy))


def timeline_table(data: EventData, *, policy: str = "redact") -> pd.DataFrame:
    """The case timeline: dated episodes, the notes about them and the themes raised.

    Raises
    ------
    GateError
        Under ``block`` while personal-data findings are unresolved.
    """
    timeline = case_timeline(data, policy=policy)
    labels = data.labels
    return pd.DataFrame(
        {
            "episode": timeline["label"].to_numpy(),
            "from": timeline["sources"].to_numpy(),
            "notes": [", ".join(ids) for ids in timeline["note_ids"]],
            "themes": [
                "; ".join(labels.label(t) for t in sorted(ts, key=labels.rank)) for ts in timeline["themes"]
            ],
            "topics": [
                "; ".join(labels.label(t) for t in sorted(ts, key=labels.rank)) for ts in timeline["topics"]
            ],
        }
    )


def timeline_figure(data: EventData, output_dir: str | Path, *, policy: str = "redact") -> ReportFigure:
    """The case timeline figure, saved as ``figures/timeline.png``."""
    timeline = case_timeline(data, policy=policy)
    figure = plot_case_timeline(timeline, data.labels, title=f"Case timeline: {data.event_id}")
    return save_figure(figure, output_dir, "timeline")


def blame_table(data: EventData, *, policy: str = "redact") -> TextTable:
    """Notes flagged for blame language or singling out, for the reviewer's eyes only.

    The flagged sentence is shown as the gate policy allows (redacted under
    ``redact``); pandas escapes it in HTML.

    Raises
    ------
    GateError
        Under ``block`` while personal-data findings are unresolved.
    """
    flagged = analysis.flagged_notes(data.tags, data.notes, flags=("blame", "singling_out"))
    texts = shown_texts(data, policy)
    originals = dict(zip(data.notes["note_id"], data.notes["text"], strict=True))
    sentences = []
    for note_id, spans in zip(flagged["note_id"], flagged["spans"], strict=True):
        original, shown = originals.get(note_id), texts.get(note_id)
        if not isinstance(original, str) or not isinstance(shown, str):
            sentences.append("")
            continue
        bounds = _sentence_bounds(data.tags, note_id, spans[0]) if spans else (0, len(original))
        start, end = analysis.map_offsets(original, shown, *bounds)
        sentences.append(shorten(shown[start:end]))
    return TextTable(
        pd.DataFrame(
            {
                "note": flagged["note_id"].to_numpy(),
                "segment": flagged["segment"].to_numpy(),
                "flags": flagged["flags"].to_numpy(),
                "flagged sentence": sentences,
            }
        )
    )


def _sentence_bounds(tags: pd.DataFrame, note_id: str, span: tuple[int, int]) -> tuple[int, int]:
    rows = tags[(tags["note_id"] == note_id) & (tags["start"] == span[0])]
    if rows.empty or "sentence_start" not in rows.columns:
        return span
    row = rows.iloc[0]
    return int(row["sentence_start"]), int(row["sentence_end"])


# -- documents: blocks rendered to Markdown and DOCX -----------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading (level 1 to 4)."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text, optionally led by a bold label."""

    text: str
    label: str = ""


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """An excerpt from a note, with its note id (reviewer outputs only)."""

    text: str
    note_id: str


@dataclass(frozen=True)
class Table:
    """A table of plain values."""

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class FigureBlock:
    """A saved figure with its caption."""

    figure: ReportFigure
    caption: str


Block = Heading | Para | Bullets | Quote | Table | FigureBlock


def render_markdown(blocks: Iterable[Block], *, base: Path | None = None, figures: bool = True) -> str:
    """Markdown for blocks; every piece of text is escaped (see :func:`escape_markdown`).

    Figures are linked relative to ``base`` (the folder the Markdown file is
    written to); with ``figures=False`` they are left out (a notebook shows
    them as images itself).
    """
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * max(1, min(block.level, 6))} {escape_markdown(block.text, line_start=False)}")
        elif isinstance(block, Para):
            label = f"**{escape_markdown(block.label)}** " if block.label else ""
            out.append(label + escape_markdown(block.text))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {escape_markdown(item)}" for item in block.items))
        elif isinstance(block, Quote):
            out.append(f"> {escape_markdown(block.text)} (note {escape_markdown(block.note_id)})")
        elif isinstance(block, Table):
            out.append(markdown_table(block.header, block.rows))
        elif isinstance(block, FigureBlock) and figures:
            target = block.figure.path
            if base is not None:
                target = Path(_relative(target, base))
            out.append(f"![{escape_markdown(block.caption)}]({target.as_posix()})")
    return "\n\n".join(out) + "\n"


def render_html(blocks: Iterable[Block]) -> str:
    """HTML for blocks (figures left out: a notebook shows them itself); every piece of text is escaped."""

    def esc(value: object) -> str:
        return html.escape(plain_text(_cell(value)), quote=True)

    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            level = max(1, min(block.level, 6))
            out.append(f"<h{level}>{esc(block.text)}</h{level}>")
        elif isinstance(block, Para):
            label = f"<strong>{esc(block.label)}</strong> " if block.label else ""
            out.append(f"<p>{label}{esc(block.text)}</p>")
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Quote):
            out.append(
                f"<blockquote><p>{esc(block.text)} <em>(note {esc(block.note_id)})</em></p></blockquote>"
            )
        elif isinstance(block, Table):
            head = "".join(f"<th>{esc(h)}</th>" for h in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in block.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(out)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return path.name


def render_docx(blocks: Iterable[Block], path: Path, *, title: str) -> Path:
    """Write blocks as a DOCX (A4, headings, tables, figures, quotes) with python-docx."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(22))
    document.core_properties.title = plain_text(title)
    document.core_properties.author = "pigan"
    document.add_heading(plain_text(title), level=0)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(plain_text(block.text), level=max(1, min(block.level - 1, 4)))
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            if block.label:
                paragraph.add_run(plain_text(block.label) + " ").bold = True
            paragraph.add_run(plain_text(block.text))
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(plain_text(item), style="List Bullet")
        elif isinstance(block, Quote):
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(plain_text(block.text))
            paragraph.add_run(f" (note {plain_text(block.note_id)})").italic = False
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Light Grid Accent 1"
            for cell, name in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = plain_text(name)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = plain_text(_cell(value))
            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(9)
            document.add_paragraph()
        elif isinstance(block, FigureBlock):
            document.add_picture(str(block.figure.path), width=Mm(160))
            caption = document.add_paragraph(plain_text(block.caption), style="Caption")
            caption.runs[0].italic = True
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


# -- the learning summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    """A representative sentence and the note it comes from."""

    note_id: str
    text: str
    centrality: float


@dataclass(frozen=True)
class TopicFinding:
    """A topic raised at the event: how widely, and (reviewer only) its representative excerpts."""

    topic: str
    label: str
    definition: str
    notes: int
    participants: int
    excerpts: tuple[Excerpt, ...] = ()


@dataclass(frozen=True)
class PurposeSection:
    """One purpose of the event (context, decision influences, good practice, recommendations)."""

    code: str
    label: str
    definition: str
    notes: int
    participants: int
    topics: tuple[TopicFinding, ...]


def _count(value: int, audience: str, k: int) -> str:
    """A count as shown to an audience: the board never sees a group smaller than ``k``."""
    if audience == "board" and 0 < value < k:
        return f"<{k}"
    return str(value)


@dataclass
class LearningSummary:
    """The learning summary of one event, as data; rendered to Markdown, DOCX and notebook sections."""

    event: Event
    audience: str
    policy: str
    k: int
    gate_message: str
    notes: int
    participants: int
    agencies: int
    purposes: list[PurposeSection]
    agency_table: Breakdown
    episodes: pd.DataFrame
    corrections: list[Excerpt]
    flagged_notes: list[str]
    questions: list[str]
    figures: dict[str, ReportFigure] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The document title."""
        name = self.event.title or self.event.event_id
        return f"Learning summary: {name}" + (" (board copy)" if self.audience == "board" else "")

    def n(self, value: int) -> str:
        """A count as this summary's audience may see it."""
        return _count(value, self.audience, self.k)

    # -- sections as blocks --------------------------------------------------------------------
    def overview_blocks(self) -> list[Block]:
        """Event overview: what the event was, what the notes are, how they were screened."""
        event = self.event
        blocks: list[Block] = [Heading("Event overview", 2)]
        facts = [
            f"Event: {event.event_id}",
            f"Review: {' '.join(x for x in (event.review_type, event.review_ref) if x) or 'not recorded'}",
            f"Held on: {event.held_on or 'not recorded'}",
            f"Board: {event.board or 'not recorded'}",
            f"Notes analysed: {self.n(self.notes)} from {self.n(self.participants)} participants "
            f"and {self.agencies} agencies",
        ]
        blocks.append(Bullets(tuple(facts)))
        if event.summary:
            blocks.append(Para(event.summary, label="The case."))
        audience_line = (
            "Board copy: aggregates only. No excerpts and no note ids; every breakdown by agency passes "
            f"disclosure control (at least {self.k} distinct participants per group shown)."
            if self.audience == "board"
            else f"Reviewer copy: excerpts are shown as the screening gate allows (policy {self.policy})."
        )
        blocks.append(Para(audience_line, label="Audience."))
        blocks.append(Para(self.gate_message, label="Screening."))
        if "purposes" in self.figures:
            blocks.append(FigureBlock(self.figures["purposes"], "Notes raising each purpose of the event"))
        return blocks

    def purpose_blocks(self) -> list[Block]:
        """For each purpose: the topics raised, how widely, and (reviewer) representative excerpts."""
        blocks: list[Block] = [Heading("What practitioners said", 2)]
        for section in self.purposes:
            blocks.append(Heading(section.label, 3))
            blocks.append(
                Para(
                    f"{section.definition} Raised in {self.n(section.notes)} notes by "
                    f"{self.n(section.participants)} participants."
                )
            )
            if not section.topics:
                blocks.append(Para("No topic under this purpose was raised."))
                continue
            blocks.append(
                Table(
                    ("topic", "notes", "participants"),
                    tuple((t.label, self.n(t.notes), self.n(t.participants)) for t in section.topics),
                )
            )
            if self.audience == "reviewer":
                for topic in section.topics:
                    if topic.excerpts:
                        blocks.append(Para(topic.label, label="Representative excerpts:"))
                        blocks.extend(Quote(e.text, e.note_id) for e in topic.excerpts)
        blocks.append(Heading("Themes by agency", 3))
        blocks.append(Para(self.agency_table.note or "Distinct participants per theme and agency."))
        if not self.agency_table.table.empty:
            blocks.append(Table(self.agency_table.header(), self.agency_table.rows()))
        return blocks

    def case_story_blocks(self) -> list[Block]:
        """The case story: the dated episodes with the themes raised, and where accounts differ."""
        if self.audience == "board":
            return []
        blocks: list[Block] = [Heading("The case story", 2)]
        if self.episodes.empty:
            blocks.append(Para("No dated episodes were found in the notes."))
        else:
            blocks.append(
                Para(
                    f"{len(self.episodes)} dated episodes, from the notes' episode dates and the dates "
                    "mentioned in case-story notes, with the themes raised about each."
                )
            )
            if "timeline" in self.figures:
                blocks.append(FigureBlock(self.figures["timeline"], "Case timeline"))
            blocks.append(
                Table(
                    ("episode", "notes", "themes raised"),
                    tuple(
                        (row.episode, row.notes, row.themes or "none")
                        for row in self.episodes.itertuples(index=False)
                    ),
                )
            )
        blocks.append(Heading("Where accounts differ", 3))
        if self.corrections:
            blocks.append(Para("Notes that correct or question the chronology:"))
            blocks.extend(Quote(e.text, e.note_id) for e in self.corrections)
        else:
            blocks.append(Para("No note corrected or questioned the chronology."))
        return blocks

    def question_blocks(self) -> list[Block]:
        """Questions for the review, drawn from what was raised."""
        blocks: list[Block] = [Heading("Questions for the review", 2)]
        blocks.append(Bullets(tuple(self.questions)) if self.questions else Para("No questions were drawn."))
        return blocks

    def briefing_blocks(self) -> list[Block]:
        """A 7-minute briefing draft: background, why it matters, key learning, remember, what to do."""
        purposes = {s.code: s for s in self.purposes}
        learning = _key_learning(self.purposes)
        event = self.event
        kind = (event.review_type or "").upper()
        why = {
            "SAR": "A Safeguarding Adults Board must arrange a Safeguarding Adult Review when an adult with "
            "care and support needs dies or is seriously harmed, abuse or neglect is known or "
            "suspected, and agencies could have worked together more effectively (Care Act 2014, s.44).",
            "CSPR": "A Child Safeguarding Practice Review asks what agencies can learn when a child dies "
            "or is seriously harmed and abuse or neglect is known or suspected (Children Act 2004, as "
            "amended).",
        }.get(kind, "A safeguarding review asks what agencies can learn so that practice improves.")
        blocks: list[Block] = [
            Heading("7-minute briefing (draft)", 2),
            Para("A draft for the reviewer to edit before anything is published.", label="Draft."),
            Heading("1. Background", 3),
            Para(event.summary or f"Practitioner event {event.event_id}."),
            Heading("2. Why it matters", 3),
            Para(
                why + f" At the practitioner event {self.n(self.participants)} participants from "
                f"{self.agencies} agencies contributed {self.n(self.notes)} notes."
            ),
        ]
        for number, topic in zip(("3", "4", "5"), learning, strict=False):
            blocks.append(Heading(f"{number}. Key learning: {topic.label}", 3))
            blocks.append(
                Para(
                    f"{topic.definition} Raised in {self.n(topic.notes)} notes by "
                    f"{self.n(topic.participants)} participants."
                )
            )
            if self.audience == "reviewer" and topic.excerpts:
                blocks.append(Quote(topic.excerpts[0].text, topic.excerpts[0].note_id))
        remember = [
            f"{t.label}: recognised good practice." for t in _top_topics(purposes.get("good_practice"), 2)
        ]
        remember += self.questions[:2]
        blocks += [Heading("6. Things to remember", 3), Bullets(tuple(remember) or ("No points drawn.",))]
        actions = [
            f"{t.label} ({self.n(t.participants)} participants proposed it)."
            for t in _top_topics(purposes.get("recommendation"), 3)
        ]
        blocks += [Heading("7. What to do", 3), Bullets(tuple(actions) or ("No proposals were recorded.",))]
        return blocks

    def blocks(self) -> list[Block]:
        """The whole summary."""
        return [
            *self.overview_blocks(),
            *self.purpose_blocks(),
            *self.case_story_blocks(),
            *self.question_blocks(),
            *self.briefing_blocks(),
        ]

    # -- what the notebook shows -------------------------------------------------------------------
    def overview(self) -> Section:
        """The overview section (figures are shown separately)."""
        return Section(self.overview_blocks(), title=self.title)

    def purposes_section(self) -> Section:
        """The purposes section: topics, how widely, excerpts (reviewer), themes by agency."""
        return Section(self.purpose_blocks())

    def case_story(self) -> Section:
        """The case story section (empty for the board)."""
        return Section(self.case_story_blocks())

    def questions_section(self) -> Section:
        """The questions for the review."""
        return Section(self.question_blocks())

    def briefing(self) -> Section:
        """The 7-minute briefing draft."""
        return Section(self.briefing_blocks())

    def figure(self, name: str) -> ReportFigure | MarkdownText:
        """A figure of the summary by name (``purposes``, ``timeline``), or a line saying it is not shown."""
        return _figure_or_note(self.figures, name)


def _figure_or_note(figures: Mapping[str, ReportFigure], name: str) -> ReportFigure | MarkdownText:
    if name in figures:
        return figures[name]
    return MarkdownText(f"*The {escape_markdown(name)} figure is not part of this output.*")


def _top_topics(section: PurposeSection | None, n: int) -> list[TopicFinding]:
    if section is None:
        return []
    return sorted(section.topics, key=lambda t: (-t.participants, -t.notes, t.topic))[:n]


def _key_learning(purposes: Sequence[PurposeSection]) -> list[TopicFinding]:
    """The three most widely raised topics about context and decisions (then good practice)."""
    pool = [t for s in purposes if s.code in ("decision_influence", "context") for t in s.topics]
    chosen = sorted(pool, key=lambda t: (-t.participants, -t.notes, t.topic))[:3]
    if len(chosen) < 3:
        extra = [t for s in purposes if s.code == "good_practice" for t in s.topics]
        chosen += sorted(extra, key=lambda t: (-t.participants, -t.notes, t.topic))[: 3 - len(chosen)]
    return chosen


def check_audience(audience: str, policy: str) -> None:
    """Refuse an unknown audience or a policy the audience may not use.

    Raises
    ------
    ConfigError
        For an audience other than reviewer/board, a policy other than
        block/redact/warn, or ``warn`` for the board.
    """
    if audience not in AUDIENCES:
        raise ConfigError(f"audience must be 'reviewer' or 'board', not {audience!r}")
    if policy not in ("block", "redact", "warn"):
        raise ConfigError(f"gate policy must be 'block', 'redact' or 'warn', not {policy!r}")
    if audience == "board" and policy == "warn":
        raise ConfigError("the board's outputs need gate policy 'block' or 'redact', not 'warn'")


def build_learning_summary(
    data: EventData,
    *,
    audience: str = "reviewer",
    policy: str = "",
    k: int = 5,
    excerpts: int = 3,
    output_dir: str | Path | None = None,
) -> LearningSummary:
    """Build the learning summary of an event for the reviewer or the board.

    Parameters
    ----------
    audience
        ``reviewer``: topics with representative excerpts and their note ids
        (text as the gate policy allows), the case story, blame flags.
        ``board``: aggregates only, disclosure control throughout, no
        excerpt, no note id, no group under ``k``.
    policy
        Screening gate policy; empty means the audience's default (redact
        for the reviewer, block for the board).
    k
        Disclosure threshold (distinct participants).
    excerpts
        Excerpts per topic (reviewer only), chosen by :func:`pigan.analysis.select_excerpts`.
    output_dir
        Where figures are saved (none when ``None``).

    Raises
    ------
    GateError
        When the gate refuses the output under ``policy``.
    ConfigError
        For a bad audience, policy or ``k``.
    """
    from pigan import disclosure
    from pigan.screening import gate

    policy = policy or DEFAULT_POLICY.get(audience, "block")
    check_audience(audience, policy)
    disclosure.check_k(k)
    with Store.open(data.store_dir, create=False) as store:
        verdict = gate(store, data.event_id, policy, audience=audience)
    if not verdict.allowed:
        from pigan.errors import GateError

        raise GateError(verdict.message)
    labels = data.labels
    texts = shown_texts(data, policy, audience=audience) if audience == "reviewer" else None
    candidates = (
        analysis.excerpt_candidates(data.assignments, data.notes, texts=texts) if texts is not None else None
    )
    chosen = (
        analysis.representative_excerpts(candidates, k=excerpts)
        if candidates is not None and excerpts > 0
        else pd.DataFrame(columns=["topic", "note_id", "text", "centrality"])
    )
    topics = analysis.topic_counts(data.assignments, data.notes)
    purposes_counts = analysis.purpose_counts(data.assignments, data.notes)
    sections = []
    for code in analysis.PURPOSES:
        rows = topics[topics["top_code"] == code]
        findings = []
        for row in rows.to_dict("records"):
            topic = str(row["topic"])
            picked = chosen[chosen["topic"] == topic] if len(chosen) else chosen
            findings.append(
                TopicFinding(
                    topic=topic,
                    label=labels.label(topic),
                    definition=labels.definitions.get(topic, ""),
                    notes=int(row["notes"]),
                    participants=int(row["participants"]),
                    excerpts=_excerpts(picked),
                )
            )
        sections.append(
            PurposeSection(
                code=code,
                label=labels.label(code),
                definition=labels.definitions.get(code, ""),
                notes=int(purposes_counts["notes"].to_dict().get(code, 0)),
                participants=int(purposes_counts["participants"].to_dict().get(code, 0)),
                topics=tuple(findings),
            )
        )
    total_notes, total_participants = analysis.note_totals(data.notes)
    agencies = int(data.notes["agency"].dropna().nunique())
    corrections: list[Excerpt] = []
    flagged: list[str] = []
    episodes = pd.DataFrame()
    if audience == "reviewer" and candidates is not None:
        episodes = timeline_table(data, policy=policy)
        story = candidates[candidates["topic"] == "case_story.correction"]
        if len(story):
            corrections = list(_excerpts(analysis.select_excerpts(story, k=5)))
        flagged = sorted(analysis.flagged_notes(data.tags, data.notes)["note_id"].astype(str))
    summary = LearningSummary(
        event=data.event,
        audience=audience,
        policy=policy,
        k=k,
        gate_message=verdict.message,
        notes=total_notes,
        participants=total_participants,
        agencies=agencies,
        purposes=sections,
        agency_table=theme_by_agency(data, k=k),
        episodes=episodes,
        corrections=corrections,
        flagged_notes=flagged,
        questions=[],
    )
    summary.questions = review_questions(summary)
    if output_dir is not None:
        summary.figures["purposes"] = purpose_figure(data, output_dir, k=k if audience == "board" else None)
        if audience == "reviewer":
            summary.figures["timeline"] = timeline_figure(data, output_dir, policy=policy)
    return summary


def _excerpts(chosen: pd.DataFrame) -> tuple[Excerpt, ...]:
    return tuple(
        Excerpt(str(e["note_id"]), shorten(str(e["text"])), float(e["centrality"]))
        for e in chosen.to_dict("records")
    )


def review_questions(summary: LearningSummary) -> list[str]:
    """Questions for the review, drawn from the most widely raised topics (systems questions, not blame)."""
    purposes = {s.code: s for s in summary.purposes}
    questions: list[str] = []
    for topic in _top_topics(purposes.get("decision_influence"), 2):
        questions.append(
            f"{topic.label}: what made this hard to get right at the time, and would it still be hard today?"
        )
    for topic in _top_topics(purposes.get("context"), 1):
        questions.append(f"{topic.label}: how far did this shape practice, and how is the board assured now?")
    for topic in _top_topics(purposes.get("good_practice"), 1):
        questions.append(f"{topic.label}: what made this good practice possible, and how can it be spread?")
    proposals = [t.label for t in _top_topics(purposes.get("recommendation"), 3)]
    if proposals:
        questions.append(
            "Which of the practitioners' proposals (" + "; ".join(proposals) + ") should become "
            "recommendations or questions for the board?"
        )
    if summary.audience == "reviewer" and summary.corrections:
        notes = ", ".join(e.note_id for e in summary.corrections)
        questions.append(f"The chronology was corrected or questioned (notes {notes}): which account stands?")
    if summary.audience == "reviewer" and summary.flagged_notes:
        notes = ", ".join(summary.flagged_notes[:12]) + (", ..." if len(summary.flagged_notes) > 12 else "")
        questions.append(
            f"{len(summary.flagged_notes)} notes read as blame or single someone out (notes {notes}): "
            "how can these points be written as systems findings?"
        )
    return questions


def learning_summary_docx(
    store_dir: str | Path | None, event_id: str, *, audience: str = "reviewer", policy: str = "", k: int = 5
) -> bytes:
    """The learning summary of an event as DOCX bytes (what ``pigan export --format docx`` writes).

    Raises
    ------
    GateError
        When the screening gate refuses the output under ``policy``.
    """
    import tempfile

    data = load_event(store_dir, event_id)
    with tempfile.TemporaryDirectory(prefix="pigan-docx-") as folder:
        summary = build_learning_summary(data, audience=audience, policy=policy, k=k, output_dir=folder)
        path = render_docx(summary.blocks(), Path(folder) / "learning_summary.docx", title=summary.title)
        return path.read_bytes()


def write_learning_summary(summary: LearningSummary, output_dir: str | Path) -> list[Path]:
    """Write ``learning_summary.md`` and ``learning_summary.docx`` from the summary's data.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = summary.blocks()
    markdown = folder / "learning_summary.md"
    markdown.write_text(
        f"# {escape_markdown(summary.title, line_start=False)}\n\n" + render_markdown(blocks, base=folder),
        encoding="utf-8",
    )
    docx = render_docx(blocks, folder / "learning_summary.docx", title=summary.title)
    return [markdown, docx]


# -- the board overview ----------------------------------------------------------------------------


@dataclass
class BoardData:
    """Tags and notes of several events, for the board overview (aggregates only)."""

    store_dir: Path
    events: pd.DataFrame
    notes: pd.DataFrame
    assignments: pd.DataFrame
    labels: Labels
    policy: str
    gate_messages: list[str]


def load_board(
    store_dir: str | Path,
    *,
    events: Sequence[str] = (),
    notes_paths: Sequence[str | Path] = (),
    prepare: bool = False,
    policy: str = "block",
    codebook: Codebook | None = None,
) -> BoardData:
    """Read the events the board overview covers (all in the store unless ``events`` names some).

    Every event must pass the screening gate under ``policy`` (``block`` or
    ``redact``; the board never gets ``warn``).

    Raises
    ------
    GateError
        When an event has unresolved personal-data findings under ``block``.
    NotFoundError
        For an event not in the store.
    """
    from pigan.errors import GateError, NotFoundError
    from pigan.screening import gate

    check_audience("board", policy)
    messages = []
    with Store.open(store_dir, create=prepare) as store:
        if prepare and notes_paths:
            from pigan.ingest import ingest_paths

            ingest_paths([Path(p) for p in notes_paths], store=store)
        known = [e.event_id for e in store.events()]
        chosen = list(events) or known
        missing = sorted(set(chosen) - set(known))
        if missing:
            raise NotFoundError(f"no such event(s) in {store.path}: {', '.join(missing)}")
        if not chosen:
            raise NotFoundError(f"{store.path}: no events in the store")
        for event_id in chosen:
            if prepare:
                prepare_event(store, event_id)
            verdict = gate(store, event_id, policy, audience="board")
            if not verdict.allowed:
                raise GateError(verdict.message)
            messages.append(verdict.message)
        frame = analysis.event_frame([store.event(e) for e in chosen])
        notes = store.notes_frame(list(frame["event_id"]))
        tags = pd.concat([_tags_frame(store, e) for e in frame["event_id"]], ignore_index=True)
    labels = codebook_labels(codebook)
    assignments = analysis.theme_assignments(
        tags, notes, keep_negated=labels.keep_negated, keep_hypothetical=labels.keep_hypothetical
    )
    return BoardData(Path(store_dir), frame, notes, assignments, labels, policy, messages)


def board_events_table(board: BoardData, *, k: int = 5) -> pd.DataFrame:
    """The events covered: review type, date held, notes and participants (small counts suppressed)."""
    from pigan import disclosure

    disclosure.check_k(k)
    rows = []
    for event in board.events.itertuples(index=False):
        notes, participants = analysis.note_totals(board.notes[board.notes["event_id"] == event.event_id])
        rows.append(
            {
                "event": event.event_id,
                "review type": event.review_type,
                "held on": event.held_on or "",
                "notes": _count(notes, "board", k),
                "participants": _count(participants, "board", k),
            }
        )
    return pd.DataFrame(rows, columns=["event", "review type", "held on", "notes", "participants"])


def board_prevalence(board: BoardData, *, k: int = 5) -> pd.DataFrame:
    """Per event and purpose topic: notes, participants, share, and whether it may be shown (``shown``).

    A share computed from fewer than ``k`` participants would reveal a small
    group, so it is shown only when at least ``k`` participants raised the
    topic at that event. The case story is left out: it is not a theme.
    """
    purposes = board.assignments[board.assignments["top_code"].isin(analysis.PURPOSES)]
    prevalence = analysis.event_prevalence(purposes, board.notes, board.events)
    return prevalence.assign(shown=prevalence["participants"] >= k)


def _hidden_share(value: float, shown: bool, k: int) -> str:
    if value <= 0:
        return "0%"
    return f"{value:.0%}" if shown else f"<{k}"


def recurring_topics_table(board: BoardData, *, k: int = 5) -> pd.DataFrame:
    """Purpose topics across events: events raising them, trend status, latest share, participants.

    Shares and counts resting on fewer than ``k`` participants show as ``<k``.
    """
    columns = [
        "topic",
        "purpose",
        "events raising",
        "status",
        "latest share of notes",
        "participants (all events)",
    ]
    prevalence = board_prevalence(board, k=k)
    trends = analysis.topic_trends(prevalence)
    purposes = board.assignments[board.assignments["top_code"].isin(analysis.PURPOSES)]
    totals = analysis.topic_counts(purposes, board.notes).set_index("topic")
    latest = prevalence[prevalence["event_id"] == board.events["event_id"].iloc[-1]].set_index("topic")
    rows = []
    for row in trends.to_dict("records"):
        topic = row["topic"]
        participants = int(totals.loc[topic, "participants"]) if topic in totals.index else 0
        shown = bool(latest.loc[topic, "shown"]) if topic in latest.index else False
        rows.append(
            [
                board.labels.label(topic),
                board.labels.label(row["top_code"]),
                f"{row['events_raising']} of {row['events']}",
                row["status"],
                _hidden_share(float(row["latest_share"]), shown, k),
                _count(participants, "board", k),
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def _review_type_shares(board: BoardData, *, k: int) -> pd.DataFrame:
    """Per topic and review type: mean share of notes, and participants raising it at those events."""
    prevalence = board_prevalence(board, k=k)
    by_type = analysis.prevalence_by_review_type(prevalence)
    people = prevalence.groupby(["topic", "review_type"])["participants"].sum().rename("people").reset_index()
    by_type = by_type.merge(people, on=["topic", "review_type"], how="left")
    return by_type.assign(shown=by_type["people"] >= k)


def review_type_table(board: BoardData, *, k: int = 5) -> pd.DataFrame:
    """Per purpose topic and review type: mean share of an event's notes raising it (``<k`` when small)."""
    by_type = _review_type_shares(board, k=k)
    if by_type.empty:
        return pd.DataFrame(columns=["topic"])
    cells = by_type.assign(
        cell=[
            _hidden_share(float(v), bool(shown), k)
            for v, shown in zip(by_type["mean_share"], by_type["shown"], strict=True)
        ]
    )
    table = cells.pivot(index="topic", columns="review_type", values="cell")
    order = by_type.groupby("topic")["mean_share"].max().sort_values(ascending=False, kind="stable").index
    table = table.loc[order].fillna("0%")
    table.index = pd.Index([board.labels.label(t) for t in table.index], name="topic")
    table.columns.name = None
    return table.reset_index()


def review_type_figure(board: BoardData, output_dir: str | Path, *, k: int = 5) -> ReportFigure:
    """Grouped bars of topic prevalence by review type (bars from fewer than ``k`` people left out)."""
    by_type = _review_type_shares(board, k=k)
    by_type = by_type.assign(mean_share=by_type["mean_share"].where(by_type["shown"], 0.0))
    figure = plot_prevalence_by_review_type(
        by_type, board.labels, title=f"Topics by review type (groups under {k} people not shown)"
    )
    return save_figure(figure, output_dir, "board_review_types")


def trend_figure(board: BoardData, output_dir: str | Path, *, k: int = 5, topics: int = 6) -> ReportFigure:
    """Lines of the most recurrent topics' share over the events (points from under ``k`` people left out)."""
    prevalence = board_prevalence(board, k=k)
    chosen = list(analysis.topic_trends(prevalence)["topic"].head(topics))
    masked = prevalence.assign(share=prevalence["share"].where(prevalence["shown"]))
    figure = plot_prevalence_over_time(
        masked, board.labels, title=f"Recurring topics over time (under {k} people not shown)", topics=chosen
    )
    return save_figure(figure, output_dir, "board_trends")


def purposes_over_events_figure(board: BoardData, output_dir: str | Path, *, k: int = 5) -> ReportFigure:
    """Bars of notes raising each purpose across all events, saved as ``figures/board_purposes.png``."""
    counts = analysis.purpose_counts(board.assignments, board.notes, codes=analysis.PURPOSES)
    counts = counts.loc[list(analysis.PURPOSES)]
    figure = plot_purpose_counts(counts, board.labels, title=f"Themes across {len(board.events)} events", k=k)
    return save_figure(figure, output_dir, "board_purposes")


@dataclass
class BoardOverview:
    """The board overview as data; rendered to Markdown and DOCX."""

    events: pd.DataFrame
    recurring: pd.DataFrame
    by_review_type: pd.DataFrame
    k: int
    policy: str
    figures: dict[str, ReportFigure] = field(default_factory=dict)
    title: str = "Board overview: recurring themes across reviews"

    def blocks(self) -> list[Block]:
        """The overview as document blocks (aggregates only)."""
        blocks: list[Block] = [
            Heading("Events covered", 2),
            Para(
                "Aggregates only: no excerpt, no note id, no quote attributed to an agency or role. Counts "
                f"and shares resting on fewer than {self.k} distinct participants are shown as <{self.k}. "
                f"Screening gate policy: {self.policy}."
            ),
            _frame_table(self.events),
        ]
        if "purposes" in self.figures:
            blocks.append(FigureBlock(self.figures["purposes"], "Notes raising each purpose, all events"))
        blocks.append(Heading("Recurring topics", 2))
        rising = self.recurring[self.recurring["status"].isin(["rising", "persisting"])]
        if len(rising):
            lines = [
                f"{r['topic']}: {r['status']} (raised at {r['events raising']} events)"
                for r in rising.head(8).to_dict("records")
            ]
            blocks.append(Bullets(tuple(lines)))
        blocks.append(_frame_table(self.recurring))
        if "trends" in self.figures:
            blocks.append(
                FigureBlock(self.figures["trends"], "Share of notes raising the most recurrent topics")
            )
        blocks += [Heading("By review type", 2), Para("Mean share of an event's notes raising each topic.")]
        blocks.append(_frame_table(self.by_review_type))
        if "review_types" in self.figures:
            blocks.append(FigureBlock(self.figures["review_types"], "Topics by review type"))
        return blocks

    def figure(self, name: str) -> ReportFigure | MarkdownText:
        """A figure by name (``purposes``, ``trends``, ``review_types``)."""
        return _figure_or_note(self.figures, name)

    def overview(self) -> Section:
        """The overview for the notebook (figures shown separately)."""
        return Section(self.blocks(), title=self.title)


def _frame_table(frame: pd.DataFrame) -> Table:
    return Table(tuple(str(c) for c in frame.columns), tuple(tuple(r) for r in frame.to_numpy().tolist()))


def build_board_overview(
    board: BoardData, *, k: int = 5, output_dir: str | Path | None = None
) -> BoardOverview:
    """Build the board overview (tables and, with ``output_dir``, figures): aggregates only."""
    from pigan import disclosure

    disclosure.check_k(k)
    overview = BoardOverview(
        events=board_events_table(board, k=k),
        recurring=recurring_topics_table(board, k=k),
        by_review_type=review_type_table(board, k=k),
        k=k,
        policy=board.policy,
    )
    if output_dir is not None:
        overview.figures["purposes"] = purposes_over_events_figure(board, output_dir, k=k)
        overview.figures["trends"] = trend_figure(board, output_dir, k=k)
        overview.figures["review_types"] = review_type_figure(board, output_dir, k=k)
    return overview


def write_board_overview(overview: BoardOverview, output_dir: str | Path) -> list[Path]:
    """Write ``board_overview.md`` and ``board_overview.docx``."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = overview.blocks()
    markdown = folder / "board_overview.md"
    markdown.write_text(
        f"# {escape_markdown(overview.title, line_start=False)}\n\n" + render_markdown(blocks, base=folder),
        encoding="utf-8",
    )
    return [markdown, render_docx(blocks, folder / "board_overview.docx", title=overview.title)]


# -- counts for the run manifest -------------------------------------------------------------------


def run_counts(store: Store, event_ids: Sequence[str]) -> dict[str, Any]:
    """Per event: notes, participants, quarantined rows, findings by type, unresolved, tags, flagged notes."""
    from pigan.screening import load_findings
    from pigan.tagging import load_tags

    counts: dict[str, Any] = {}
    for event_id in event_ids:
        notes = store.notes_frame([event_id])
        total, participants = analysis.note_totals(notes)
        findings = load_findings(store, event_id)
        tags = load_tags(store, event_id)
        by_type: dict[str, int] = {}
        for f in findings:
            by_type[f.type] = by_type.get(f.type, 0) + 1
        themes = tags[tags["kind"] == "theme"] if len(tags) else tags
        flags = tags[tags["kind"] == "flag"] if len(tags) else tags
        counts[event_id] = {
            "notes": total,
            "participants": participants,
            "quarantined": len(store.quarantined(event_id)),
            "findings": len(findings),
            "findings_by_type": dict(sorted(by_type.items())),
            "unresolved_findings": sum(1 for f in findings if f.decision != "false_alarm"),
            "theme_tags": len(themes),
            "notes_with_themes": int(themes["note_id"].nunique()) if len(themes) else 0,
            "flagged_notes": int(flags["note_id"].nunique()) if len(flags) else 0,
        }
    return counts
