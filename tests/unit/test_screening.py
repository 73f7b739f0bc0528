"""Screening detectors on a blank pipeline: each type, its hard negatives, redaction and the component."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from pigan.errors import ConfigError
from pigan.models import Note
from pigan.screening import (
    DenyList,
    Finding,
    PseudonymMap,
    load_deny_list,
    load_rules,
    nhs_checksum_ok,
    redact_notes,
    screen_notes,
    screen_text,
)
from pigan.screening.component import PiiScreener
from pigan.screening.rules import Rules


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def found(text: str, rules: Rules, deny_list: DenyList | None = None) -> list[tuple[str, str]]:
    """(type, matched text) of every finding, pattern detectors only."""
    return [(f.type, text[f.start : f.end]) for f in screen_text(text, rules, deny_list=deny_list)]


# -- NHS numbers: the checksum sets the score; other numbers raise no alarm ---------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("9990000018", True), ("9990000017", False), ("9434765919", True), ("9434765918", False),
     ("1234567890", False), ("999000001", False)],
    ids=["999-000-0018-valid", "999-000-0017-invalid", "943-valid", "943-invalid", "check-10", "nine-digits"],
)  # fmt: skip
def test_nhs_checksum(digits: str, valid: bool) -> None:
    assert nhs_checksum_ok(digits) is valid


def test_valid_nhs_number_scores_higher_than_a_mistyped_one(rules: Rules) -> None:
    text = "NHS number 999 000 0018 on the letter, 999 000 0017 on the referral."
    scores = {text[f.start : f.end]: f.score for f in screen_text(text, rules)}
    assert set(scores) == {"999 000 0018", "999 000 0017"}
    assert scores["999 000 0018"] > scores["999 000 0017"] >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Crime ref 123 456 7890 was given to mum.",
        "MASH ref: 9990000018 logged on the Monday.",
        "Case reference CR-9990000018 was closed.",
        "Mosaic ID 4567891234 held the referral.",
        "Call 020 7946 0123 for the duty desk.",
        "Tel 0113 496 0000 (switchboard).",
    ],
    ids=["crime-ref-334", "mash-ref-plain", "prefixed-ref", "mosaic-id", "london-landline", "leeds-landline"],
)
def test_reference_and_phone_numbers_are_not_nhs_numbers(text: str, rules: Rules) -> None:
    assert not [t for t, _ in found(text, rules) if t == "NHS_NUMBER"]


# -- every type: positives ------------------------------------------------------------------

POSITIVES = [
    ("EMAIL", "Emailed jo.bloggs@example.org on Friday.", "jo.bloggs@example.org"),
    ("PHONE", "Mum's mobile is 07700 900123.", "07700 900123"),
    ("PHONE", "Called +44 (0)20 7946 0456 twice.", "+44 (0)20 7946 0456"),
    ("PHONE", "Rang (0113) 496 0789 and left a message.", "(0113) 496 0789"),
    ("PHONE", "Number given as 07700-900-321.", "07700-900-321"),
    ("NHS_NUMBER", "NHS no 9990000018 on the form.", "9990000018"),
    ("NHS_NUMBER", "Her NHS number (999-000-0018) was wrong.", "999-000-0018"),
    ("NI_NUMBER", "NI number QQ 12 34 56 C on the letter.", "QQ 12 34 56 C"),
    ("NI_NUMBER", "National Insurance: QQ123456A.", "QQ123456A"),
    ("NI_NUMBER", "HMRC record AB 12 34 56 C found.", "AB 12 34 56 C"),
    ("POSTCODE", "The flat is in CB99 1ZZ near the station.", "CB99 1ZZ"),
    ("POSTCODE", "Moved to W1A 0AX in May.", "W1A 0AX"),
    ("DATE_OF_BIRTH", "Child B (DOB 12/03/2015) was seen.", "12/03/2015"),
    ("DATE_OF_BIRTH", "The baby was born on 3rd June 2019 at 36 weeks.", "3rd June 2019"),
    ("DATE_OF_BIRTH", "Date of birth: 2019-06-03.", "2019-06-03"),
    ("ADDRESS", "Police attended 14 Mill Road, Fenbridge at night.", "14 Mill Road, Fenbridge"),
    ("ADDRESS", "She lived at Flat 2, 27 Heather Close with him.", "Flat 2, 27 Heather Close"),
    ("ADDRESS", "Temporary room at Flat 4, Croft House since May.", "Flat 4, Croft House"),
    ("FACILITY", "Child B attends Greenfield Primary School.", "Greenfield Primary School"),
    ("FACILITY", "Registered at Oakfield Medical Centre since 2012.", "Oakfield Medical Centre"),
    ("FACILITY", "Admitted to St Mary's Hospital then Ward 7B.", "St Mary's Hospital"),
    ("FACILITY", "Admitted to St Mary's Hospital then Ward 7B.", "Ward 7B"),
    ("PERSON", "Mrs Hollis next door called the police.", "Mrs Hollis"),
    ("PERSON", "Mum's partner Jason was at the house.", "Jason"),
    ("PERSON", "Her son Callum was not at school.", "Callum"),
    ("PERSON", "Tremaine (aged 4) was in the room.", "Tremaine"),
    ("PERSON", "Nobody knew that Kayleigh Doyle had moved in.", "Kayleigh Doyle"),
    ("PERSON", "The Quigley family were known to housing.", "Quigley"),
]


@pytest.mark.parametrize(("type_", "text", "expected"), POSITIVES, ids=[f"{t}-{e}" for t, _, e in POSITIVES])
def test_detector_finds(type_: str, text: str, expected: str, rules: Rules) -> None:
    assert (type_, expected) in found(text, rules)


def test_qq_test_prefix_is_flagged_lower_than_a_real_format_number(rules: Rules) -> None:
    qq = screen_text("NI number QQ 12 34 56 C.", rules)
    real = screen_text("NI number AB 12 34 56 C.", rules)
    assert qq[0].type == real[0].type == "NI_NUMBER"
    assert qq[0].score < real[0].score


@pytest.mark.parametrize(
    "text",
    ["Reference DA 12 34 56 A on the file.", "Code GB 12 34 56 A in the system.", "Code TN123456B."],
    ids=["first-letter-D", "prefix-GB", "prefix-TN"],
)
def test_never_issued_ni_prefixes_without_context_are_not_flagged(text: str, rules: Rules) -> None:
    assert not [t for t, _ in found(text, rules) if t == "NI_NUMBER"]


# -- hard negatives: pseudonyms, roles, agencies, other dates ----------------------------------

HARD_NEGATIVES = [
    "Adult A was known to the duty social worker from 2019.",
    "Child B told the teacher that Mr D shouted.",
    "Practitioner 3 said the front door was stretched.",
    "Adult A's mum and Child B1 were both present; Young Person C was not.",
    "The Cambridgeshire and Peterborough Safeguarding Adults Board commissioned the review.",
    "North West Anglia NHS Foundation Trust and Norfolk Constabulary attended.",
    "Papworth Hospital NHS Foundation Trust sent two nurses.",
    "The Health Visitor and the Designated Safeguarding Lead met on 12/03/2021.",
    "Strategy discussion held on 3 June 2019; MASH ref 12345678.",
    "P07 said the GP surgery and the primary school both knew.",
    "Key Practice Episode 2 covers the discharge from the ward.",
    "Mum said Dad and Nan were looking after the baby.",
    "The baby was born prematurely and spent a week on the neonatal unit.",
    "There were 3 referrals in 2021 and 14 contacts in total.",
    "Section 42 enquiry opened under the Care Act 2014.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES, ids=[t[:40] for t in HARD_NEGATIVES])
def test_hard_negatives_raise_no_alarm(text: str, rules: Rules) -> None:
    assert found(text, rules) == []


def test_a_date_that_is_not_next_to_a_birth_cue_is_not_a_date_of_birth(rules: Rules) -> None:
    text = "DOB 12/03/2015, seen at clinic on 14/05/2021."
    assert [e for t, e in found(text, rules) if t == "DATE_OF_BIRTH"] == ["12/03/2015"]


# -- deny list -----------------------------------------------------------------------------------


def test_deny_list_matches_case_insensitively_and_by_token(tmp_path: Path, rules: Rules) -> None:
    path = tmp_path / "deny_list.yaml"
    path.write_text("names:\n- Douglas Fenby\nplaces:\n- Ashgrove Terrace\n- Moorside Medical Practice\n")
    deny = load_deny_list(path)
    text = (
        "DOUGLAS FENBY's son rang; mr fenby later moved to ashgrove terrace, near moorside medical practice."
    )
    result = found(text, rules, deny)
    assert ("PERSON", "DOUGLAS FENBY") in result
    assert ("PERSON", "fenby") in result or ("PERSON", "mr fenby") in result
    assert ("ADDRESS", "ashgrove terrace") in result
    assert ("FACILITY", "moorside medical practice") in result


def test_deny_list_does_not_match_inside_other_words(rules: Rules) -> None:
    deny = DenyList(names=("Ann Lee",))
    assert found("The annual review by the leeward team.", rules, deny) == []


@pytest.mark.parametrize(
    "content",
    ["names: Douglas\n", "people:\n- Douglas\n", "- just a list\n"],
    ids=["names-not-a-list", "unknown-key", "not-a-mapping"],
)
def test_bad_deny_list_is_a_config_error_naming_the_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "deny_list.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=r"deny_list\.yaml"):
        load_deny_list(path)


def test_rules_missing_a_key_is_a_config_error_naming_the_section(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: '1'\nemail: {regex: 'x'}\n")
    with pytest.raises(ConfigError, match="email"):
        load_rules(path)


# -- redaction -------------------------------------------------------------------------------------


def test_redaction_gives_one_person_the_same_pseudonym_in_every_note(rules: Rules) -> None:
    notes = [
        Note("e", "n1", "Her son Callum was seen by Mrs Hollis."),
        Note("e", "n2", "Mrs Hollis rang about her son Callum again."),
        Note("e", "n3", "Mum's partner Jason answered; HOLLIS was not in."),
    ]
    findings = screen_notes(notes, nlp=spacy.blank("en"), rules=rules)
    redacted = redact_notes(notes, findings)
    assert redacted["n1"] == "Her son [PERSON 1] was seen by [PERSON 2]."
    assert redacted["n2"] == "[PERSON 2] rang about her son [PERSON 1] again."
    assert redacted["n3"].startswith("Mum's partner [PERSON 3] answered")


def test_redaction_leaves_false_alarms_and_never_changes_the_note(rules: Rules) -> None:
    note = Note("e", "n1", "Call 07700 900123 or email jo@example.org.")
    findings = screen_notes([note], nlp=spacy.blank("en"), rules=rules)
    phone = next(f for f in findings if f.type == "PHONE")
    dismissed = [Finding(**{**f.__dict__, "decision": "false_alarm"}) if f is phone else f for f in findings]
    redacted = redact_notes([note], dismissed)
    assert redacted["n1"] == "Call 07700 900123 or email [EMAIL 1]."
    assert note.text == "Call 07700 900123 or email jo@example.org."


def test_phone_numbers_written_differently_share_a_pseudonym() -> None:
    pseudonyms = PseudonymMap()
    assert pseudonyms.label("PHONE", "07700 900123") == pseudonyms.label("PHONE", "+44 7700 900123")


# -- the spaCy component ----------------------------------------------------------------------------


def test_component_in_a_blank_pipeline_stores_findings_on_the_doc() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("pigan_pii")
    nlp.initialize()
    doc = nlp("Adult A lives at 14 Mill Road, CB99 1ZZ; NHS no 999 000 0018.")
    assert [f.type for f in doc._.pigan_pii] == ["ADDRESS", "POSTCODE", "NHS_NUMBER"]
    assert [s.label_ for s in doc.spans["pigan_pii"]] == ["ADDRESS", "POSTCODE", "NHS_NUMBER"]


def test_component_rules_round_trip_through_disk(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    screener = nlp.add_pipe("pigan_pii")
    assert isinstance(screener, PiiScreener)
    data = load_rules().data
    data["postcode"]["score"] = 0.42
    screener.add_patterns(data)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded("Moved to CB99 1ZZ.")
    assert [(f.type, f.score) for f in doc._.pigan_pii] == [("POSTCODE", 0.42)]
