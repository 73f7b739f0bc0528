"""Theme tagging: the codebook, pigan's spaCy components and the tagging API.

Public API::

    from pigan.tagging import tag_notes, tag_event, load_tags, build_pipeline, load_codebook

- :func:`tag_notes` tags any iterable of :class:`~pigan.models.Note` as a stream;
- :func:`tag_event` tags an event in the store, stores its tags and caches parses;
- :func:`load_tags` reads an event's stored tags as a frame (one row per tag);
- :func:`build_pipeline` builds the spaCy pipeline (model plus ``pigan_*`` components);
- :func:`load_codebook` loads and validates a codebook YAML.
"""

from pigan.tagging.codebook import Codebook, load_codebook
from pigan.tagging.pipeline import (
    TAG_COLUMNS,
    NoteTags,
    Tag,
    build_pipeline,
    get_pipeline,
    load_tags,
    tag_event,
    tag_notes,
    tag_texts,
)

__all__ = [
    "TAG_COLUMNS",
    "Codebook",
    "NoteTags",
    "Tag",
    "build_pipeline",
    "get_pipeline",
    "load_codebook",
    "load_tags",
    "tag_event",
    "tag_notes",
    "tag_texts",
]
