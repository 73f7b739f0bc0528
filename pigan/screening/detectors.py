"""The detectors: plain functions from a note's text (and the model's entities) to findings.

Structured identifiers (emails, phone, NHS and NI numbers, postcodes, dates
of birth, addresses, facilities) are found with regular expressions from the
rules plus checks a regex cannot make (the NHS modulus-11 digit, HMRC's NI
prefix rules, GB number lengths). Names come from the model's PERSON
entities and from context (titles, family relations, "known as", given
names), filtered through the allow-lists of pseudonyms, roles and agencies.
A per-event deny list adds the names and places known to the review team.

Every finding carries its type, character offsets (end exclusive), a score
and the detector that made it; :func:`resolve_overlaps` then merges
overlapping findings so that each stretch of text has one type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from pigan.errors import ConfigError
from pigan.screening.rules import Rules

#: Which type wins when findings of different types overlap (earlier wins).
TYPE_PRIORITY: tuple[str, ...] = (
    "EMAIL",
    "NHS_NUMBER",
    "NI_NUMBER",
    "PHONE",
    "POSTCODE",
    "DATE_OF_BIRTH",
    "FACILITY",
    "ADDRESS",
    "PERSON",
)
_PRIORITY = {t: i for i, t in enumerate(TYPE_PRIORITY)}

_WORD = re.compile(r"[A-Za-z][\w'’&.-]*")
_SENTENCE_END = re.compile(r"[.!?;]\s|\n")
_POSSESSIVE = re.compile(r"['’]s\Z")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a note.

    Attributes
    ----------
    note_id
        The note it was found in ("" before it is attached to a note).
    type
        One of :data:`pigan.screening.rules.FINDING_TYPES`.
    start, end
        Character offsets in the note text (end exclusive).
    score
        Confidence in [0, 1] that the span is personal data.
    detector
        The rule or model that found it ("regex:email", "ner", "deny_list"...).
    decision
        A reviewer's stored decision ("false_alarm" or "confirmed"), if any.
    """

    note_id: str
    type: str
    start: int
    end: int
    score: float
    detector: str
    decision: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The finding as the CLI prints it: ``{"id", "start", "end", "type", "score"}``."""
        return {
            "id": self.note_id,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class DenyList:
    """Names and places known to the review team, found case-insensitively and by token.

    ``names`` become PERSON findings (the whole name, and each distinctive
    word of it on its own: "Jason Pike" also finds "Mr Pike"); ``places``
    become FACILITY findings when they name a school, surgery, hospital or
    ward, and ADDRESS findings otherwise.
    """

    names: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    source: str | None = None

    def __bool__(self) -> bool:
        return bool(self.names or self.places)


def load_deny_list(path: Path | str) -> DenyList:
    """Read a ``deny_list.yaml`` (keys ``names:`` and ``places:``, each a list of strings).

    Raises
    ------
    ConfigError
        When the file is unreadable, not a mapping, or a key is not a list of strings.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the deny list ({exc.__class__.__name__})") from None
    if data is None:
        return DenyList(source=str(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected keys 'names:' and 'places:'")
    unknown = set(data) - {"names", "places"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (use names:, places:)"
        )
    out: dict[str, tuple[str, ...]] = {}
    for key in ("names", "places"):
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            raise ConfigError(f"{path}: key {key!r} must be a list of strings")
        out[key] = tuple(str(v).strip() for v in values if str(v).strip())
    return DenyList(names=out["names"], places=out["places"], source=str(path))


def merge_deny_lists(lists: Iterable[DenyList]) -> DenyList:
    """One deny list holding every name and place of several (order kept, duplicates dropped)."""
    names: dict[str, None] = {}
    places: dict[str, None] = {}
    for item in lists:
        names.update(dict.fromkeys(item.names))
        places.update(dict.fromkeys(item.places))
    return DenyList(names=tuple(names), places=tuple(places), source="merged")


# -- the detectors ------------------------------------------------------------------


def find_emails(text: str, rules: Rules) -> list[Finding]:
    """Email addresses."""
    score = float(rules.data["email"]["score"])
    return [
        Finding("", "EMAIL", m.start(), m.end(), score, "regex:email") for m in rules.email.finditer(text)
    ]


def _gb_number_end(match_text: str, prefixes: Sequence[str]) -> int | None:
    """The length of the longest prefix of ``match_text`` that is a whole GB phone number, if any."""
    international = match_text.lstrip().startswith("+")
    digits = ""
    best: int | None = None
    for i, ch in enumerate(match_text):
        if not ch.isdigit():
            continue
        digits += ch
        if i + 1 < len(match_text) and match_text[i + 1].isdigit():
            continue  # only a whole group of digits can end a number
        number = digits
        if international:
            if not number.startswith("44") or len(number) < 3:
                continue
            number = "0" + number[2:]
            if number.startswith("00"):  # "+44 (0)" keeps the trunk 0 in brackets
                number = number[1:]
        if number[:2] in prefixes and len(number) in (10, 11):
            best = i + 1
            if len(number) == 11:
                return best
        if len(number) > 11:
            break
    return best


def find_phones(text: str, rules: Rules) -> list[Finding]:
    """GB phone numbers (+44, (0) and 0 forms; spaces, hyphens, dots and brackets)."""
    cfg = rules.data["phone"]
    prefixes = tuple(cfg["prefixes"])
    window = int(cfg["window"])
    out = []
    for m in rules.phone.finditer(text):
        length = _gb_number_end(m.group(), prefixes)
        if length is None:
            continue
        start, end = m.start(), m.start() + length
        if text[start] == "(" and ")" not in text[start:end]:
            start += 1
        context = rules.phone_context.search(text[max(0, start - window) : start])
        score = float(cfg["context_score"] if context else cfg["score"])
        out.append(Finding("", "PHONE", start, end, score, "regex:phone"))
    return out


def nhs_checksum_ok(digits: str) -> bool:
    """Whether ten digits pass the NHS number modulus-11 check.

    The first nine digits are weighted 10 down to 2; 11 minus the remainder
    of the sum divided by 11 is the check digit, 11 meaning 0 and 10 meaning
    the number cannot be valid.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _last_match_end(pattern: re.Pattern[str], text: str) -> int | None:
    end = None
    for m in pattern.finditer(text):
        end = m.end()
    return end


def find_nhs_numbers(text: str, rules: Rules, *, taken: Sequence[Finding] = ()) -> list[Finding]:
    """NHS numbers: 3-3-4 or 10-digit runs, scored by the modulus-11 check and context.

    Runs that start with 0 (phone numbers), that overlap a phone finding in
    ``taken``, or that follow a word naming another kind of number ("ref",
    "crime", "tel"...) are left alone unless NHS context is nearer.
    """
    cfg = rules.data["nhs_number"]
    scores = cfg["scores"]
    window = int(cfg["window"])
    not_window = int(rules.data["not_nhs_context"]["window"])
    out = []
    for m in rules.nhs.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        start, end = m.start(), m.end()
        if digits[0] == "0" or any(f.start < end and start < f.end for f in taken):
            continue
        before = text[max(0, start - window) : start]
        nhs_at = _last_match_end(rules.nhs_context, before)
        # Words inside an NHS cue ("NHS no.") do not count as other-number cues.
        masked = rules.nhs_context.sub(lambda c: " " * len(c.group()), before)
        other_before = masked[max(0, len(masked) - not_window) :]
        other_at = _last_match_end(rules.not_nhs_context, other_before)
        if other_at is not None:
            other_at += len(before) - len(other_before)
        if other_at is not None and (nhs_at is None or other_at > nhs_at):
            continue
        context = nhs_at is not None
        spaced = bool(m.group(2))
        if nhs_checksum_ok(digits):
            score = (
                scores["valid_with_context"]
                if context
                else scores["valid_spaced" if spaced else "valid_plain"]
            )
        elif context:
            score = scores["invalid_with_context"]
        elif spaced:
            score = scores["invalid_spaced"]
        else:
            continue
        detector = "regex:nhs_number" + ("+checksum" if nhs_checksum_ok(digits) else "")
        out.append(Finding("", "NHS_NUMBER", start, end, float(score), detector))
    return out


def find_ni_numbers(text: str, rules: Rules) -> list[Finding]:
    """National Insurance numbers under HMRC's prefix rules; QQ test numbers flagged lower."""
    cfg = rules.data["ni_number"]
    scores = cfg["scores"]
    window = int(cfg["window"])
    out = []
    for m in rules.ni.finditer(text):
        prefix = m.group(1).upper()
        suffix = m.group(5)
        if m.group(1).islower() != (suffix or m.group(1)).islower() and suffix:
            pass  # mixed case is still a number someone typed
        context = rules.ni_context.search(text[max(0, m.start() - window) : m.start()]) is not None
        valid_prefix = (
            prefix[0] not in cfg["first_letter_not"]
            and prefix[1] not in cfg["second_letter_not"]
            and prefix not in cfg["prefixes_not"]
        )
        if prefix in cfg["test_prefixes"]:
            if not (suffix or context):
                continue
            score, detector = scores["test_prefix"], "regex:ni_number:test_prefix"
        elif valid_prefix and suffix:
            score, detector = scores["valid"], "regex:ni_number"
        elif valid_prefix and context:
            score, detector = scores["valid_no_suffix_with_context"], "regex:ni_number"
        elif context:
            score, detector = scores["invalid_with_context"], "regex:ni_number:context"
        else:
            continue
        out.append(Finding("", "NI_NUMBER", m.start(), m.end(), float(score), detector))
    return out


def find_postcodes(text: str, rules: Rules) -> list[Finding]:
    """Full UK postcodes (upper case; lower case scored lower)."""
    cfg = rules.data["postcode"]
    out = [
        Finding("", "POSTCODE", m.start(), m.end(), float(cfg["score"]), "regex:postcode")
        for m in rules.postcode.finditer(text)
    ]
    seen = {(f.start, f.end) for f in out}
    for m in rules.postcode_any_case.finditer(text):
        if (m.start(), m.end()) not in seen and any(ch.isdigit() for ch in m.group()):
            out.append(
                Finding("", "POSTCODE", m.start(), m.end(), float(cfg["lowercase_score"]), "regex:postcode")
            )
    return out


def find_dates_of_birth(text: str, rules: Rules) -> list[Finding]:
    """Dates next to "DOB", "born", "date of birth" (in the same sentence)."""
    cfg = rules.data["date_of_birth"]
    before_w, after_w = int(cfg["window_before"]), int(cfg["window_after"])
    out = []
    for m in rules.date.finditer(text):
        before = text[max(0, m.start() - before_w) : m.start()]
        after = text[m.end() : m.end() + after_w]
        after = _SENTENCE_END.split(after, maxsplit=1)[0]
        cues = list(rules.dob_cue.finditer(before))
        gap = before[cues[-1].end() :] if cues else ""
        if cues and (rules.date.search(gap) or _SENTENCE_END.search(gap)):
            cues = []  # another date, or a sentence break, sits between the cue and this date
        if cues or re.search(r"^\W{0,3}\(?\s*(?i:d\.?o\.?b\.?)\b", after):
            out.append(Finding("", "DATE_OF_BIRTH", m.start(), m.end(), float(cfg["score"]), "regex:dob"))
    return out


def _agency_spans(text: str, rules: Rules) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in rules.agencies:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
    return spans


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


_ABBREVIATIONS = {"rd", "st", "ave", "ln", "dr", "ct", "pl", "gdns", "sq"}


def find_addresses(text: str, rules: Rules, *, agencies: Sequence[tuple[int, int]] = ()) -> list[Finding]:
    """House number plus street (with an optional town); a street named after "on", "in"... scored lower."""
    cfg = rules.data["address"]
    out = []
    for m in rules.address.finditer(text):
        start, end = m.start(), m.end()
        # A town captured after a comma must look like a place, not a role or a pseudonym.
        comma = text.rfind(",", start, end)
        if comma > 0 and text[comma + 1 : end].strip():
            town = text[comma + 1 : end].strip()
            first = town.split()[0].lower()
            street_part = text[start:comma].split()
            if (
                street_part
                and street_part[-1].rstrip(".").lower() in rules.street_types
                and (first in rules.not_names or first in rules.roles or _is_pseudonym(town, rules))
            ):
                end = comma
        if _inside(start, end, agencies):
            continue
        if text[end - 1] == "." and text[start:end].split()[-1].rstrip(".").lower() not in _ABBREVIATIONS:
            end -= 1
        out.append(Finding("", "ADDRESS", start, end, float(cfg["score"]), "regex:address"))
    taken = [(f.start, f.end) for f in out]
    for m in rules.building.finditer(text):
        if not _overlaps(m.start(), m.end(), [(f.start, f.end) for f in out]):
            out.append(Finding("", "ADDRESS", m.start(), m.end(), float(cfg["score"]), "regex:building"))
    taken = [(f.start, f.end) for f in out]
    for m in rules.street_only.finditer(text):
        start, end = m.start("street"), m.end("street")
        words = text[start:end].split()
        if _overlaps(start, end, taken) or _inside(start, end, agencies):
            continue
        if all(w.lower() in rules.not_names or w.lower() in rules.roles for w in words[:-1]):
            continue
        if text[end - 1] == "." and text[start:end].split()[-1].rstrip(".").lower() not in _ABBREVIATIONS:
            end -= 1
        out.append(Finding("", "ADDRESS", start, end, float(cfg["street_only_score"]), "regex:street"))
    return out


_LEADING_FUNCTION = {"the", "a", "an", "at", "in", "on", "to", "from", "by", "with", "for", "and", "of",
                     "her", "his", "their", "our", "this", "that", "its", "my", "your", "when", "while",
                     "after", "before", "both", "neither", "either", "upon", "le", "la", "de"}  # fmt: skip


def find_facilities(text: str, rules: Rules, *, agencies: Sequence[tuple[int, int]] = ()) -> list[Finding]:
    """Named schools, academies, nurseries, surgeries, health centres, hospitals and wards."""
    cfg = rules.data["facility"]
    out = []
    for m in rules.facility.finditer(text):
        name_start = m.start("name")
        words = list(_WORD.finditer(m.group("name")))
        # Drop leading function words ("at the", "The") and anything up to a
        # sentence break inside the name.
        while words and words[0].group().lower().rstrip(".") in _LEADING_FUNCTION:
            words.pop(0)
        if not words:
            continue
        start = name_start + words[0].start()
        end = m.end()
        tail = text[end : end + 40]
        if rules.agency_tails.match(tail) or text[end : end + 1] == "s":
            continue
        distinctive = [
            w.group()
            for w in words
            if w.group().lower() not in rules.facility_generic
            and w.group().lower() not in _LEADING_FUNCTION
            and not re.fullmatch(r"[A-Z](?:['’]s)?", w.group())
            and w.group().lower() not in rules.roles
            and w.group().lower() not in rules.not_names
        ]
        if not distinctive:
            continue
        if _is_pseudonym(text[start : m.start("suffix")].strip(), rules) or _inside(start, end, agencies):
            continue
        out.append(Finding("", "FACILITY", start, end, float(cfg["score"]), "regex:facility"))
    for m in rules.ward.finditer(text):
        first = m.group().split()[0]
        if first.lower() != "ward" and (first.lower() in rules.ward_not or first.lower() in rules.not_names):
            continue
        if first.lower() == "ward" and m.start() > 0 and re.search(r"(?i)electoral\s+$", text[: m.start()]):
            continue
        out.append(Finding("", "FACILITY", m.start(), m.end(), float(cfg["ward_score"]), "regex:ward"))
    return out


# -- people -------------------------------------------------------------------


def _is_pseudonym(candidate: str, rules: Rules) -> bool:
    candidate = candidate.strip().strip(".,;:()")
    return any(p.match(candidate) for p in rules.pseudonyms)


def _is_role_or_agency_words(candidate: str, rules: Rules) -> bool:
    words = [_POSSESSIVE.sub("", w).lower() for w in _WORD.findall(candidate)]
    return not words or all(
        w in rules.roles or w in rules.not_names or w in rules.titles or w in rules.kinship for w in words
    )


def is_allowed_person(candidate: str, rules: Rules) -> bool:
    """Whether a candidate name is one the screen must leave alone (pseudonym, role, agency word).

    >>> from pigan.screening.rules import load_rules
    >>> rules = load_rules()
    >>> [is_allowed_person(x, rules) for x in ["Adult A", "Mr D", "Practitioner 3", "Jason Pike"]]
    [True, True, True, False]
    """
    candidate = candidate.strip()
    if (
        not candidate
        or not candidate[0].isupper()
        or any(ch.isdigit() for ch in candidate.replace(" ", "")[:1])
    ):
        return True
    if _is_pseudonym(candidate, rules):
        return True
    if any(ch.isdigit() for ch in candidate):
        return True
    return _is_role_or_agency_words(candidate, rules)


def _trim_name(text: str, start: int, end: int, rules: Rules) -> tuple[int, int]:
    """Cut trailing words of a candidate name that are roles, streets or not names ("Jason Police")."""
    words = list(_WORD.finditer(text, start, end))
    while len(words) > 1:
        last = _POSSESSIVE.sub("", words[-1].group()).lower()
        if (
            last in rules.roles
            or last in rules.not_names
            or last in rules.street_types
            or (last in rules.facility_suffix_words)
        ):
            words.pop()
        else:
            break
    end = words[-1].end() if words else end
    if _POSSESSIVE.search(text[start:end]):
        end -= 2
    return start, end


def find_people_by_context(text: str, rules: Rules) -> list[Finding]:
    """Names found by context: titles ("Mrs Hollis"), relations ("her son Callum"), cues, given names."""
    scores = rules.data["person"]["scores"]
    out: list[Finding] = []

    def add(start: int, end: int, detector: str, score: float, *, check_from: int | None = None) -> None:
        start, end = _trim_name(text, start, end, rules)
        name_part = text[check_from if check_from is not None else start : end]
        if end <= start or is_allowed_person(name_part, rules):
            return
        out.append(Finding("", "PERSON", start, end, float(score), detector))

    for m in rules.title_name.finditer(text):
        add(m.start(), m.end("name"), "context:title", scores["title"], check_from=m.start("name"))
    for m in rules.kin_name.finditer(text):
        add(m.start("name"), m.end("name"), "context:kinship", scores["kinship"])
    for m in rules.name_kin.finditer(text):
        add(m.start("name"), m.end("name"), "context:kinship", scores["kinship"])
    for m in rules.cue_name.finditer(text):
        add(m.start("name"), m.end("name"), "context:name_cue", scores["name_cue"])
    for m in rules.family.finditer(text):
        add(m.start(1), m.end(1), "context:family", scores["family"])
    for m in rules.name_age.finditer(text):
        add(m.start("name"), m.end("name"), "context:age", scores["age"])
    for m in re.finditer(r"(?<![\w'’-])([A-Z][a-z]+)(?![\w-])", text):
        if m.group(1) not in rules.given_names:
            continue
        start, end = m.start(1), m.end(1)
        following = re.match(r"\s+((?:Mc|Mac|O['’])?[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?)", text[end:])
        if following:
            word = _POSSESSIVE.sub("", following.group(1)).lower()
            if not (
                word in rules.roles
                or word in rules.not_names
                or word in rules.street_types
                or word in rules.facility_suffix_words
                or word in rules.facility_generic
            ):
                end += following.end()
        add(start, end, "context:given_name", scores["given_name"])
    return out


def extend_conjoined_people(text: str, people: Sequence[Finding], rules: Rules) -> list[Finding]:
    """Names joined to a found name by "and" or "&" ("Parents Jason Pike and Kerry Doyle")."""
    out = list(people)
    for person in people:
        m = rules.and_name.match(text, person.end)
        if m is None:
            continue
        start, end = _trim_name(text, m.start("name"), m.end("name"), rules)
        if end > start and not is_allowed_person(text[start:end], rules):
            out.append(replace(person, start=start, end=end, detector=person.detector + "+and"))
    return out


_SENTENCE_START = re.compile(r"(?:\A|[.!?:;]['\"’”)]*\s+|\n\s*|^\s*[-*\u2022]\s+)['\"‘“(]?\Z", re.M)


def _common_word(word: str, common_words: frozenset[str]) -> bool:
    """Whether a word, or a plain inflection of it, is an everyday English word."""
    word = word.lower()
    stems = {word, word[:-1], word[:-2], word[:-3], word[:-3] + "e", word[:-2] + "e", word[:-3] + "y"}
    return any(len(stem) > 2 and stem in common_words for stem in stems if stem)


def filter_model_people(
    text: str,
    ents: Iterable[tuple[int, int, str]],
    rules: Rules,
    *,
    common_words: frozenset[str] = frozenset(),
) -> list[Finding]:
    """The model's PERSON entities, minus pseudonyms, roles, agency words and family words.

    A one-word entity is also dropped when it is an acronym ("RAG"), or when
    it starts a sentence and is an everyday English word ("Info was in six
    places"): capitals at the start of a sentence mislead the model. Given
    names on the list in the rules are found by their own detector.
    """
    score = float(rules.data["person"]["scores"]["ner"])
    out = []
    for start, end, label in ents:
        if label != "PERSON":
            continue
        # Leading titles and relation words stay outside the name; the title rule covers "Mr X".
        words = list(_WORD.finditer(text, start, end))
        while words and _POSSESSIVE.sub("", words[0].group()).lower().rstrip(".") in (
            rules.kinship | rules.not_names | {"the", "a", "an"}
        ):
            words.pop(0)
        if not words:
            continue
        candidate_start = words[0].start()
        if words[0].group().rstrip(".").lower() in rules.titles and len(words) > 1:
            check_from = words[1].start()
        else:
            check_from = candidate_start
        s, e = _trim_name(text, candidate_start, words[-1].end(), rules)
        if e <= s or is_allowed_person(text[check_from:e], rules):
            continue
        if len(words) == 1 and s == words[0].start():
            word = _POSSESSIVE.sub("", text[s:e])
            if word.isupper() and len(word) <= 5:
                continue
            if _SENTENCE_START.search(text[:s]) and _common_word(word, common_words):
                continue
        following = re.match(r"\s+(?:[A-Z]\d{0,2}|\d{1,3})(?![\w])", text[end:])
        extended = text[start : end + following.end()] if following else text[start:end]
        if _is_pseudonym(text[s:e], rules) or _is_pseudonym(extended, rules):
            continue
        out.append(Finding("", "PERSON", s, e, score, "ner"))
    return out


# -- deny list ------------------------------------------------------------------


_STOP_TOKENS = {"the", "and", "of", "a", "an", "de", "van", "von", "la", "le", "st", "jr", "sr"}


def find_denied(text: str, deny_list: DenyList | None, rules: Rules) -> list[Finding]:
    """Names and places on the event's deny list (case-insensitive, whole tokens)."""
    if not deny_list:
        return []
    out = []
    suffix_words = rules.facility_suffix_words | {"ward"}

    def search(phrase: str, type_: str, *, title_case_only: bool = False) -> None:
        body = r"\s+".join(re.escape(piece) for piece in phrase.split())
        flags = 0 if title_case_only else re.I
        for m in re.finditer(r"(?<![\w])" + body + r"(?:['’]s)?(?![\w])", text, flags):
            end = m.end() - 2 if _POSSESSIVE.search(m.group()) and not phrase.endswith("s") else m.end()
            out.append(Finding("", type_, m.start(), end, 1.0, "deny_list"))

    for name in deny_list.names:
        search(name, "PERSON")
        tokens = [t for t in name.split() if len(t) > 2 and t.lower() not in _STOP_TOKENS]
        if len(tokens) > 1 or tokens != name.split():
            for token in tokens:
                common = (
                    token.lower() in rules.titles
                    or token.lower() in rules.kinship
                    or token.lower() in rules.roles
                    or token.capitalize() in rules.ambiguous_names
                )
                search(token.capitalize() if common else token, "PERSON", title_case_only=common)
    for place in deny_list.places:
        words = {w.lower().strip(".,") for w in place.split()}
        type_ = "FACILITY" if words & suffix_words else "ADDRESS"
        search(place, type_)
    return out


# -- putting them together ---------------------------------------------------------


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per stretch of text.

    Overlapping findings of the same type merge into their union (best score,
    its detector). Where types differ, the type earlier in
    :data:`TYPE_PRIORITY` wins and the other is dropped (a name inside
    "St Mary's Hospital" is part of the facility, not a person).
    """
    current = list(findings)
    while True:
        kept = _resolve_once(current)
        if len(kept) == len(current) or not _has_overlap(kept):
            return sorted(kept, key=lambda f: (f.start, f.end))
        current = kept


def _resolve_once(findings: Sequence[Finding]) -> list[Finding]:
    ordered = sorted(findings, key=lambda f: (_PRIORITY.get(f.type, 99), f.start, -f.end, -f.score))
    kept: list[Finding] = []
    for finding in ordered:
        for i, other in enumerate(kept):
            if not (other.start < finding.end and finding.start < other.end):
                continue
            if other.type == finding.type:
                best = other if other.score >= finding.score else finding
                kept[i] = replace(
                    best, start=min(other.start, finding.start), end=max(other.end, finding.end)
                )
            break
        else:
            kept.append(finding)
    return kept


def _has_overlap(findings: Sequence[Finding]) -> bool:
    ordered = sorted(findings, key=lambda f: f.start)
    return any(a.end > b.start for a, b in pairwise(ordered))


def screen_text(
    text: str,
    rules: Rules,
    *,
    ents: Iterable[tuple[int, int, str]] = (),
    deny_list: DenyList | None = None,
    min_score: float = 0.0,
    common_words: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every finding in one text (``note_id`` left empty), overlaps resolved, in text order.

    Parameters
    ----------
    text
        The note text.
    rules
        Compiled rules (:func:`pigan.screening.rules.load_rules`).
    ents
        The model's entities as ``(start_char, end_char, label)``; only PERSON is used.
    deny_list
        The event's known names and places.
    min_score
        Findings scoring below this are dropped.
    common_words
        Everyday English words (:func:`common_words`), used to drop the model's
        one-word PERSON entities that merely start a sentence.
    """
    agencies = _agency_spans(text, rules)
    found: list[Finding] = []
    found += find_emails(text, rules)
    phones = find_phones(text, rules)
    found += phones
    found += find_nhs_numbers(text, rules, taken=phones)
    found += find_ni_numbers(text, rules)
    found += find_postcodes(text, rules)
    found += find_dates_of_birth(text, rules)
    found += find_facilities(text, rules, agencies=agencies)
    found += find_addresses(text, rules, agencies=agencies)
    people = find_people_by_context(text, rules) + filter_model_people(
        text, ents, rules, common_words=common_words
    )
    people = extend_conjoined_people(text, people, rules)
    found += [p for p in people if not _overlaps(p.start, p.end, agencies)]
    found += find_denied(text, deny_list, rules)
    return [f for f in resolve_overlaps(found) if f.score >= min_score]


def common_words(nlp: object) -> frozenset[str]:
    """Everyday English words from the pipeline's lemmatizer tables (WordNet's index), if it has them."""
    try:
        lemmatizer = nlp.get_pipe("lemmatizer")  # type: ignore[attr-defined]
        index = lemmatizer.lookups.get_table("lemma_index")
    except (KeyError, AttributeError, ValueError):
        return frozenset()
    return frozenset(word for words in index.values() for word in words if "_" not in word)
