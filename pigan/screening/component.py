"""The ``pigan_pii`` spaCy component: the screening detectors inside a pipeline.

Add it after the model's ``ner`` (or to a blank pipeline, where only the
pattern detectors run)::

    nlp.add_pipe("pigan_pii", last=True)
    nlp.get_pipe("pigan_pii").initialize()          # packaged rules, or rules_path=...
    doc = nlp(text)
    doc._.pigan_pii                                   # list[Finding], note_id ""
    doc.spans["pigan_pii"]                            # the same, as labelled spans

The config holds only scalars; the rules arrive through :meth:`initialize`
or :meth:`add_patterns` and travel with the pipeline via ``to_disk`` /
``from_disk``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pigan.screening.detectors import DenyList, Finding, common_words, screen_text
from pigan.screening.rules import Rules, load_rules

#: The custom extensions pigan's screening declares (name: (object, default)).
EXTENSIONS: dict[str, tuple[type, Any]] = {
    "pigan_pii": (Doc, None),
}

SPAN_KEY = "pigan_pii"


def register_extensions() -> None:
    """Declare the screening extensions (idempotent)."""
    for name, (owner, default) in EXTENSIONS.items():
        if not owner.has_extension(name):  # type: ignore[attr-defined]
            owner.set_extension(name, default=default)  # type: ignore[attr-defined]


class PiiScreener:
    """A pipeline component that finds personal data and stores it on ``doc._.pigan_pii``.

    Parameters
    ----------
    nlp
        The pipeline.
    name
        The component's name in the pipeline.
    use_ner
        Whether PERSON entities from an earlier ``ner`` component are used.
    min_score
        Findings scoring below this are dropped.
    """

    def __init__(
        self, nlp: Language, name: str = "pigan_pii", *, use_ner: bool = True, min_score: float = 0.0
    ):
        self.name = name
        self.use_ner = use_ner
        self.min_score = min_score
        self.rules: Rules | None = None
        self.deny_list: DenyList | None = None
        self.common_words = common_words(nlp)
        register_extensions()

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules_path: str | None = None,
    ) -> None:
        """Load the rules: the packaged ``pii_patterns.yaml`` or the file at ``rules_path``."""
        self.rules = load_rules(rules_path)

    def add_patterns(self, data: dict[str, Any]) -> None:
        """Use a rules mapping (as read from ``pii_patterns.yaml``), replacing the current rules."""
        self.rules = Rules.from_data(data)

    def set_deny_list(self, deny_list: DenyList | None) -> None:
        """Names and places to find in every following doc (one event's deny list)."""
        self.deny_list = deny_list

    def _ensure_rules(self) -> Rules:
        if self.rules is None:
            self.rules = load_rules()
        return self.rules

    def findings(self, doc: Doc) -> list[Finding]:
        """The findings in a doc (without storing them on it)."""
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents] if self.use_ner else []
        return screen_text(
            doc.text,
            self._ensure_rules(),
            ents=ents,
            deny_list=self.deny_list,
            min_score=self.min_score,
            common_words=self.common_words,
        )

    def __call__(self, doc: Doc) -> Doc:
        found = self.findings(doc)
        doc._.pigan_pii = found
        spans = []
        for f in found:
            span = doc.char_span(f.start, f.end, label=f.type, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPAN_KEY] = spans
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the rules (JSON) into ``path``."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rules.json").write_text(json.dumps(self._ensure_rules().data), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PiiScreener:
        """Read the rules written by :meth:`to_disk`."""
        data = json.loads((Path(path) / "rules.json").read_text(encoding="utf-8"))
        self.rules = Rules.from_data(data, source=str(Path(path) / "rules.json"))
        return self


@Language.factory(
    "pigan_pii",
    default_config={"use_ner": True, "min_score": 0.0},
    assigns=["doc._.pigan_pii"],
)
def make_pii_screener(nlp: Language, name: str, use_ner: bool, min_score: float) -> PiiScreener:
    """Build the ``pigan_pii`` component (registered with spaCy as a factory)."""
    return PiiScreener(nlp, name, use_ner=use_ner, min_score=min_score)


__all__ = ["EXTENSIONS", "SPAN_KEY", "PiiScreener", "make_pii_screener", "register_extensions"]
