"""Tagging notes: build the pipeline, roll sentence tags up to notes, store them, cache parses.

The pipeline is the statistical English model (``pigan.nlp.load_model``)
followed by pigan's components (see :mod:`pigan.tagging.components`). The
model's own components are shared, not copied, and the loaded model is never
changed: :func:`build_pipeline` puts them and pigan's components in a new
``Language``.

Tagging an event caches the model's parse of every note in the store table
``doc_cache`` (spaCy ``DocBin`` bytes keyed by the text's SHA-256 and
:func:`pigan.nlp.model_key`), so tagging unchanged notes again only runs
pigan's own components.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from pigan.errors import ModelError
from pigan.models import Note
from pigan.nlp import load_model, model_key
from pigan.store import Store, now_utc, text_sha256
from pigan.tagging.codebook import FLAG_CODES, Codebook, load_codebook
from pigan.tagging.components import (
    FLAGS_KEY,
    THEMES_KEY,
    SentenceClassifier,
    register_extensions,
    sentences,
    store_pooled_vectors,
    tag_info,
)

log = logging.getLogger(__name__)

# Bumped when pigan changes what the parse holds (a component before the parser), so that
# parses cached by an older pigan are not reused.
PARSE_VERSION = "2"
# pigan's components that run before the parser: part of the parse (and of its cache).
PARSE_COMPONENTS = frozenset({"pigan_sentence_marks"})

#: pigan's components, in pipeline order.
PIGAN_COMPONENTS: tuple[str, ...] = ("pigan_themes", "pigan_flags", "pigan_context", "pigan_sentences")

#: The fields of one tag, as stored and as written by ``pigan tag``.
TAG_FIELDS: tuple[str, ...] = (
    "kind",
    "code",
    "top_code",
    "start",
    "end",
    "sentence_start",
    "sentence_end",
    "rule",
    "score",
    "negated",
    "hypothetical",
)

#: Columns of :func:`load_tags`.
TAG_COLUMNS: tuple[str, ...] = (
    "event_id",
    "note_id",
    *TAG_FIELDS,
    "evidence",
    "agency",
    "role",
    "participant",
    "segment",
    "episode_date",
    "source",
    "text",
)

_CACHE_CHUNK = 512
_pipelines: dict[tuple[Any, ...], tuple[Language | None, Language]] = {}


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """One theme or flag found in a note, with its evidence offsets (end exclusive)."""

    kind: str
    code: str
    top_code: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    rule: str
    score: float
    negated: bool = False
    hypothetical: bool = False

    @property
    def counted(self) -> bool:
        """Whether the tag counts (neither negated nor hypothetical)."""
        return not self.negated and not self.hypothetical

    def to_dict(self) -> dict[str, Any]:
        """The tag in the agreed JSON shape."""
        return {
            "kind": self.kind,
            "code": self.code,
            "top_code": self.top_code,
            "start": self.start,
            "end": self.end,
            "sentence_start": self.sentence_start,
            "sentence_end": self.sentence_end,
            "rule": self.rule,
            "score": self.score,
            "negated": self.negated,
            "hypothetical": self.hypothetical,
        }


@dataclass(frozen=True)
class NoteTags:
    """What tagging found in one note.

    ``codes`` and ``topics`` come from the counted tags; ``tags`` also holds
    negated and hypothetical matches (marked so) to show why a cue did not
    count; ``scores`` is the highest sentence score of each top-level code.
    """

    id: str
    codes: list[str]
    topics: list[str]
    tags: list[Tag]
    flags: dict[str, bool]
    scores: dict[str, float]
    event_id: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The per-note result in the agreed JSON shape (``pigan tag`` output line)."""
        return {
            "id": self.id,
            "codes": list(self.codes),
            "topics": list(self.topics),
            "tags": [t.to_dict() for t in self.tags],
            "flags": dict(self.flags),
            "scores": dict(self.scores),
        }


# -- the pipeline --------------------------------------------------------------------------------


def packaged_classifier() -> Path | None:
    """The folder of the packaged sentence classifier, or None when it is not installed."""
    folder = resources.files("pigan").joinpath("resources", "textcat")
    path = Path(str(folder))
    return path if (path / "settings.json").is_file() else None


def build_pipeline(
    nlp: Language | None = None,
    *,
    codebook: Codebook | Path | str | None = None,
    classifier: bool | Path | str = True,
    context_rules: Path | str | None = None,
    flag_rules: Path | str | None = None,
) -> Language:
    """A new pipeline: the English model's components followed by pigan's.

    Parameters
    ----------
    nlp
        The base model (default :func:`pigan.nlp.load_model`). Its components
        are shared, not copied; the object itself is not changed. A blank
        pipeline (``spacy.blank("en")``) works too: rules then match words as
        written, with no lemmas, parse or sentences.
    codebook
        A codebook or the path of a codebook YAML (default: the packaged one).
    classifier
        ``True`` for the packaged sentence classifier (rules only, with a
        warning, when it is not installed), ``False`` for rules only, or the
        folder of a trained classifier.
    context_rules, flag_rules
        Paths of ``negation.yaml`` / ``blame.yaml`` replacements.

    Raises
    ------
    ConfigError
        When a rule file is invalid.
    ModelError
        When the base model or a named classifier folder cannot be loaded.
    """
    import spacy

    register_extensions()
    base = nlp if nlp is not None else load_model()
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    pipeline = spacy.blank(base.lang or "en", vocab=base.vocab)
    pipeline.tokenizer = base.tokenizer
    for name in base.pipe_names:
        pipeline.add_pipe(name, source=base)
    if "parser" in pipeline.pipe_names:
        pipeline.add_pipe("pigan_sentence_marks", before="parser")
    pipeline.meta.update({k: base.meta[k] for k in ("lang", "name", "version") if k in base.meta})
    pipeline.meta["pigan_parse"] = PARSE_VERSION
    pipeline.meta["pigan_codebook"] = book.version

    themes = pipeline.add_pipe("pigan_themes")
    themes.initialize(codebook=book)  # type: ignore[attr-defined]
    flags = pipeline.add_pipe("pigan_flags")
    flags.initialize(rules=flag_rules)  # type: ignore[attr-defined]
    context = pipeline.add_pipe("pigan_context")
    context.initialize(  # type: ignore[attr-defined]
        rules=context_rules,
        keep_negated=[c.id for c in book.codes if c.keep_negated] + list(FLAG_CODES),
        keep_hypothetical=[c.id for c in book.codes if c.keep_hypothetical] + list(FLAG_CODES),
    )
    if classifier is not False:
        folder = packaged_classifier() if classifier is True else Path(classifier)
        if folder is None:
            log.warning("the packaged sentence classifier is not installed: tagging with rules only")
        else:
            sentences_pipe = pipeline.add_pipe("pigan_sentences")
            sentences_pipe.initialize(model=folder)  # type: ignore[attr-defined]
            unknown = [c for c in book.code_ids if c not in sentences_pipe.labels]  # type: ignore[attr-defined]
            if unknown:
                log.info("codes the classifier does not know are left to the rules: %s", ", ".join(unknown))
    return pipeline


def get_pipeline(
    nlp: Language | None = None,
    *,
    codebook: Codebook | Path | str | None = None,
    classifier: bool | Path | str = True,
) -> Language:
    """The pipeline for these arguments, built once per process and then reused.

    ``nlp`` may also be a pipeline that already has pigan's components: it is
    returned as it is.
    """
    if nlp is not None and "pigan_themes" in nlp.pipe_names:
        return nlp
    if isinstance(codebook, Codebook):
        book_key: Any = ("codebook", codebook.sha256 or id(codebook))
    else:
        book_key = ("path", str(Path(codebook).resolve()) if codebook is not None else None)
    key = (id(nlp) if nlp is not None else None, book_key, str(classifier))
    cached = _pipelines.get(key)
    if cached is None:
        cached = (nlp, build_pipeline(nlp, codebook=codebook, classifier=classifier))
        _pipelines[key] = cached  # holds ``nlp`` so that its id is not reused
    return cached[1]


def pipeline_codebook(pipeline: Language) -> Codebook:
    """The codebook loaded in a pigan pipeline."""
    book = pipeline.get_pipe("pigan_themes").codebook  # type: ignore[attr-defined]
    if book is None:
        raise ModelError("the pipeline's pigan_themes component has no codebook")
    return book


def pipeline_model_id(pipeline: Language) -> str:
    """The base model key plus the sentence classifier's id, for tag runs and manifests."""
    parts = [model_key(pipeline)]
    if "pigan_sentences" in pipeline.pipe_names:
        classifier: SentenceClassifier = pipeline.get_pipe("pigan_sentences")  # type: ignore[assignment]
        parts.append(f"pigan_textcat-{classifier.settings.get('model_id', '?')}")
    else:
        parts.append("rules-only")
    return "+".join(parts)


# -- from docs to tags -----------------------------------------------------------------------------


def note_tags(doc: Doc, note_id: str, codebook: Codebook, *, event_id: str | None = None) -> NoteTags:
    """Roll a processed doc's sentence-level spans up to the note's result."""
    sents = sentences(doc)
    bounds = [(s.start, s.end, s.start_char, s.end_char) for s in sents]
    whole = (0, len(doc), 0, doc[-1].idx + len(doc[-1]) if len(doc) else 0)
    keep_negated = {c.id for c in codebook.codes if c.keep_negated}
    keep_hypothetical = {c.id for c in codebook.codes if c.keep_hypothetical}
    tags: list[Tag] = []
    for key, kind in ((THEMES_KEY, "theme"), (FLAGS_KEY, "flag")):
        if key not in doc.spans:
            continue
        for span in doc.spans[key]:
            info = tag_info(span)
            top = span.label_.split(".")[0]
            # Readers count a negated tag of a keep_negated code (and likewise for
            # hypotheticals); such a tag was ruled out ("no concerns about"), so it
            # is left out rather than shown as evidence.
            if (info["negated"] and top in keep_negated) or (
                info["hypothetical"] and top in keep_hypothetical
            ):
                continue
            sent = next((b for b in bounds if b[0] <= span.start < b[1]), whole)
            tags.append(
                Tag(
                    kind=kind,
                    code=span.label_,
                    top_code=span.label_.split(".")[0],
                    start=span.start_char,
                    end=span.end_char,
                    sentence_start=sent[2],
                    sentence_end=sent[3],
                    rule=str(info["rule"]),
                    score=round(float(info["score"]), 4),
                    negated=bool(info["negated"]),
                    hypothetical=bool(info["hypothetical"]),
                )
            )
    tags.sort(key=lambda t: (t.start, t.end, codebook.order(t.code), t.code))
    counted = [t for t in tags if t.counted]
    themes = [t for t in counted if t.kind == "theme"]
    codes = sorted({t.top_code for t in themes}, key=codebook.order)
    topics = sorted({t.code for t in themes if "." in t.code}, key=codebook.order)
    flags = {flag: any(t.code == flag for t in counted if t.kind == "flag") for flag in FLAG_CODES}
    scores: dict[str, float] = {}
    for _, _, row in doc._.pigan_sentence_scores or []:
        for label, score in row.items():
            if label in codebook.code_ids:
                scores[label] = max(scores.get(label, 0.0), float(score))
    for tag in themes:
        if tag.top_code not in scores:
            scores[tag.top_code] = max(scores.get(tag.top_code, 0.0), tag.score)
    ordered = {c: round(scores[c], 4) for c in sorted(scores, key=codebook.order)}
    return NoteTags(note_id, codes, topics, tags, flags, ordered, event_id=event_id)


def tag_texts(
    texts: Iterable[str],
    *,
    codebook: Codebook | Path | str | None = None,
    nlp: Language | None = None,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[NoteTags]:
    """Tag plain texts; the result ids are their positions ("0", "1", ...)."""
    notes = (Note(event_id="texts", note_id=str(i), text=t) for i, t in enumerate(texts))
    yield from tag_notes(notes, codebook=codebook, nlp=nlp, batch_size=batch_size, n_process=n_process)


def tag_notes(
    notes: Iterable[Note],
    *,
    codebook: Codebook | Path | str | None = None,
    nlp: Language | None = None,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[NoteTags]:
    """Tag notes as a stream: one :class:`NoteTags` per note, in order.

    Docs are processed with ``nlp.pipe`` in batches and dropped once rolled
    up, so memory stays flat however many notes there are.

    Parameters
    ----------
    notes
        Any iterable of notes (a generator is fine).
    codebook
        A codebook or a codebook YAML path (default: the packaged codebook).
    nlp
        The base model, or a pipeline from :func:`build_pipeline`.
    batch_size
        Docs per ``nlp.pipe`` batch.
    n_process
        Worker processes for spaCy (``n_process``).
    """
    pipeline = get_pipeline(nlp, codebook=codebook)
    book = pipeline_codebook(pipeline)
    stream = ((note.text, note) for note in notes)
    for doc, note in pipeline.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield note_tags(doc, note.note_id, book, event_id=note.event_id)


def tag_event(
    store: Store,
    event_id: str,
    *,
    codebook: Codebook | Path | str | None = None,
    nlp: Language | None = None,
    use_cache: bool = True,
    batch_size: int = 64,
    n_process: int = 1,
) -> list[NoteTags]:
    """Tag an event's current notes and store the tags (tables ``tags`` and ``tag_runs``).

    The event's previous tags are replaced in one transaction. With
    ``use_cache`` the model's parse of each note is read from, or written
    to, the store's ``doc_cache``, so a second run on unchanged notes only
    runs pigan's components.

    Raises
    ------
    NotFoundError
        When the event is not in the store.
    """
    notes = store.notes(event_id)
    pipeline = get_pipeline(nlp, codebook=codebook)
    book = pipeline_codebook(pipeline)
    key = model_key(pipeline)
    started = time.perf_counter()
    results: list[NoteTags] = []
    hits = 0
    for offset in range(0, len(notes), _CACHE_CHUNK):
        chunk = notes[offset : offset + _CACHE_CHUNK]
        shas = [text_sha256(note.text) for note in chunk]
        cached = _cache_get(store, key, shas) if use_cache else {}
        hits += sum(1 for sha in shas if sha in cached)
        docs: list[Doc | None] = [
            _doc_from_bytes(pipeline, cached[sha]) if sha in cached else None for sha in shas
        ]
        missing = [i for i, doc in enumerate(docs) if doc is None]
        parsed = parse_texts(
            pipeline, [chunk[i].text for i in missing], batch_size=batch_size, n_process=n_process
        )
        fresh: list[tuple[str, str, bytes]] = []
        for i, doc in zip(missing, parsed, strict=True):
            docs[i] = doc
            if use_cache:
                fresh.append((shas[i], key, _doc_to_bytes(doc)))
        if fresh:
            with store.transaction() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO doc_cache (text_sha256, model_key, docbin) VALUES (?, ?, ?)",
                    fresh,
                )
        ready = [doc for doc in docs if doc is not None]
        for note, doc in zip(chunk, apply_pigan(pipeline, ready, batch_size=batch_size), strict=True):
            results.append(note_tags(doc, note.note_id, book, event_id=event_id))
    _write_tags(store, event_id, notes, results, book, pipeline)
    log.info(
        "tagged event %s: %d notes (%d parses from cache) in %.2fs",
        event_id,
        len(notes),
        hits,
        time.perf_counter() - started,
    )
    return results


def parse_texts(
    pipeline: Language, texts: Sequence[str], *, batch_size: int = 64, n_process: int = 1
) -> list[Doc]:
    """Run the base model's components, and pigan's that shape the parse, over texts."""
    if not texts:
        return []
    pigan = [name for name in pipeline.pipe_names if _after_parse(name)]
    with pipeline.select_pipes(disable=pigan):
        return list(pipeline.pipe(texts, batch_size=batch_size, n_process=n_process))


def _after_parse(name: str) -> bool:
    """Whether a component is one of pigan's that reads the parse (not one that shapes it)."""
    return name.startswith("pigan_") and name not in PARSE_COMPONENTS


def apply_pigan(pipeline: Language, docs: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
    """Run only pigan's components over docs the base model already parsed."""
    stream: Iterator[Doc] = iter(docs)
    for name, component in pipeline.pipeline:
        if not _after_parse(name):
            continue
        if hasattr(component, "pipe"):
            stream = component.pipe(stream, batch_size=batch_size)
        else:
            stream = map(component, stream)
    return stream


def load_tags(store: Store, event_id: str, *, include_uncounted: bool = False) -> pd.DataFrame:
    """The event's stored tags, one row per tag, with the note's fields joined.

    Columns are :data:`TAG_COLUMNS`; ``evidence`` is the text the tag points
    at. Negated and hypothetical matches are left out unless
    ``include_uncounted``; every remaining row counts.

    Raises
    ------
    NotFoundError
        When the event is not in the store.
    """
    notes = {note.note_id: note for note in store.notes(event_id)}
    rows = store.connection.execute(
        "SELECT note_id, payload_json FROM tags WHERE event_id = ? ORDER BY rowid", (event_id,)
    ).fetchall()
    records: list[dict[str, Any]] = []
    for note_id, payload in rows:
        tag = json.loads(payload)
        if not include_uncounted and (tag.get("negated") or tag.get("hypothetical")):
            continue
        note = notes.get(note_id)
        record = {"event_id": event_id, "note_id": note_id, **tag}
        if note is not None:
            record.update(
                agency=note.agency,
                role=note.role,
                participant=note.participant,
                segment=note.segment,
                episode_date=note.episode_date,
                source=note.source,
                text=note.text,
                evidence=note.text[tag["start"] : tag["end"]],
            )
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(TAG_COLUMNS))


# -- output ---------------------------------------------------------------------------------------------

#: Columns of ``pigan tag --format csv``: one row per tag (a note without tags: one row, tag cells empty).
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "codes",
    "topics",
    "blame",
    "singling_out",
    "scores",
    *TAG_FIELDS,
)


def tag_file(
    path: Path | str,
    *,
    codebook: Codebook | Path | str | None = None,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[NoteTags]:
    """Tag a notes file directly, without the store (any format :func:`pigan.ingest.read_notes` reads).

    Rows the reader quarantines are reported (file, row and reason, never
    their text) as warnings and not tagged.

    Raises
    ------
    InputError
        When the file cannot be read at all.
    """
    from pigan.ingest import read_notes

    result = read_notes(path)
    for row in result.quarantined:
        log.warning("%s %s: not tagged (%s)", row.source, row.row_ref, row.reason)
    return tag_notes(result.notes, codebook=codebook, batch_size=batch_size, n_process=n_process)


def format_results(results: Iterable[NoteTags], fmt: str) -> Iterator[str]:
    """The ``pigan tag`` output, a line (JSONL) or a row (CSV) at a time.

    CSV cells that a spreadsheet would read as a formula are neutralised
    (:func:`pigan.export.neutralise_cell`).
    """
    if fmt == "jsonl":
        for result in results:
            yield json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
        return
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}")
    import csv
    import io

    from pigan.export import neutralise_cell

    def row(values: Sequence[Any]) -> str:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerow(
            [neutralise_cell(v if isinstance(v, str) else json.dumps(v)) for v in values]
        )
        return buffer.getvalue()

    yield row(CSV_COLUMNS)
    for result in results:
        note = [
            result.id,
            ";".join(result.codes),
            ";".join(result.topics),
            result.flags.get("blame", False),
            result.flags.get("singling_out", False),
            ";".join(f"{code}:{score:.4f}" for code, score in result.scores.items()),
        ]
        if not result.tags:
            yield row([*note, *([""] * (len(CSV_COLUMNS) - len(note)))])
        for tag in result.tags:
            d = tag.to_dict()
            yield row([*note, *(d[c] for c in CSV_COLUMNS[len(note) :])])


def write_results(results: Iterable[NoteTags], fmt: str, out: Path | None = None) -> int:
    """Stream the ``pigan tag`` output to ``out`` (written atomically) or to stdout; return the note count."""
    import os
    import sys
    import tempfile

    count = 0

    def counted() -> Iterator[NoteTags]:
        nonlocal count
        for result in results:
            count += 1
            yield result

    if out is None:
        for chunk in format_results(counted(), fmt):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return count
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            for chunk in format_results(counted(), fmt):
                handle.write(chunk)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


# -- storage helpers ---------------------------------------------------------------------------------


def _write_tags(
    store: Store,
    event_id: str,
    notes: Sequence[Note],
    results: Sequence[NoteTags],
    codebook: Codebook,
    pipeline: Language,
) -> None:
    rows = [
        (
            event_id,
            result.id,
            tag.kind,
            tag.code,
            tag.start,
            tag.end,
            tag.rule,
            tag.score,
            json.dumps(tag.to_dict()),
        )
        for result in results
        for tag in result.tags
    ]
    digest = hashlib.sha256()
    for note in sorted(notes, key=lambda n: n.note_id):
        digest.update(f"{note.note_id}\t{text_sha256(note.text)}\n".encode())
    with store.transaction() as db:
        db.execute("DELETE FROM tags WHERE event_id = ?", (event_id,))
        db.executemany(
            "INSERT INTO tags (event_id, note_id, kind, code, start, end, rule, score, payload_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "INSERT OR REPLACE INTO tag_runs (event_id, codebook_version, model, tagged_at, notes_sha256) "
            "VALUES (?, ?, ?, ?, ?)",
            (event_id, codebook.version, pipeline_model_id(pipeline), now_utc(), digest.hexdigest()),
        )


def _cache_get(store: Store, key: str, shas: Sequence[str]) -> dict[str, bytes]:
    wanted = sorted(set(shas))
    found: dict[str, bytes] = {}
    for offset in range(0, len(wanted), 500):
        part = wanted[offset : offset + 500]
        marks = ", ".join("?" for _ in part)
        for sha, blob in store.connection.execute(
            f"SELECT text_sha256, docbin FROM doc_cache WHERE model_key = ? AND text_sha256 IN ({marks})",
            (key, *part),
        ):
            found[sha] = bytes(blob)
    return found


def _doc_to_bytes(doc: Doc) -> bytes:
    store_pooled_vectors(doc)
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    data: bytes = docbin.to_bytes()
    return data


def _doc_from_bytes(pipeline: Language, data: bytes) -> Doc:
    """Read one cached doc: the same bytes as ``DocBin().from_bytes(data)``, read faster.

    ``DocBin.from_bytes`` (and its reading of user data) looks up msgpack
    decoders through package entry points on every call, about a millisecond
    each, which would dominate a warm run. The cache holds only plain values
    (no NumPy objects), so it is read here with msgpack directly; anything
    unexpected falls back to ``DocBin``.
    """
    try:
        return _read_docbin_fast(pipeline, data)
    except (KeyError, ValueError, TypeError, IndexError, zlib.error):
        return next(iter(DocBin().from_bytes(data).get_docs(pipeline.vocab)))


def _read_docbin_fast(pipeline: Language, data: bytes) -> Doc:
    from spacy.attrs import ORTH
    from srsly.msgpack import unpackb

    msg = unpackb(zlib.decompress(data), raw=False, use_list=True, object_pairs_hook=dict)
    attrs = msg["attrs"]
    lengths = np.frombuffer(msg["lengths"], dtype="int32")
    if len(lengths) != 1:
        raise ValueError("expected one doc")
    tokens = np.frombuffer(msg["tokens"], dtype="uint64").reshape((-1, len(attrs)))
    spaces = np.frombuffer(msg["spaces"], dtype=bool)
    vocab = pipeline.vocab
    for string in msg["strings"]:
        vocab.strings.add(string)
    flags = msg.get("flags", [{}])[0]
    words = [vocab.strings[int(orth)] for orth in tokens[:, attrs.index(ORTH)]]
    doc = Doc(vocab, words=words, spaces=None if flags.get("has_unknown_spaces") else spaces.tolist())
    doc = doc.from_array(attrs, tokens.copy())  # type: ignore[arg-type]
    doc.cats = msg["cats"][0]
    groups = msg.get("span_groups", [b""])[0]
    if groups:
        doc.spans.from_bytes(groups)
    user_data = msg.get("user_data", [None])[0]
    if user_data is not None:
        doc.user_data.update(unpackb(user_data, raw=False, use_list=False, object_pairs_hook=dict))
    return doc


__all__ = [
    "CSV_COLUMNS",
    "PIGAN_COMPONENTS",
    "TAG_COLUMNS",
    "NoteTags",
    "Tag",
    "apply_pigan",
    "build_pipeline",
    "format_results",
    "get_pipeline",
    "load_tags",
    "note_tags",
    "packaged_classifier",
    "parse_texts",
    "pipeline_codebook",
    "pipeline_model_id",
    "tag_event",
    "tag_file",
    "tag_notes",
    "tag_texts",
    "write_results",
]
