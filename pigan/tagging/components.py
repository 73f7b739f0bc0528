"""pigan's spaCy pipeline components, registered with ``Language.factory``.

Four components run after the statistical English model, in this order:

``pigan_themes``    finds codebook cues and token patterns and puts one span per
                    match in ``doc.spans["pigan_themes"]`` (label: the topic id,
                    e.g. ``"context.workload"``).
``pigan_flags``     finds blame language and singling out and puts spans in
                    ``doc.spans["pigan_flags"]`` (label ``"blame"`` or
                    ``"singling_out"``).
``pigan_context``   marks theme and flag spans that sit inside a negated or
                    hypothetical stretch of their sentence (NegEx-style cues).
``pigan_sentences`` a trained ``textcat_multilabel`` model scores every
                    sentence for the top-level codes (and blame), reading the
                    words and the rule matches as features; it keeps the rule
                    spans it confirms, drops those it does not, and adds a
                    sentence-long span for a code it finds without a cue.

One more, ``pigan_sentence_marks``, runs *before* the parser: a blank line
always ends a sentence (a note that joins two cells, a list typed without
full stops), and a sentence never starts just after a note-taker's
abbreviation ("incl.", "approx.", "re.", "etc.") when the next word is lower
case or a number.

Every span carries, through the extension attributes declared in
:data:`EXTENSIONS`, the rule or model that made it (``span._.pigan_rule``), a
score in [0, 1] (``span._.pigan_score``) and whether it is negated or
hypothetical (``span._.pigan_negated``, ``span._.pigan_hypothetical``). The
values live in one JSON-friendly dict on the doc (``doc._.pigan_tag_info``, kept in
``doc.user_data`` so that the components reach it without the extension machinery)
keyed by offsets and label, because overlapping spans with the same offsets
and different labels must keep separate values.

Factories are thin and their config holds only scalars; the rules arrive
through ``initialize`` (or ``add_*``) from the YAML files, and every component
writes them with ``to_disk`` and reads them back with ``from_disk``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch, registry

from pigan.errors import ConfigError, ModelError
from pigan.tagging.codebook import (
    Codebook,
    ContextRules,
    FlagRules,
    codebook_from_dict,
    context_rules_from_dict,
    flag_rules_from_dict,
    load_codebook,
    load_context_rules,
    load_flag_rules,
)

log = logging.getLogger(__name__)

#: The span groups pigan writes.
THEMES_KEY = "pigan_themes"
FLAGS_KEY = "pigan_flags"

#: Bump when :func:`sentence_features` changes: a model trained on other features must be retrained.
FEATURES_VERSION = 1

# Entity types replaced by a placeholder in the classifier's features, so that
# the model learns "a date" rather than "March 2021", and never a name.
_PLACEHOLDER_ENTS = {
    "DATE": "xx_date",
    "TIME": "xx_time",
    "CARDINAL": "xx_num",
    "ORDINAL": "xx_num",
    "QUANTITY": "xx_num",
    "MONEY": "xx_num",
    "PERCENT": "xx_num",
    "PERSON": "xx_person",
    "GPE": "xx_place",
    "LOC": "xx_place",
    "FAC": "xx_place",
}
_KEPT_PUNCT = {"?", "!", ";", ":"}
#: ``doc.user_data`` key of the spans' recorded values (read through ``doc._.pigan_tag_info``).
TAG_INFO_KEY = "pigan_tag_info"
#: ``doc.user_data`` key of the annotations a doc has (``has_annotation``), worked out once per doc.
ANNOTATIONS_KEY = "pigan_annotations"
#: ``doc.user_data`` key of the sentence boundaries (token offsets) worked out once per doc.
SENTENCES_KEY = "pigan_sentence_bounds"
#: ``doc.user_data`` key of the per-sentence pooled token vectors kept in the parse cache.
POOLED_KEY = "pigan_pooled_vectors"
_ANNOTATED_ATTRS = {"LEMMA", "POS", "TAG", "DEP", "MORPH"}


# -- extensions: every custom attribute pigan declares, in one table ---------------------


def _info_key(span: Span) -> str:
    return f"{span.start_char}:{span.end_char}:{span.label_}"


def _info_of(span: Span) -> dict[str, Any]:
    store = span.doc.user_data.get(TAG_INFO_KEY) or {}
    info: dict[str, Any] = store.get(_info_key(span), {})
    return info


EXTENSIONS: dict[tuple[type, str], dict[str, Any]] = {
    # {"<start_char>:<end_char>:<label>": {"rule", "score", "negated", "hypothetical"}}
    (Doc, "pigan_tag_info"): {"getter": lambda doc: doc.user_data.get(TAG_INFO_KEY)},
    # [[kind, start_token, end_token], ...] negation/hypothetical cues found by pigan_context
    (Doc, "pigan_context_cues"): {"default": None},
    # [[sentence_start_char, sentence_end_char, {label: score}], ...] from pigan_sentences
    (Doc, "pigan_sentence_scores"): {"default": None},
    (Span, "pigan_rule"): {"getter": lambda span: _info_of(span).get("rule", "")},
    (Span, "pigan_score"): {"getter": lambda span: float(_info_of(span).get("score", 0.0))},
    (Span, "pigan_negated"): {"getter": lambda span: bool(_info_of(span).get("negated", False))},
    (Span, "pigan_hypothetical"): {"getter": lambda span: bool(_info_of(span).get("hypothetical", False))},
}


def register_extensions() -> None:
    """Declare pigan's ``Doc``/``Span`` extensions (safe to call again)."""
    for (cls, name), options in EXTENSIONS.items():
        if not cls.has_extension(name):  # type: ignore[attr-defined]
            cls.set_extension(name, **options)  # type: ignore[attr-defined]


def set_tag_info(span: Span, **values: Any) -> None:
    """Record or update a span's rule, score, negated and hypothetical values."""
    doc = span.doc
    store = doc.user_data.get(TAG_INFO_KEY)
    if store is None:
        store = {}
        doc.user_data[TAG_INFO_KEY] = store
    entry = store.setdefault(
        _info_key(span), {"rule": "", "score": 0.0, "negated": False, "hypothetical": False}
    )
    entry.update(values)


def tag_info(span: Span) -> dict[str, Any]:
    """A span's recorded values: ``rule``, ``score``, ``negated``, ``hypothetical``."""
    info = {"rule": "", "score": 0.0, "negated": False, "hypothetical": False}
    info.update(_info_of(span))
    return info


def counts(span: Span) -> bool:
    """Whether a tag span counts: neither negated nor hypothetical."""
    info = _info_of(span)
    return not info.get("negated", False) and not info.get("hypothetical", False)


def has_annotation(doc: Doc, attr: str) -> bool:
    """``doc.has_annotation(attr)``, worked out once per doc (spaCy checks every token each time)."""
    known = doc.user_data.get(ANNOTATIONS_KEY)
    if known is None or known.get("_length") != len(doc):
        known = {"_length": len(doc)}
        doc.user_data[ANNOTATIONS_KEY] = known
    if attr not in known:
        known[attr] = bool(doc.has_annotation(attr))
    return bool(known[attr])


def sentences(doc: Doc) -> list[Span]:
    """The doc's sentences, or the whole doc as one when nothing set sentence boundaries.

    The boundaries are worked out once per doc and kept in ``doc.user_data``
    (every pigan component needs them).
    """
    if len(doc) == 0:
        return []
    bounds = doc.user_data.get(SENTENCES_KEY)
    if bounds is None or (bounds and bounds[-1][1] != len(doc)):
        if has_annotation(doc, "SENT_START") or has_annotation(doc, "DEP"):
            bounds = [(sent.start, sent.end) for sent in doc.sents]
        else:
            bounds = [(0, len(doc))]
        doc.user_data[SENTENCES_KEY] = bounds
    return [doc[start:end] for start, end in bounds]


def _sentence_index(doc: Doc, sents: Sequence[Span]) -> list[int]:
    index = [0] * len(doc)
    for number, sent in enumerate(sents):
        for i in range(sent.start, sent.end):
            index[i] = number
    return index


# -- phrase cues matched as written and by lemma ----------------------------------------------


class CueMatcher:
    """Match phrases case-insensitively against the words as written and against their lemmas.

    Parameters
    ----------
    nlp
        The pipeline whose tokenizer splits the phrases the way it splits notes.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._keys: dict[int, tuple[str, str]] = {}

    def add(self, label: str, phrases: Iterable[str]) -> None:
        """Add phrases under a label."""
        for phrase in phrases:
            key = f"{label}\t{phrase}"
            words = [t.text.lower() for t in self.nlp.make_doc(phrase.lower()) if not t.is_space]
            if not words:
                continue
            match_id = self.nlp.vocab.strings.add(key)
            self._keys[match_id] = (label, phrase)
            self._lower.add(key, [Doc(self.nlp.vocab, words=words)])
            self._lemma.add(key, [Doc(self.nlp.vocab, words=words, lemmas=words)])

    def __len__(self) -> int:
        return len(self._keys)

    def __call__(self, doc: Doc) -> list[tuple[str, str, int, int]]:
        """Matches as ``(label, phrase, start, end)`` token offsets, without duplicates."""
        if not self._keys:
            return []
        found = set(self._lower(doc))
        if has_annotation(doc, "LEMMA"):
            found.update(self._lemma(doc))
        return sorted(
            (self._keys[m][0], self._keys[m][1], start, end) for m, start, end in found if m in self._keys
        )


class _PatternMatcher:
    """spaCy Matcher patterns, run only on docs that have the annotations and the words they need.

    Each pattern's most selective required token gives its anchor: the
    values one of which must occur in the doc for the pattern to match (a
    ``LOWER``/``ORTH`` word or ``IN`` list, else a ``LEMMA``, else an
    ``ENT_TYPE``). When no pattern's anchor is in the doc, the matcher is not
    run at all (most notes hold none).
    """

    def __init__(self, vocab: Any) -> None:
        self._plain = Matcher(vocab, validate=True)
        self._annotated = Matcher(vocab, validate=True)
        self._needs: set[str] = set()
        self._vocab = vocab
        self._anchors: dict[str, dict[str, set[int]] | None] = {"plain": {}, "annotated": {}}

    def add(self, key: str, pattern: list[dict[str, Any]]) -> None:
        attrs = {name.upper() for token in pattern for name in token}
        kind = "annotated" if attrs & _ANNOTATED_ATTRS else "plain"
        if kind == "annotated":
            self._needs.update(attrs & _ANNOTATED_ATTRS)
        (self._annotated if kind == "annotated" else self._plain).add(key, [pattern], greedy="LONGEST")
        anchor = _anchor(pattern)
        known = self._anchors[kind]
        if anchor is None or known is None:
            self._anchors[kind] = None
        else:
            attr, values = anchor
            known.setdefault(attr, set()).update(get_string_id(value) for value in values)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        found: list[tuple[int, int, int]] = []
        present: dict[str, set[int]] = {}
        for kind, matcher in (("plain", self._plain), ("annotated", self._annotated)):
            if not len(matcher):
                continue
            if kind == "annotated" and not all(has_annotation(doc, a) for a in self._needs):
                continue
            anchors = self._anchors[kind]
            if anchors is not None:
                for attr in anchors:
                    if attr not in present:
                        present[attr] = set(doc.to_array(attr).tolist())
                if not any(values & present[attr] for attr, values in anchors.items()):
                    continue
            found.extend(matcher(doc))
        strings = self._vocab.strings
        return [(strings[m], start, end) for m, start, end in found]


# Which token attributes can anchor a pattern, most selective first; words are compared lower-cased.
_ANCHOR_ATTRS = (
    ("LOWER", "LOWER"),
    ("ORTH", "LOWER"),
    ("TEXT", "LOWER"),
    ("LEMMA", "LEMMA"),
    ("ENT_TYPE", "ENT_TYPE"),
)


def _anchor(pattern: list[dict[str, Any]]) -> tuple[str, set[str]] | None:
    """The doc attribute and the values one of which must occur there for the pattern to match."""
    best: tuple[int, int, str, set[str]] | None = None
    for token in pattern:
        if "OP" in token and token["OP"] not in {"1", "+", "{1,}"}:
            continue
        for rank, (name, attr) in enumerate(_ANCHOR_ATTRS):
            value = token.get(name)
            if isinstance(value, str):
                values = {value}
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                values = {str(v) for v in value["IN"]}
            else:
                continue
            if attr == "LOWER":
                values = {v.lower() for v in values}
            candidate = (min(rank, 2), len(values), attr, values)  # LOWER, ORTH and TEXT rank alike
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    return None if best is None else (best[2], best[3])


def _ensure_dir(path: Path | str) -> Path:
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing (was the component saved with to_disk?)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON") from None


# -- pigan_themes --------------------------------------------------------------------------


class ThemeMatcher:
    """Find codebook cues and patterns; one span per match in ``doc.spans[spans_key]``.

    Overlapping matches of the same topic keep the longest; matches of
    different topics may overlap. Each span's rule is ``"cue:<cue>"`` or
    ``"pattern:<topic>#<n>"`` and its score ``cue_score`` (the sentence
    classifier replaces it with its own score).
    """

    def __init__(
        self, nlp: Language, name: str = "pigan_themes", *, cue_score: float, spans_key: str
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.cue_score = cue_score
        self.spans_key = spans_key
        self.codebook: Codebook | None = None
        self._cues = CueMatcher(nlp)
        self._patterns = _PatternMatcher(nlp.vocab)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        codebook: Codebook | Path | str | None = None,
    ) -> None:
        """Load the codebook (the packaged one unless a ``Codebook`` or path is given)."""
        book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        self.add_codebook(book)

    def add_codebook(self, codebook: Codebook) -> None:
        """Replace the cues and patterns with those of ``codebook``."""
        self.codebook = codebook
        self._cues = CueMatcher(self.nlp)
        self._patterns = _PatternMatcher(self.nlp.vocab)
        for topic in codebook.topics:
            self._cues.add(topic.id, topic.cues)
            for number, pattern in enumerate(topic.patterns, start=1):
                self._patterns.add(f"{topic.id}\t#{number}", pattern)

    def __call__(self, doc: Doc) -> Doc:
        if self.codebook is None:
            raise ModelError(f"{self.name}: no codebook loaded (call initialize first)")
        found: dict[str, list[tuple[Span, str]]] = {}
        for topic_id, cue, start, end in self._cues(doc):
            found.setdefault(topic_id, []).append((doc[start:end], f"cue:{cue}"))
        for key, start, end in self._patterns(doc):
            topic_id, number = key.split("\t", 1)
            found.setdefault(topic_id, []).append((doc[start:end], f"pattern:{topic_id}{number}"))
        spans: list[Span] = []
        for topic_id, matches in found.items():
            rules = {(s.start, s.end): rule for s, rule in matches}
            for kept in filter_spans([s for s, _ in matches]):
                span = Span(doc, kept.start, kept.end, label=topic_id)
                set_tag_info(span, rule=rules[(kept.start, kept.end)], score=self.cue_score)
                spans.append(span)
        spans.sort(key=lambda s: (s.start, s.end, s.label_))
        doc.spans[self.spans_key] = spans
        return doc

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        """Write the codebook as ``codebook.json`` in the folder ``path``."""
        if self.codebook is None:
            raise ModelError(f"{self.name}: nothing to save (no codebook loaded)")
        directory = _ensure_dir(path)
        data = {"source": self.codebook.source, "sha256": self.codebook.sha256, **self.codebook.to_dict()}
        (directory / "codebook.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> ThemeMatcher:
        """Read the codebook written by :meth:`to_disk`."""
        data = _read_json(Path(path) / "codebook.json")
        book = codebook_from_dict(
            {"version": data.get("version"), "codes": data.get("codes")}, source=str(data.get("source"))
        )
        self.add_codebook(Codebook(book.version, book.codes, book.source, str(data.get("sha256", ""))))
        return self


# Abbreviations that note-takers end with a full stop mid-sentence; the model's parser
# often starts a new sentence after them ("cover three sites incl. | one out of area").
ABBREVIATIONS = frozenset(
    {
        *("incl", "approx", "etc", "re", "esp", "cf", "vs", "ref", "tel", "dept", "govt"),
        *("wk", "wks", "yr", "yrs", "mth", "mths", "hr", "hrs", "mins"),
        *("pt", "pts", "avg", "inc", "misc", "prev", "poss", "appt", "appts"),
    }
)


@Language.component("pigan_sentence_marks")
def mark_sentence_starts(doc: Doc) -> Doc:
    """Set sentence starts the parser then respects: after a blank line, always; right
    after a listed abbreviation's full stop followed by a lower-case word or a number, never."""
    for i in range(len(doc) - 1):
        token, following = doc[i], doc[i + 1]
        if token.is_space and token.text.count("\n") >= 2 and not following.is_space:
            following.is_sent_start = True
            continue
        if token.text.endswith(".") and token.lower_[:-1] in ABBREVIATIONS:  # "etc." as one token
            after = following
        elif following.text == "." and token.lower_ in ABBREVIATIONS and i + 2 < len(doc):
            following.is_sent_start = False
            after = doc[i + 2]
        else:
            continue
        if after.is_lower or after.like_num:
            after.is_sent_start = False
    return doc


@Language.factory(
    "pigan_themes",
    default_config={"cue_score": 0.5, "spans_key": THEMES_KEY},
    assigns=["doc.spans"],
)
def make_theme_matcher(nlp: Language, name: str, cue_score: float, spans_key: str) -> ThemeMatcher:
    """Build the codebook theme matcher (rules arrive through ``initialize``)."""
    return ThemeMatcher(nlp, name, cue_score=cue_score, spans_key=spans_key)


# -- pigan_flags ---------------------------------------------------------------------------


_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}


#: Rule prefix of a singling-out found as the one practitioner a blame cue judges. Such a span
#: repeats what the blame marker says, so the sentence classifier does not read it.
BLAMED_ONE = "blamed_one:"
_ONE_OF = {"the", "that", "this", "one"}


class FlagDetector:
    """Flag blame language and singling out, with hard negatives, in ``doc.spans[spans_key]``.

    A fault cue ("failed to", "should have", "poor practice") is blame only
    when its sentence names an identifiable target (a role, an agency, one
    person) as the one who did it: the subject of the judged verb, the agent
    after "by" or a possessor, found through the dependency parse; without a
    parse, a target at most ``target_window`` tokens before the cue. Generic
    targets ("practitioners", "agencies", "the system") and plural roles
    without "the" do not count. A sentence with a ``not_blame`` phrase ("the
    review is not about blame") gets no blame span.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "pigan_flags",
        *,
        spans_key: str,
        target_window: int,
        blame_score: float,
        singling_score: float,
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.target_window = target_window
        self.blame_score = blame_score
        self.singling_score = singling_score
        self.rules: FlagRules | None = None
        self._people: set[str] = set()
        self._heads: set[str] = set()
        self._cues = CueMatcher(nlp)
        self._patterns = _PatternMatcher(nlp.vocab)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules: FlagRules | Path | str | None = None,
    ) -> None:
        """Load the flag rules (the packaged ``blame.yaml`` unless rules or a path are given)."""
        self.add_rules(rules if isinstance(rules, FlagRules) else load_flag_rules(rules))

    def add_rules(self, rules: FlagRules) -> None:
        """Replace the rules."""
        self.rules = rules
        self._cues = CueMatcher(self.nlp)
        self._cues.add("fault", rules.fault_cues)
        self._cues.add("judgement", rules.judgement_cues)
        self._cues.add("target", (*rules.roles, *rules.persons))
        self._people = {w.lower() for w in (*rules.roles, *rules.persons)}
        self._heads = {w.lower() for w in rules.target_heads}
        self._cues.add("agency", rules.agencies)
        self._cues.add("generic", rules.generic_targets)
        self._cues.add("not_blame", rules.not_blame)
        self._cues.add("singling", rules.singling_cues)
        self._patterns = _PatternMatcher(self.nlp.vocab)
        for number, pattern in enumerate(rules.singling_patterns, start=1):
            self._patterns.add(f"singling_out#{number}", pattern)

    def __call__(self, doc: Doc) -> Doc:
        if self.rules is None:
            raise ModelError(f"{self.name}: no rules loaded (call initialize first)")
        sents = sentences(doc)
        if not sents:
            doc.spans[self.spans_key] = []
            return doc
        sent_of = _sentence_index(doc, sents)
        matches: dict[str, list[tuple[str, int, int]]] = {}
        for label, phrase, start, end in self._cues(doc):
            matches.setdefault(label, []).append((phrase, start, end))
        cued = bool(matches.get("fault") or matches.get("judgement"))
        named = _named_agencies(doc, matches) if cued else set()
        targets = self._targets(doc, matches, named) if cued else []
        parsed = has_annotation(doc, "DEP")
        generic = self._generic(doc, matches, named) if cued else []
        refuting = {sent_of[start]: phrase for phrase, start, _ in matches.get("not_blame", [])}
        # (span, rule, counts): cues that are blame, and cues ruled out as blame (kept, marked
        # negated, so that the sentence classifier cannot call the sentence blame on its own).
        candidates: list[tuple[Span, str, bool]] = []
        blamed: dict[tuple[int, int], tuple[str, int, int]] = {}  # a counted cue's target
        for kind in ("fault", "judgement"):
            for phrase, start, end in matches.get(kind, []):
                cue = doc[start:end]
                if sent_of[start] in refuting:
                    candidates.append((cue, f"not_blame:{refuting[sent_of[start]]}", False))
                    continue
                if _negated_just_before(doc, start):
                    candidates.append((cue, f"negated:{phrase}", False))
                    continue
                if kind == "judgement":
                    in_sentence = [t for t in targets if sent_of[t[1]] == sent_of[start]]
                    if in_sentence:
                        candidates.append((cue, f"judgement:{phrase}>{in_sentence[0][0]}", True))
                        blamed[(start, end)] = in_sentence[0]
                    continue
                target = (
                    self._parsed_target(doc, start, end, targets)
                    if parsed
                    else self._near_target(start, end, targets, sent_of)
                )
                if target is not None:
                    candidates.append((cue, f"fault:{phrase}>{target[0]}", True))
                    blamed[(start, end)] = target
                    continue
                who = (
                    self._parsed_target(doc, start, end, generic)
                    if parsed
                    else self._near_target(start, end, generic, sent_of)
                )
                if who is not None:
                    candidates.append((cue, f"generic:{phrase}>{who[0]}", False))
        for phrase, start, end in matches.get("not_blame", []):
            candidates.append((doc[start:end], f"not_blame:{phrase}", False))
        spans: list[Span] = []
        for kept in filter_spans([c[0] for c in candidates]):
            rule, counted = next(
                (r, c) for s, r, c in candidates if (s.start, s.end) == (kept.start, kept.end)
            )
            span = Span(doc, kept.start, kept.end, label="blame")
            set_tag_info(span, rule=rule, score=self.blame_score if counted else 0.0, negated=not counted)
            spans.append(span)
        single = [(doc[s:e], f"cue:{p}") for p, s, e in matches.get("singling", [])]
        single += [(doc[s:e], f"pattern:{key}") for key, s, e in self._patterns(doc)]
        for span in spans:
            target = None if span._.pigan_negated else blamed.get((span.start, span.end))
            if target is not None and self._one_person(doc, *target):
                single.append((doc[target[1] : target[2]], f"{BLAMED_ONE}{target[0]}"))
        for kept in filter_spans([s for s, _ in single]):
            rule = next(r for s, r in single if (s.start, s.end) == (kept.start, kept.end))
            span = Span(doc, kept.start, kept.end, label="singling_out")
            set_tag_info(span, rule=rule, score=self.singling_score)
            spans.append(span)
        spans.sort(key=lambda s: (s.start, s.end, s.label_))
        doc.spans[self.spans_key] = spans
        return doc

    @staticmethod
    def _generic(
        doc: Doc, matches: dict[str, list[tuple[str, int, int]]], named: set[tuple[int, int]]
    ) -> list[tuple[str, int, int]]:
        """Collective subjects: generic words, and plural roles without "the" ("GPs", "social workers");
        ``named`` are the agency names (:func:`_named_agencies`), never generic."""
        out = list(matches.get("generic", []))
        for phrase, start, end in (*matches.get("target", []), *matches.get("agency", [])):
            if (start, end) in named:
                continue
            determiner = doc[start - 1].lower_ if start > 0 else ""
            if doc[end - 1].tag_ in {"NNS", "NNPS"} and doc[start].lower_ != "the" and determiner != "the":
                out.append((phrase, start, end))
        return out

    def _targets(
        self, doc: Doc, matches: dict[str, list[tuple[str, int, int]]], named: set[tuple[int, int]]
    ) -> list[tuple[str, int, int]]:
        """Target mentions that identify someone: not generic, not a plural role without "the".

        Besides the listed roles and agencies, a service word ("the counselling
        service", "the unit") or an agency acronym ("CSC", "HV") counts; a
        person in the case ("Adult D", "Mother") does not.
        """
        assert self.rules is not None
        generic = [(s, e) for _, s, e in matches.get("generic", [])]
        heads = set(self.rules.target_heads)
        family = set(self.rules.not_targets)
        found = list(matches.get("target", [])) + list(matches.get("agency", []))
        for token in doc:
            previous = doc[token.i - 1].lower_ if token.i > 0 else ""
            if previous in family or token.lower_ in family:
                continue
            if token.lower_ in heads and token.tag_ not in {"NNS", "NNPS"}:
                found.append((f"head:{token.lower_}", token.i, token.i + 1))
            elif (
                token.is_alpha
                and token.is_upper
                and 2 <= len(token) <= 6
                and token.pos_ in {"PROPN", "NOUN", ""}
            ):
                found.append(("acronym", token.i, token.i + 1))
        # One mention per stretch of text: the longest, a listed phrase before a head word or acronym.
        found.sort(key=lambda t: (-(t[2] - t[1]), t[0].startswith(("head:", "acronym")), t[1]))
        mentions: list[tuple[str, int, int]] = []
        for phrase, start, end in found:
            if not any(start < e and s < end for _, s, e in mentions):
                mentions.append((phrase, start, end))
        mentions.sort(key=lambda t: t[1])
        out: list[tuple[str, int, int]] = []
        for phrase, start, end in mentions:
            if (start, end) in named:
                out.append((phrase, start, end))
                continue
            if any(gs <= start < ge or gs < end <= ge for gs, ge in generic):
                continue
            head = doc[end - 1]
            determiner = doc[start - 1].lower_ if start > 0 else ""
            if head.tag_ in {"NNS", "NNPS"} and doc[start].lower_ != "the" and determiner != "the":
                continue
            out.append((phrase, start, end))
        return out

    def _one_person(self, doc: Doc, phrase: str, start: int, end: int) -> bool:
        """Whether a blamed target is one practitioner: a listed role or person (not an agency, a
        service or an acronym), singular, after "the", "that", "this" or "one" ("an error by the
        nurse in charge", "poor practice by the GP", "that worker"). The sentence classifier
        drops it with the blame when it does not confirm the blame."""
        if phrase.lower() not in self._people:
            return False
        head = doc[end - 1]
        if head.tag_ in {"NNS", "NNPS"} or head.lower_ in self._heads:  # "the GP practice"
            return False
        before = doc[start - 1].lower_ if start > 0 else ""
        return doc[start].lower_ in _ONE_OF or before in _ONE_OF

    def _near_target(
        self, start: int, end: int, targets: list[tuple[str, int, int]], sent_of: list[int]
    ) -> tuple[str, int, int] | None:
        """Without a parse: a target shortly before the cue, or right after "by"."""
        for phrase, ts, te in reversed(targets):
            if sent_of[ts] != sent_of[start]:
                continue
            if te <= start and start - te <= self.target_window:
                return phrase, ts, te
            if ts >= end and ts - end <= 3:
                return phrase, ts, te
        return None

    @staticmethod
    def _parsed_target(
        doc: Doc, start: int, end: int, targets: list[tuple[str, int, int]]
    ) -> tuple[str, int, int] | None:
        """With a parse: the target that is the agent of what the cue judges."""
        cue = doc[start:end]
        root = cue.root
        holders: list[Any] = []
        # The verb the cue judges: "failed" itself, or the verb an auxiliary ("should have") serves.
        verb = root.head if root.dep_ in {"aux", "auxpass", "neg", "advmod"} else root
        for _ in range(3):  # climb from "to refer" (xcomp) or a conjoined verb to the subject
            holders.extend(c for c in verb.children if c.dep_ in _SUBJECT_DEPS)
            holders.extend(g for c in verb.children if c.dep_ == "agent" for g in c.children)
            if holders or verb.dep_ not in {"xcomp", "conj", "ccomp", "advcl"} or verb.head is verb:
                break
            verb = verb.head
        # Noun cues: "an error by the nurse", "the GP's failure", "the GP made a poor decision".
        for token in cue:
            holders.extend(g for c in token.children if c.lower_ == "by" for g in c.children)
            holders.extend(c for c in token.children if c.dep_ == "poss")
        if not holders and root.dep_ in {"dobj", "attr"}:
            holders.extend(c for c in root.head.children if c.dep_ in _SUBJECT_DEPS)
        people = [h for holder in holders for h in (holder, *holder.conjuncts)]
        for holder in people:
            left, right = holder.left_edge.i, holder.i + 1
            for phrase, ts, te in targets:
                if left <= ts < right or left < te <= right:
                    return phrase, ts, te
        return None

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        """Write the rules as ``flag_rules.json`` in the folder ``path``."""
        if self.rules is None:
            raise ModelError(f"{self.name}: nothing to save (no rules loaded)")
        directory = _ensure_dir(path)
        data = {"source": self.rules.source, **self.rules.to_dict()}
        (directory / "flag_rules.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> FlagDetector:
        """Read the rules written by :meth:`to_disk`."""
        data = _read_json(Path(path) / "flag_rules.json")
        self.add_rules(flag_rules_from_dict(data, source=str(data.get("source"))))
        return self


def _named_agencies(doc: Doc, matches: dict[str, list[tuple[str, int, int]]]) -> set[tuple[int, int]]:
    """Listed agencies written as listed: names, whatever their number. "Failures by social
    services" has a target, and the generic word "services" inside the name does not cancel it;
    "hospitals", found through the lemma of "hospital", is still a plural."""
    return {(s, e) for phrase, s, e in matches.get("agency", []) if doc[s:e].text.lower() == phrase.lower()}


def _negated_just_before(doc: Doc, start: int) -> bool:
    """ "was not negligent", "there was no failure by": a negation right before a blame cue."""
    return any(t.lower_ in _NEGATORS for t in doc[max(0, start - 2) : start])


_NEGATORS = {"not", "n't", "never", "no", "nothing", "without"}


@Language.factory(
    "pigan_flags",
    default_config={"spans_key": FLAGS_KEY, "target_window": 6, "blame_score": 0.8, "singling_score": 0.7},
    assigns=["doc.spans"],
)
def make_flag_detector(
    nlp: Language, name: str, spans_key: str, target_window: int, blame_score: float, singling_score: float
) -> FlagDetector:
    """Build the blame and singling-out detector (rules arrive through ``initialize``)."""
    return FlagDetector(
        nlp,
        name,
        spans_key=spans_key,
        target_window=target_window,
        blame_score=blame_score,
        singling_score=singling_score,
    )


# -- pigan_context -------------------------------------------------------------------------


class ContextDetector:
    """Mark spans that lie in the scope of a negation or hypothetical cue (NegEx-style).

    A preceding cue reaches forward, a following cue backward, at most
    ``negation_window`` (or ``hypothetical_window``) tokens, never past a
    termination cue or out of the sentence. Pseudo cues cancel the cues they
    overlap. A cue inside the span itself does not act on it. Labels whose
    top-level part is in ``keep_negated`` / ``keep_hypothetical`` are not
    marked that way (set from the codebook's ``keep_*`` keys), except that a
    ruling-out cue ("no concerns about", "had no bearing") negates every theme.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "pigan_context",
        *,
        negation_window: int,
        hypothetical_window: int,
        themes_key: str,
        flags_key: str,
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.windows = {"negation": negation_window, "hypothetical": hypothetical_window}
        self.spans_keys = (themes_key, flags_key)
        self.rules: ContextRules | None = None
        self.keep: dict[str, set[str]] = {"negation": set(), "hypothetical": set()}
        self._cues = CueMatcher(nlp)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules: ContextRules | Path | str | None = None,
        keep_negated: Sequence[str] = (),
        keep_hypothetical: Sequence[str] = (),
    ) -> None:
        """Load the cues (the packaged ``negation.yaml`` unless rules or a path are given)."""
        loaded = rules if isinstance(rules, ContextRules) else load_context_rules(rules)
        self.add_rules(loaded, keep_negated=keep_negated, keep_hypothetical=keep_hypothetical)

    def add_rules(
        self, rules: ContextRules, *, keep_negated: Sequence[str] = (), keep_hypothetical: Sequence[str] = ()
    ) -> None:
        """Replace the cues and the labels that ignore them."""
        self.rules = rules
        self.keep = {"negation": set(keep_negated), "hypothetical": set(keep_hypothetical)}
        self._cues = CueMatcher(self.nlp)
        for kind, cueset in (
            ("negation", rules.negation),
            ("hypothetical", rules.hypothetical),
            ("ruled_out", rules.ruling_out),
        ):
            self._cues.add(f"{kind}:pseudo", cueset.pseudo)
            self._cues.add(f"{kind}:preceding", cueset.preceding)
            self._cues.add(f"{kind}:following", cueset.following)
            self._cues.add(f"{kind}:termination", cueset.termination)

    def __call__(self, doc: Doc) -> Doc:
        if self.rules is None:
            raise ModelError(f"{self.name}: no rules loaded (call initialize first)")
        sents = sentences(doc)
        sent_of = _sentence_index(doc, sents)
        found = [(label.split(":")[0], label.split(":")[1], s, e) for label, _, s, e in self._cues(doc)]
        cues: list[list[Any]] = []
        for kind in ("negation", "hypothetical", "ruled_out"):
            pseudo = [(s, e) for k, part, s, e in found if k == kind and part == "pseudo"]
            stops = {i for k, part, s, e in found if k == kind and part == "termination" for i in range(s, e)}
            active = [
                (part, s, e)
                for k, part, s, e in found
                if k == kind
                and part in {"preceding", "following"}
                and not any(ps < e and s < pe for ps, pe in pseudo)
            ]
            cues.extend([kind, s, e] for part, s, e in active)
            # A cue that rules a factor out negates every theme; flags keep to plain negation.
            keys = self.spans_keys[:1] if kind == "ruled_out" else self.spans_keys
            window = self.windows["hypothetical" if kind == "hypothetical" else "negation"]
            for key in keys:
                if key not in doc.spans:
                    continue
                for span in doc.spans[key]:
                    if span.label_.split(".")[0] in self.keep.get(kind, ()):
                        continue
                    if self._in_scope(span, active, stops, sent_of, window):
                        set_tag_info(span, **{"hypothetical" if kind == "hypothetical" else "negated": True})
        doc._.pigan_context_cues = cues
        return doc

    @staticmethod
    def _in_scope(
        span: Span, cues: list[tuple[str, int, int]], stops: set[int], sent_of: list[int], window: int
    ) -> bool:
        sentence = sent_of[span.start]
        for part, start, end in cues:
            if start < span.end and span.start < end:  # the cue is part of the match itself
                continue
            if sent_of[start] != sentence:
                continue
            before = part == "preceding" and end <= span.start and span.start - end <= window
            if before and not any(i in stops for i in range(end, span.start)):
                return True
            after = part == "following" and start >= span.end and start - span.end <= window
            if after and not any(i in stops for i in range(span.end, start)):
                return True
        return False

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        """Write the cues and the keep lists as ``context_rules.json`` in the folder ``path``."""
        if self.rules is None:
            raise ModelError(f"{self.name}: nothing to save (no rules loaded)")
        directory = _ensure_dir(path)
        data = {
            "source": self.rules.source,
            **self.rules.to_dict(),
            "keep_negated": sorted(self.keep["negation"]),
            "keep_hypothetical": sorted(self.keep["hypothetical"]),
        }
        (directory / "context_rules.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> ContextDetector:
        """Read the cues written by :meth:`to_disk`."""
        data = _read_json(Path(path) / "context_rules.json")
        rules = context_rules_from_dict(data, source=str(data.get("source")))
        self.add_rules(
            rules,
            keep_negated=data.get("keep_negated", []),
            keep_hypothetical=data.get("keep_hypothetical", []),
        )
        return self


@Language.factory(
    "pigan_context",
    default_config={
        "negation_window": 8,
        "hypothetical_window": 10,
        "themes_key": THEMES_KEY,
        "flags_key": FLAGS_KEY,
    },
    requires=["doc.spans"],
)
def make_context_detector(
    nlp: Language, name: str, negation_window: int, hypothetical_window: int, themes_key: str, flags_key: str
) -> ContextDetector:
    """Build the negation and hypothetical detector (cues arrive through ``initialize``)."""
    return ContextDetector(
        nlp,
        name,
        negation_window=negation_window,
        hypothetical_window=hypothetical_window,
        themes_key=themes_key,
        flags_key=flags_key,
    )


# -- pigan_sentences -----------------------------------------------------------------------


def sentence_features(span: Span, *, themes_key: str = THEMES_KEY, flags_key: str = FLAGS_KEY) -> list[str]:
    """The words the sentence classifier reads for one sentence (or any span).

    Lower-case lemmas (numbers, dates, names and places replaced by
    placeholders so that the model learns the kind, never the value), then
    one marker per rule finding in the span: ``xx_cue_<code>`` for a counted
    theme match, ``xx_neg_<code>`` / ``xx_hyp_<code>`` for a negated or
    hypothetical one, ``xx_flag_<flag>``, and ``xx_negation`` /
    ``xx_hypothetical`` when such a cue occurs. Training
    (``training/train_textcat.py``) and tagging both call this function.
    """
    doc = span.doc
    words: list[str] = []
    for token in span:
        if token.is_space:
            continue
        placeholder = _PLACEHOLDER_ENTS.get(token.ent_type_)
        if placeholder is not None:
            if token.ent_iob_ == "B" or token.i == span.start:
                words.append(placeholder)
            continue
        if token.like_num:
            words.append("xx_num")
        elif token.is_punct:
            if token.text in _KEPT_PUNCT:
                words.append(token.text)
        else:
            words.append((token.lemma_ or token.text).lower())
    markers: list[str] = []
    for key, prefix in ((themes_key, "cue"), (flags_key, "flag")):
        if key not in doc.spans:
            continue
        for tag in doc.spans[key]:
            if tag.start < span.start or tag.end > span.end:
                continue
            info = _info_of(tag)
            if info.get("rule") == "textcat" or str(info.get("rule", "")).startswith(BLAMED_ONE):
                continue
            name = tag.label_.split(".")[0]
            if info.get("negated"):
                markers.append(f"xx_neg_{name}")
            elif info.get("hypothetical"):
                markers.append(f"xx_hyp_{name}")
            else:
                markers.append(f"xx_{prefix}_{name}")
                if "." in tag.label_:
                    markers.append(f"xx_topic_{tag.label_.replace('.', '_')}")
    for kind, start, _ in doc._.pigan_context_cues or []:
        if span.start <= start < span.end:
            markers.append(f"xx_{kind}")
    return words + sorted(set(markers))


def pooled_vector(span: Span) -> np.ndarray | None:
    """Mean and max of the model's token vectors (``doc.tensor``) over a span, or None without them."""
    doc = span.doc
    tensor = doc.tensor
    if len(span) == 0:
        return None
    if tensor is not None and getattr(tensor, "shape", (0,))[0] == len(doc) and tensor.size:
        part = np.asarray(tensor[span.start : span.end], dtype="float32")
        return np.concatenate([part.mean(axis=0), part.max(axis=0)])
    cached = (doc.user_data.get(POOLED_KEY) or {}).get(f"{span.start}:{span.end}")
    return None if cached is None else np.frombuffer(cached, dtype="float32")


def store_pooled_vectors(doc: Doc) -> None:
    """Keep each sentence's :func:`pooled_vector` in ``doc.user_data``, which a ``DocBin`` saves.

    A ``DocBin`` does not save ``doc.tensor``; the parse cache stores these
    instead, so a cached doc scores exactly as a freshly parsed one.
    """
    pooled: dict[str, bytes] = {}
    for sent in sentences(doc):
        vector = pooled_vector(sent)
        if vector is not None:
            pooled[f"{sent.start}:{sent.end}"] = vector.astype("float32").tobytes()
    doc.user_data[POOLED_KEY] = pooled


class LogisticLayer:
    """One logistic regression per label over standardised inputs, saved as a NumPy ``.npz`` file."""

    DTYPE = "float32"
    WHAT = "logistic layer"

    def __init__(
        self,
        labels: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        mean: np.ndarray,
        scale: np.ndarray,
    ) -> None:
        self.labels = tuple(labels)
        self.weights = weights.astype(self.DTYPE)
        self.bias = bias.astype(self.DTYPE)
        self.mean = mean.astype(self.DTYPE)
        self.scale = scale.astype(self.DTYPE)

    @staticmethod
    def fit_arrays(
        inputs: np.ndarray, gold: np.ndarray, *, l2: float, steps: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Weights, bias, mean and scale by full-batch gradient descent (deterministic)."""
        mean = inputs.mean(axis=0)
        scale = inputs.std(axis=0) + 1e-6
        x = (inputs - mean) / scale
        weights = np.zeros((x.shape[1], gold.shape[1]))
        bias = np.zeros(gold.shape[1])
        for _ in range(steps):
            grad = 1.0 / (1.0 + np.exp(-(x @ weights + bias))) - gold
            weights -= 0.1 * (x.T @ grad / len(x) + l2 * weights / len(x))
            bias -= 0.1 * grad.mean(axis=0)
        return weights, bias, mean, scale

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Probabilities, one row per input and one column per label in :attr:`labels` order."""
        z = ((inputs - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype="float32")

    def arrays(self) -> dict[str, Any]:
        """What :meth:`to_disk` writes."""
        return {
            "labels": np.array(self.labels),
            "weights": self.weights,
            "bias": self.bias,
            "mean": self.mean,
            "scale": self.scale,
        }

    def to_disk(self, path: Path) -> None:
        """Write the layer as a NumPy ``.npz`` file."""
        np.savez(path, **self.arrays())

    @classmethod
    def read_arrays(cls, path: Path, *extra: str) -> tuple[list[str], list[np.ndarray]]:
        """The labels and arrays of a layer file (the base arrays, then ``extra``), or a ModelError."""
        try:
            data = np.load(path, allow_pickle=False)
            names = ("weights", "bias", "mean", "scale", *extra)
            return [str(x) for x in data["labels"]], [data[name] for name in names]
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: cannot read the {cls.WHAT} ({exc})") from None


class DenseScorer(LogisticLayer):
    """A logistic layer over :func:`pooled_vector`, blended with the bag-of-words scores.

    The English model's ``tok2vec`` already computed context-sensitive token
    vectors (``doc.tensor``); pooled per sentence they carry meaning that the
    bag of words misses when a theme is said without its usual words. Without
    a second stage, the final score per label is ``(1 - w) * bow + w * dense``;
    a sentence whose doc has no tensor keeps the bag-of-words score.
    """

    FILE = "dense.npz"
    WHAT = "dense scorer"

    def __init__(
        self,
        labels: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        mean: np.ndarray,
        scale: np.ndarray,
        blend: np.ndarray,
    ) -> None:
        super().__init__(labels, weights, bias, mean, scale)
        self.blend_weights = blend.astype("float32")

    def scores(self, scores: np.ndarray, labels: Sequence[str], spans: Sequence[Span]) -> np.ndarray:
        """The dense scores of ``spans`` in the columns ``labels`` of the bag-of-words ``scores``.

        A span without pooled vectors, or a label this layer does not know,
        keeps its bag-of-words score.
        """
        vectors = [pooled_vector(span) for span in spans]
        rows = [i for i, v in enumerate(vectors) if v is not None and v.shape[0] == self.mean.shape[0]]
        out = scores.copy()
        if not rows:
            return out
        dense = self.predict(np.stack([vectors[i] for i in rows]))  # type: ignore[misc]
        for column, label in enumerate(labels):
            if label in self.labels:
                out[rows, column] = dense[:, self.labels.index(label)]
        return out

    def blend(self, scores: np.ndarray, labels: Sequence[str], spans: Sequence[Span]) -> np.ndarray:
        """Blend bag-of-words ``scores`` (columns ``labels``) with the dense scores of ``spans``."""
        dense = self.scores(scores, labels, spans)
        weights = np.array(
            [
                self.blend_weights[self.labels.index(label)] if label in self.labels else 0.0
                for label in labels
            ],
            dtype="float32",
        )
        return np.asarray((1.0 - weights) * scores + weights * dense, dtype="float32")

    def arrays(self) -> dict[str, Any]:
        return {**super().arrays(), "blend": self.blend_weights}

    @classmethod
    def from_disk(cls, path: Path) -> DenseScorer:
        """Read a layer written by :meth:`to_disk`."""
        labels, arrays = cls.read_arrays(path, "blend")
        return cls(labels, *arrays)


def stack_inputs(bow: np.ndarray, dense: np.ndarray, supported: np.ndarray) -> np.ndarray:
    """The second stage's inputs for each sentence: the log-odds of every label's bag-of-words and
    dense scores, then per label whether a counted rule matched (``supported`` 1) and whether
    only ruled-out ones did (``supported`` -1). Training and tagging both call this."""
    clipped = np.clip(np.concatenate([bow, dense], axis=1).astype("float64"), 1e-4, 1 - 1e-4)
    return np.concatenate(
        [
            np.log(clipped / (1 - clipped)),
            (supported > 0).astype("float64"),
            (supported < 0).astype("float64"),
        ],
        axis=1,
    )


class ScoreStacker(LogisticLayer):
    """The classifier's second stage: one logistic layer per label over every label's scores and rules.

    The bag of words and the dense layer each score a label on its own; the
    stacker reads all of their scores together with which rules matched
    (:func:`stack_inputs`), so that a strong ``recommendation`` score can weigh
    against ``blame``, say. It is trained on cross-validated scores (the
    models never saw those sentences), so it learns how far to trust them on
    new text. Its output is the score stored with each tag and compared with
    the thresholds.
    """

    FILE = "stack.npz"
    DTYPE = "float64"
    WHAT = "second stage"

    @classmethod
    def fit(
        cls, labels: Sequence[str], inputs: np.ndarray, gold: np.ndarray, *, l2: float = 1.0
    ) -> ScoreStacker:
        """Fit on :func:`stack_inputs` and the gold answers."""
        return cls(labels, *cls.fit_arrays(inputs, gold, l2=l2, steps=800))

    @classmethod
    def from_disk(cls, path: Path) -> ScoreStacker:
        """Read a layer written by :meth:`to_disk`."""
        labels, arrays = cls.read_arrays(path)
        return cls(labels, *arrays)


class FeatureWords:
    """One sentence's classifier features, in the form the bag-of-words model reads.

    ``TextCatBOW`` only reads ``doc.to_array(ORTH)``: the hashes of the
    words. Giving it those directly spares building a ``Doc`` per sentence,
    which would cost more than the prediction. The model is trained with
    :class:`WhitespaceTokenizer`, so a training doc's words are exactly these.
    """

    __slots__ = ("ids", "tensor")

    def __init__(self, words: Sequence[str]) -> None:
        self.ids = np.fromiter((get_string_id(w) for w in words), dtype="uint64", count=len(words))
        self.tensor = None

    def __len__(self) -> int:
        return len(self.ids)

    def to_array(self, attrs: Any) -> np.ndarray:
        """The ORTH hashes (the only attribute the bag-of-words model asks for)."""
        wanted = list(attrs) if isinstance(attrs, list | tuple) else [attrs]
        if any(a not in (ORTH, "ORTH") for a in wanted):
            raise ModelError(f"the sentence classifier reads only ORTH, not {wanted}")
        return self.ids if len(wanted) == 1 else np.tile(self.ids[:, None], (1, len(wanted)))


def classifier_inputs(model: Language, features: Iterable[Sequence[str]]) -> list[Any]:
    """The sentence classifier's inputs for some sentences' features.

    A bag-of-words model (the shipped one) reads only the word hashes
    (:class:`FeatureWords`); any other architecture named in
    ``training/textcat.cfg`` (spaCy's ``TextCatEnsemble`` also embeds each
    word's spelling in its context) gets a ``Doc`` of the words, in the
    classifier's own vocabulary, exactly as it was trained.
    """
    architecture = str(model.config["components"]["textcat_multilabel"]["model"].get("@architectures", ""))
    if architecture.startswith("spacy.TextCatBOW"):
        return [FeatureWords(words) for words in features]
    return [Doc(model.vocab, words=list(words)) for words in features]


class WhitespaceTokenizer:
    """Split on single spaces: the classifier's training docs are feature words joined by spaces."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return Doc(self.vocab, words=[w for w in text.split(" ") if w])

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> WhitespaceTokenizer:
        return self

    def to_disk(self, path: Path | str, **kwargs: Any) -> None:
        Path(path).write_text("", "utf-8")

    def from_disk(self, path: Path | str, **kwargs: Any) -> WhitespaceTokenizer:
        return self


@registry.tokenizers("pigan.WhitespaceTokenizer.v1")
def make_whitespace_tokenizer() -> Callable[[Language], WhitespaceTokenizer]:
    """The tokenizer of the sentence classifier's training pipeline (``training/textcat.cfg``)."""

    def create(nlp: Language) -> WhitespaceTokenizer:
        return WhitespaceTokenizer(nlp.vocab)

    return create


class SentenceClassifier:
    """Score each sentence with a trained ``textcat_multilabel`` model and settle its codes.

    For each sentence and each label the model knows (the top-level codes,
    and ``blame``), the label is accepted when the model's score reaches the
    label's threshold: a lower one when a counted rule of that label matched
    in the sentence, a higher one when the model alone speaks for it (both
    chosen by cross-validation when the model was trained, stored with it).
    A label whose only rule matches in the sentence are negated or
    hypothetical is not accepted: the rules have the last word on "no
    concerns about workload were raised" and "the review is not about blame".
    Rule spans of an accepted label stay, with the model's score; counted rule
    spans of a rejected label are dropped; negated or hypothetical rule spans
    stay as evidence of why. An accepted label with no counted rule span gets a
    span over the whole sentence with rule ``"textcat"``. Labels the model does
    not know (a custom codebook's extra codes) are left to the rules.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "pigan_sentences",
        *,
        themes_key: str,
        flags_key: str,
        threshold: float,
        batch_size: int,
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.themes_key = themes_key
        self.flags_key = flags_key
        self.threshold = threshold
        self.batch_size = batch_size
        self.model: Language | None = None
        self.dense: DenseScorer | None = None
        self.stacker: ScoreStacker | None = None
        self.settings: dict[str, Any] = {}

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the model scores."""
        if self.model is None:
            return ()
        return tuple(self.model.get_pipe("textcat_multilabel").labels)  # type: ignore[attr-defined]

    def thresholds(self) -> dict[str, tuple[float, float]]:
        """Per label, the score needed with a counted rule match in the sentence, and without one."""
        with_cue = self.settings.get("thresholds", {})
        without = self.settings.get("thresholds_without_cue", {})
        out: dict[str, tuple[float, float]] = {}
        for label in self.labels:
            low = float(with_cue.get(label, self.threshold))
            out[label] = (low, float(without.get(label, low)))
        return out

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        model: Path | str | None = None,
    ) -> None:
        """Load the trained model from a folder (the packaged ``resources/textcat`` by default)."""
        if model is None:
            from importlib import resources

            with resources.as_file(resources.files("pigan").joinpath("resources", "textcat")) as folder:
                self.from_disk(folder)
        else:
            self.from_disk(model)

    def __call__(self, doc: Doc) -> Doc:
        for processed in self.pipe([doc]):
            return processed
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        """Score the sentences of a stream of docs, a batch at a time."""
        if self.model is None:
            raise ModelError(f"{self.name}: no model loaded (call initialize first)")
        textcat = self.model.get_pipe("textcat_multilabel")
        labels = self.labels
        limits = self.thresholds()
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            per_doc = [sentences(doc) for doc in batch]
            grouped = [self._rules_by_sentence(doc, sents) for doc, sents in zip(batch, per_doc, strict=True)]
            flat = [s for sents in per_doc for s in sents]
            inputs = classifier_inputs(
                self.model,
                (sentence_features(s, themes_key=self.themes_key, flags_key=self.flags_key) for s in flat),
            )
            if inputs:
                scores = np.asarray(textcat.predict(inputs), dtype="float32")  # type: ignore[attr-defined]
                support = [pair for _, pairs in grouped for pair in pairs]
                scores = self._combine(scores, labels, flat, support)
            else:
                scores = np.zeros((0, len(labels)), dtype="float32")
            row = 0
            for doc, sents, (by_sentence, support) in zip(batch, per_doc, grouped, strict=True):
                self._settle(doc, sents, by_sentence, support, scores[row : row + len(sents)], labels, limits)
                row += len(sents)
                yield doc

    def _rules_by_sentence(
        self, doc: Doc, sents: list[Span]
    ) -> tuple[dict[str, list[list[Span]]], list[tuple[set[str], set[str]]]]:
        """The rule spans of each sentence, and per sentence the labels a counted rule supports and
        the labels ruled out: those whose only rule matches are negated or hypothetical ("no
        concerns about workload", "the review is not about blame")."""
        by_sentence: dict[str, list[list[Span]]] = {
            key: [[] for _ in sents] for key in (self.themes_key, self.flags_key)
        }
        starts = [s.start for s in sents]
        for key, lists in by_sentence.items():
            for span in doc.spans.get(key, []):
                number = max(i for i, start in enumerate(starts) if start <= span.start)
                lists[number].append(span)
        support: list[tuple[set[str], set[str]]] = []
        for number in range(len(sents)):
            rules = [
                span
                for lists in by_sentence.values()
                for span in lists[number]
                if _info_of(span).get("rule") != "textcat"
            ]
            supported = {span.label_.split(".")[0] for span in rules if counts(span)}
            ruled_out = {span.label_.split(".")[0] for span in rules if not counts(span)} - supported
            support.append((supported, ruled_out))
        return by_sentence, support

    def _combine(
        self,
        scores: np.ndarray,
        labels: tuple[str, ...],
        spans: list[Span],
        support: list[tuple[set[str], set[str]]],
    ) -> np.ndarray:
        """The bag-of-words scores, blended with the dense layer's or put through the second stage."""
        if self.dense is None:
            return scores
        if self.stacker is None:
            return self.dense.blend(scores, labels, spans)
        dense = self.dense.scores(scores, labels, spans)
        order = [labels.index(label) for label in self.stacker.labels]
        rules = np.array(
            [
                [
                    1.0 if label in supported else -1.0 if label in ruled_out else 0.0
                    for label in self.stacker.labels
                ]
                for supported, ruled_out in support
            ]
        ).reshape(len(support), len(order))
        out = scores.copy()
        out[:, order] = self.stacker.predict(stack_inputs(scores[:, order], dense[:, order], rules))
        return out

    def _settle(
        self,
        doc: Doc,
        sents: list[Span],
        by_sentence: dict[str, list[list[Span]]],
        support: list[tuple[set[str], set[str]]],
        scores: Any,
        labels: tuple[str, ...],
        limits: dict[str, tuple[float, float]],
    ) -> None:
        record: list[list[Any]] = []
        kept: dict[str, list[Span]] = {key: [] for key in by_sentence}
        for number, sent in enumerate(sents):
            row = {label: round(float(scores[number][i]), 4) for i, label in enumerate(labels)}
            record.append([sent.start_char, sent.end_char, row])
            supported, vetoed = support[number]
            accepted = {
                label
                for label, score in row.items()
                if label not in vetoed and score >= limits[label][0 if label in supported else 1]
            }
            for key in by_sentence:
                confirmed: set[str] = set()
                for span in by_sentence[key][number]:
                    name = span.label_.split(".")[0]
                    if str(_info_of(span).get("rule", "")).startswith(BLAMED_ONE):
                        # The one practitioner a blame cue judges: singled out only if it is blame.
                        if "blame" not in row or "blame" in accepted:
                            kept[key].append(span)
                        continue
                    if name not in row or _info_of(span).get("rule") == "textcat":
                        kept[key].append(span)
                        continue
                    set_tag_info(span, score=row[name])
                    if not counts(span):
                        kept[key].append(span)
                    elif name in accepted:
                        kept[key].append(span)
                        confirmed.add(name)
                wanted = [lab for lab in labels if lab in accepted and _group_of(lab) == key]
                for label in wanted:
                    if label in confirmed:
                        continue
                    span = Span(doc, sent.start, sent.end, label=label)
                    set_tag_info(span, rule="textcat", score=row[label])
                    kept[key].append(span)
        for key, spans in kept.items():
            spans.sort(key=lambda s: (s.start, s.end, s.label_))
            doc.spans[key] = spans
        doc._.pigan_sentence_scores = record

    def to_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> None:
        """Write the model to ``path/model`` and its thresholds and provenance to ``path/settings.json``."""
        if self.model is None:
            raise ModelError(f"{self.name}: nothing to save (no model loaded)")
        directory = _ensure_dir(path)
        self.model.to_disk(directory / "model")
        if self.dense is not None:
            self.dense.to_disk(directory / DenseScorer.FILE)
        if self.stacker is not None:
            self.stacker.to_disk(directory / ScoreStacker.FILE)
        (directory / "settings.json").write_text(json.dumps(self.settings, indent=1, sort_keys=True), "utf-8")

    def from_disk(self, path: Path | str, *, exclude: Iterable[str] = ()) -> SentenceClassifier:
        """Read a model folder written by :meth:`to_disk` or by ``training/train_textcat.py``."""
        import spacy

        directory = Path(path)
        settings = _read_json(directory / "settings.json")
        version = settings.get("features_version")
        if version != FEATURES_VERSION:
            raise ModelError(
                f"{directory}: model trained on features version {version}, this pigan computes "
                f"version {FEATURES_VERSION}; retrain it with training/train_textcat.py"
            )
        try:
            self.model = spacy.load(directory / "model")
        except (OSError, ValueError) as exc:
            raise ModelError(f"{directory / 'model'}: cannot load the sentence classifier ({exc})") from None
        dense = directory / DenseScorer.FILE
        self.dense = DenseScorer.from_disk(dense) if dense.is_file() else None
        stack = directory / ScoreStacker.FILE
        self.stacker = ScoreStacker.from_disk(stack) if stack.is_file() else None
        if self.stacker is not None:
            unknown = set(self.stacker.labels) - set(self.labels)
            if self.dense is None or unknown:
                raise ModelError(
                    f"{stack}: the second stage needs {DenseScorer.FILE} beside it "
                    "and only the model's labels"
                    + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")
                )
        self.settings = settings
        return self


def _group_of(label: str) -> str:
    return FLAGS_KEY if label in {"blame", "singling_out"} else THEMES_KEY


@Language.factory(
    "pigan_sentences",
    default_config={"themes_key": THEMES_KEY, "flags_key": FLAGS_KEY, "threshold": 0.5, "batch_size": 256},
    requires=["doc.spans"],
    assigns=["doc.spans"],
)
def make_sentence_classifier(
    nlp: Language, name: str, themes_key: str, flags_key: str, threshold: float, batch_size: int
) -> SentenceClassifier:
    """Build the sentence classifier (the trained model arrives through ``initialize``)."""
    return SentenceClassifier(
        nlp, name, themes_key=themes_key, flags_key=flags_key, threshold=threshold, batch_size=batch_size
    )


__all__ = [
    "EXTENSIONS",
    "FEATURES_VERSION",
    "FLAGS_KEY",
    "THEMES_KEY",
    "ContextDetector",
    "CueMatcher",
    "DenseScorer",
    "FeatureWords",
    "FlagDetector",
    "LogisticLayer",
    "ScoreStacker",
    "SentenceClassifier",
    "ThemeMatcher",
    "WhitespaceTokenizer",
    "classifier_inputs",
    "counts",
    "has_annotation",
    "pooled_vector",
    "register_extensions",
    "sentence_features",
    "sentences",
    "set_tag_info",
    "stack_inputs",
    "store_pooled_vectors",
    "tag_info",
]
