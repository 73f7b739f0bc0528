"""Place notes inside the texts of another tool's sources, and split notes into sentences.

A human coder's selection is an offset range in a source text of their tool.
That source may be pigan's own export (one note per source), or a document
holding many notes (a facilitator's notes typed up, say). A source is
matched to notes by pigan's GUID or note id when it has one, else by text;
each note found inside a source's text becomes a :class:`Placement`, and a
selection maps to a note only when it lies inside exactly one note's
placement. Tools may turn CRLF into LF; texts are compared with line endings
normalised and offsets translated back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pigan.interop.refi_export import source_guid
from pigan.interop.refi_read import RefiSource
from pigan.models import Note

if TYPE_CHECKING:
    from spacy.language import Language

Span = tuple[int, int]


class NewlineText:
    """A text with its line endings normalised to LF, and offset maps both ways.

    ``to_norm(i)`` maps an offset of the original to the normalised text;
    ``to_orig(k)`` maps back, to where the normalised character ``k`` begins
    (for a CRLF, the CR), so a range ending before a line break stays before it.
    """

    def __init__(self, text: str) -> None:
        self.orig = text
        if "\r" not in text:
            self.norm = text
            self._to_orig: list[int] | None = None
            self._to_norm: list[int] | None = None
            return
        chars: list[str] = []
        to_orig: list[int] = []
        to_norm: list[int] = []
        i = 0
        while i < len(text):
            to_norm.append(len(chars))
            if text[i] == "\r":
                to_orig.append(i)
                chars.append("\n")
                if i + 1 < len(text) and text[i + 1] == "\n":
                    to_norm.append(len(chars) - 1)
                    i += 1
            else:
                to_orig.append(i)
                chars.append(text[i])
            i += 1
        to_orig.append(len(text))
        to_norm.append(len(chars))
        self.norm = "".join(chars)
        self._to_orig = to_orig
        self._to_norm = to_norm

    def to_norm(self, offset: int) -> int:
        """The normalised offset of an original offset."""
        return offset if self._to_norm is None else self._to_norm[offset]

    def to_orig(self, offset: int) -> int:
        """The original offset of a normalised offset."""
        return offset if self._to_orig is None else self._to_orig[offset]


@dataclass(frozen=True)
class Placement:
    """A note found in a source: normalised source range ``[start, end)``."""

    note_id: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceLayout:
    """Where a source's notes are, or why none could be placed."""

    source: RefiSource
    text: NewlineText | None
    placements: tuple[Placement, ...]
    problem: str | None = None


@dataclass(frozen=True)
class Located:
    """A selection mapped into a note, or the reason it could not be."""

    note_id: str | None
    start: int = -1
    end: int = -1
    reason: str | None = None


class NoteIndex:
    """An event's notes, looked up by pigan's source GUID, by note id and by text."""

    def __init__(self, notes: Sequence[Note], event_id: str) -> None:
        self.texts = {note.note_id: NewlineText(note.text) for note in notes}
        self.by_guid = {source_guid(event_id, note.note_id): note.note_id for note in notes}
        self.by_text: dict[str, list[str]] = {}
        for note_id, text in self.texts.items():
            self.by_text.setdefault(text.norm, []).append(note_id)


def layout_source(source: RefiSource, index: NoteIndex) -> SourceLayout:
    """Find the event's notes in one source's text."""
    if source.text is None:
        return SourceLayout(source, None, (), source.problem or "no text")
    text = NewlineText(source.text)
    # 1. pigan's own source (by GUID or name) holding the note text unchanged.
    own = index.by_guid.get(source.guid) or (source.name if source.name in index.texts else None)
    if own is not None and index.texts[own].norm == text.norm:
        return SourceLayout(source, text, (Placement(own, 0, len(text.norm)),))
    # 2. a source that is exactly one note's text.
    same = index.by_text.get(text.norm, [])
    if len(same) == 1:
        return SourceLayout(source, text, (Placement(same[0], 0, len(text.norm)),))
    if len(same) > 1:
        return SourceLayout(source, text, (), f"its text is the text of {len(same)} notes")
    # 3. a document holding several notes: every occurrence of every note text.
    found = []
    for note_id, nt in index.texts.items():
        if not nt.norm.strip():
            continue
        at = text.norm.find(nt.norm)
        while at != -1:
            found.append(Placement(note_id, at, at + len(nt.norm)))
            at = text.norm.find(nt.norm, at + 1)
    # A short note's text inside a longer note's ("Yes." within a sentence) is not that note.
    placements = [
        p
        for p in found
        if not any(q.start <= p.start and p.end <= q.end and q.end - q.start > p.end - p.start for q in found)
    ]
    if not placements:
        if own is not None:
            return SourceLayout(source, text, (), "its note's text differs from the note in the store")
        return SourceLayout(source, text, (), "no note of the event is found in its text")
    placements.sort(key=lambda p: (p.start, p.end))
    return SourceLayout(source, text, tuple(placements))


def locate(layout: SourceLayout, start: int, end: int, index: NoteIndex) -> Located:
    """Map a selection ``[start, end)`` of the source (its own offsets) into a note."""
    if layout.text is None or not layout.placements:
        return Located(None, reason=f"source not matched to notes: {layout.problem}")
    length = len(layout.text.orig)
    if not 0 <= start < end <= length:
        return Located(None, reason="offsets outside the source text")
    a, b = layout.text.to_norm(start), layout.text.to_norm(end)
    inside = [p for p in layout.placements if p.start <= a and b <= p.end]
    notes_inside = {p.note_id for p in inside}
    if len(notes_inside) > 1:
        return Located(None, reason="ambiguous: inside text that several notes share")
    if not inside:
        touching = {p.note_id for p in layout.placements if p.start < b and a < p.end}
        if touching:
            return Located(None, reason="runs past the end of a note (into another note or other text)")
        return Located(None, reason="outside any note (a heading or text that is not a note)")
    place = inside[0]
    note_text = index.texts[place.note_id]
    note_start = note_text.to_orig(a - place.start)
    note_end = note_text.to_orig(b - place.start)
    return Located(place.note_id, note_start, note_end)


def sentence_spans(texts: Sequence[str], nlp: Language) -> list[list[Span]]:
    """The sentences of each text as ``(start, end)`` character spans, by the spaCy model's parser."""
    disable = [name for name in ("ner",) if name in nlp.pipe_names]
    return [
        [(sent.start_char, sent.end_char) for sent in doc.sents]
        for doc in nlp.pipe(texts, disable=disable, batch_size=64)
    ]


def overlapping(sentences: Iterable[Span], start: int, end: int, text: str) -> list[int]:
    """Indexes of the sentences that share a non-space character with ``[start, end)``."""
    found = []
    for index, (s, e) in enumerate(sentences):
        lo, hi = max(s, start), min(e, end)
        if lo < hi and text[lo:hi].strip():
            found.append(index)
    return found
