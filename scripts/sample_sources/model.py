"""Tiny data model for the hand-written sample notes (used by scripts/build_sample_data.py).

Each source module (one per event) holds its notes as calls to :func:`n` (a note
in a table: CSV or XLSX row, JSONL object) or :func:`pn` (a note written with an
agency prefix, as in the DOCX and Markdown facilitator notes).

``flags`` is a space-separated string of annotations used to write
``data/sample/planted.yaml``:

- ``blame``      blame language (fault attributed to a person, role-holder or agency)
- ``single``     singles out one identifiable individual (always also ``blame`` here)
- ``not_blame``  systems or future-facing language that sounds near blame but is not
- ``neg``        the point of the note is a negated statement
- ``hyp``        the point of the note is a hypothetical / counterfactual

``pd`` lists the personal data that "anonymisation missed": ``(TYPE, exact substring)``.
"""

from __future__ import annotations

from dataclasses import dataclass

FLAGS = {"blame", "single", "not_blame", "neg", "hyp"}
PD_TYPES = {
    "PERSON",
    "EMAIL",
    "PHONE",
    "NHS_NUMBER",
    "NI_NUMBER",
    "POSTCODE",
    "DATE_OF_BIRTH",
    "ADDRESS",
    "FACILITY",
}
FORMS = {"bracket", "colon", "paren", "table"}


@dataclass(frozen=True)
class SourceNote:
    participant: str | None
    text: str
    date: str = ""
    flags: frozenset[str] = frozenset()
    pd: tuple[tuple[str, str], ...] = ()
    agency: str | None = None  # prefixed notes only
    form: str | None = None  # prefixed notes only
    bullet: bool = True  # Markdown only: a "- " bullet or a plain paragraph
    role: str | None = None  # JSONL only (taken from PARTICIPANTS otherwise)


def _flags(flags: str) -> frozenset[str]:
    out = frozenset(flags.split())
    unknown = out - FLAGS
    if unknown:
        raise ValueError(f"unknown flags {sorted(unknown)}")
    return out


def _pd(pd: tuple | list, text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for kind, value in pd:
        if kind not in PD_TYPES:
            raise ValueError(f"unknown personal data type {kind!r}")
        if value not in text:
            raise ValueError(f"{value!r} is not in note text {text[:60]!r}")
        out.append((kind, value))
    return tuple(out)


def n(participant: str, text: str, date: str = "", flags: str = "", pd: tuple | list = ()) -> SourceNote:
    """A note recorded in a table, by participant code."""
    return SourceNote(participant, text, date, _flags(flags), _pd(pd, text))


def pn(
    agency: str,
    participant: str | None,
    form: str,
    text: str,
    flags: str = "",
    pd: tuple | list = (),
    bullet: bool = True,
) -> SourceNote:
    """A note written with an agency prefix: form is bracket ``[GP] ...`` / ``[Housing, P09] ...``,
    colon ``Police: ...``, paren ``Adult Social Care (P04): ...`` or table (a DOCX table row)."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}")
    if form == "paren" and not participant:
        raise ValueError("the paren form needs a participant")
    if form == "colon" and participant:
        raise ValueError("the colon form has no participant")
    return SourceNote(participant, text, "", _flags(flags), _pd(pd, text), agency, form, bullet)
