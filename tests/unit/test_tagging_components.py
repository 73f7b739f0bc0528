"""pigan's spaCy components on blank pipelines: cues, evidence offsets, negation, hypotheticals, blame.

A blank English pipeline has a tokenizer only: cues match the words as
written, there is no parse (blame targets are found by nearness) and, unless
a sentencizer is added, the whole text is one sentence.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pigan.models import Note
from pigan.tagging import build_pipeline, load_codebook, tag_notes
from pigan.tagging.components import (
    FLAGS_KEY,
    THEMES_KEY,
    counts,
    sentence_features,
    tag_info,
)


@functools.cache
def model_rules() -> Language:
    """The English model with pigan's rule components and no classifier."""
    return build_pipeline(classifier=False)


def blank_pipeline(*, sentencizer: bool = False) -> Language:
    """A blank English pipeline with pigan's rule components set up from the packaged files."""
    nlp = spacy.blank("en")
    if sentencizer:
        nlp.add_pipe("sentencizer")
    book = load_codebook()
    nlp.add_pipe("pigan_themes").initialize(codebook=book)  # type: ignore[attr-defined]
    nlp.add_pipe("pigan_flags").initialize()  # type: ignore[attr-defined]
    nlp.add_pipe("pigan_context").initialize(  # type: ignore[attr-defined]
        keep_negated=[c.id for c in book.codes if c.keep_negated] + ["blame", "singling_out"],
        keep_hypothetical=[c.id for c in book.codes if c.keep_hypothetical] + ["blame", "singling_out"],
    )
    return nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_pipeline()


def themes(doc: Doc, label: str) -> list[dict[str, object]]:
    """The theme spans of one topic, with their text and recorded values."""
    return [{"text": s.text, **tag_info(s)} for s in doc.spans[THEMES_KEY] if s.label_ == label]


def blame(doc: Doc) -> list[dict[str, object]]:
    return [
        {"text": s.text, "counts": counts(s), **tag_info(s)}
        for s in doc.spans[FLAGS_KEY]
        if s.label_ == "blame"
    ]


@pytest.mark.parametrize(
    ("text", "topic", "cue"),
    [
        ("Her caseload was over 600 families.", "context.workload", "caseload"),
        ("The team relied on agency staff all winter.", "context.staffing", "agency staff"),
        ("Visits stopped during lockdown.", "context.covid", "lockdown"),
        ("Nobody asked who else was living at the flat.", "decision_influence.curiosity", "nobody asked"),
        ("She responded promptly to the call.", "good_practice.timely_action", "promptly"),
        (
            "It would help if housing were invited to strategy meetings.",
            "recommendation.practitioner_suggestions",
            "it would help if",
        ),
        (
            "Agencies should ensure that the resolution protocol is used.",
            "recommendation.procedures_pathways",
            "should ensure",
        ),
        ("The chronology should read 12 May, not 21 May.", "case_story.correction", "should read"),
    ],
    ids=[
        "workload",
        "staffing",
        "covid",
        "curiosity",
        "timely-action",
        "suggestion",
        "prescription",
        "correction",
    ],
)
def test_cue_tags_its_topic_with_evidence_that_slices_back_to_the_cue(
    nlp: Language, text: str, topic: str, cue: str
) -> None:
    doc = nlp(text)
    spans = [s for s in doc.spans[THEMES_KEY] if s.label_ == topic]
    assert spans, f"{topic} not found"
    span = next(s for s in spans if tag_info(s)["rule"] == f"cue:{cue}")
    assert text[span.start_char : span.end_char].lower() == cue
    assert counts(span)


def test_tag_offsets_in_note_results_slice_back_to_the_evidence() -> None:
    pipeline = build_pipeline(spacy.blank("en"), classifier=False)
    text = "During LOCKDOWN the HV caseload rose; an advocate would have helped."
    [result] = tag_notes([Note("e", "n1", text)], nlp=pipeline)
    evidence = {t.code: text[t.start : t.end] for t in result.tags}
    assert evidence["context.covid"] == "LOCKDOWN"
    assert evidence["context.workload"] == "caseload"
    assert evidence["good_practice.person_centred"] == "advocate"
    assert result.codes == ["context"]  # the advocate is hypothetical: not good practice
    for tag in result.tags:
        assert 0 <= tag.sentence_start <= tag.start < tag.end <= tag.sentence_end <= len(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "The health visitor accepted Mother's explanation for the bruise.",
            "decision_influence.assumptions",
        ),
        ("His account was accepted without any checks.", "decision_influence.assumptions"),
        ("Mr T missed two appointments at the memory clinic.", "decision_influence.engagement"),
        ("The process at the time was to close after two failed visits.", "context.policy_thresholds"),
    ],
    ids=["accepted-explanation", "account-was-accepted", "missed-appointments", "process-noun"],
)
def test_codebook_patterns_tag_their_topic(text: str, topic: str) -> None:
    # Patterns match lemmas ("accepted" -> accept), so they need the English model's lemmatizer.
    doc = model_rules()(text)
    spans = [s for s in doc.spans[THEMES_KEY] if s.label_ == topic and counts(s)]
    assert spans, f"{topic} not found"
    assert tag_info(spans[0])["rule"].startswith("pattern")


def test_processing_a_referral_is_not_a_policy_in_force() -> None:
    doc = model_rules()("The hub officer processed the April referral the same day.")
    assert not [s for s in doc.spans[THEMES_KEY] if s.label_ == "context.policy_thresholds"]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The acute trust sent the discharge letter.", "good_practice.relationships"),
        ("Partner agencies met on 4 May.", "decision_influence.fathers_carers"),
        ("He signed the visitor log on arrival.", "context.systems"),
        ("The meeting was short.", "context.staffing"),
    ],
    ids=["nhs-trust", "partner-agencies", "visitor-log", "short"],
)
def test_everyday_words_that_name_no_theme_are_not_cues(nlp: Language, text: str, topic: str) -> None:
    doc = nlp(text)
    assert not [s for s in doc.spans[THEMES_KEY] if s.label_ == topic]


@pytest.mark.parametrize(
    ("text", "topic", "negated"),
    [
        ("No concerns about workload were raised.", "context.workload", True),
        ("No one raised workload as the reason for the closure.", "context.workload", True),
        ("Practitioners said caseloads were manageable.", "context.workload", True),
        ("There was no joint visit.", "good_practice.joint_working", True),
        ("The nurse never went beyond her role.", "good_practice.persistence", True),
        ("No concerns were raised, but caseloads were high.", "context.workload", False),
        ("Caseloads were high and nobody had time.", "context.workload", False),
        ("There was no risk assessment.", "decision_influence.risk_assessment", False),
        ("There was no supported housing anywhere in the county.", "context.resources", False),
        ("Not only was she persistent, she was kind.", "good_practice.persistence", False),
        (
            "No one mentioned at any point during that long and difficult meeting the caseload.",
            "context.workload",
            False,
        ),
    ],
    ids=[
        "no-concerns-about",
        "no-one-raised",
        "ruled-out-after",
        "no-joint-visit",
        "never",
        "termination-but",
        "negation-after-the-cue",
        "absence-is-a-decision-influence",
        "absence-of-a-service-is-context",
        "pseudo-not-only",
        "beyond-the-window",
    ],
)
def test_negation_scope(nlp: Language, text: str, topic: str, negated: bool) -> None:
    [span] = themes(nlp(text), topic)
    assert span["negated"] is negated


@pytest.mark.parametrize(
    ("text", "topic", "hypothetical"),
    [
        ("An advocate would have helped him.", "good_practice.person_centred", True),
        (
            "If there had been a joint visit the bruise would have been seen.",
            "good_practice.joint_working",
            True,
        ),
        ("The advocate helped him say what he wanted.", "good_practice.person_centred", False),
        ("She asked if an advocate was available.", "good_practice.person_centred", False),
        ("It would help if training covered fathers.", "recommendation.training", False),
        (
            "An independent advocate might have helped her say what she wanted.",
            "decision_influence.voice",
            False,
        ),
    ],
    ids=[
        "would-have-helped",
        "if-there-had-been",
        "plain-statement",
        "pseudo-asked-if",
        "recommendations-are-future-facing",
        "counterfactual-voice-is-a-decision-influence",
    ],
)
def test_hypothetical_scope(nlp: Language, text: str, topic: str, hypothetical: bool) -> None:
    [span] = themes(nlp(text), topic)
    assert span["hypothetical"] is hypothetical


def test_scope_stops_at_the_sentence_end() -> None:
    nlp = blank_pipeline(sentencizer=True)
    doc = nlp("There was no plan. Caseloads were high.")
    [span] = themes(doc, "context.workload")
    assert not span["negated"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("The GP failed to refer her to the falls team.", "fault:failed to>gp"),
        ("There was poor practice by the hospital on discharge.", "fault:poor practice>the hospital"),
        (
            "Adult social care could not be bothered to attend.",
            "fault:could not be bothered>adult social care",
        ),
        ("The ward was negligent in leaving her alone.", "judgement:negligent>the ward"),
        ("The infant died after repeated failures by social services.", "fault:failures by>social services"),
        ("The family were let down by children's services.", "judgement:let down>children's services"),
    ],
    ids=[
        "failed-to",
        "poor-practice-by",
        "could-not-be-bothered",
        "negligent",
        "agency-named-in-the-plural",
        "generic-word-inside-an-agency-name",
    ],
)
def test_blame_language_about_an_identifiable_target_is_flagged(nlp: Language, text: str, rule: str) -> None:
    flags = blame(nlp(text))
    assert [f["rule"] for f in flags if f["counts"]] == [rule]


@pytest.mark.parametrize(
    "text",
    [
        "The review is not about apportioning blame.",
        "This review is not about blaming individuals; the GP failed to refer.",
        "Agencies should ensure that the resolution protocol is used.",
        "Practitioners should have been more curious about the father.",
        "The nurse was not negligent.",
        "Mother failed to attend the appointment.",
        "There was a missed opportunity to share the referral.",
        "Services failed to share information.",
        "Nobody is saying the HV got it wrong; the protocol wording was ambiguous.",
        "I'm not saying anyone got it wrong, but none of us knew about the brother.",
    ],
    ids=[
        "not-about-blame",
        "disclaimer-sentence",
        "prescription",
        "generic-practitioners",
        "negated",
        "family-member",
        "no-agent",
        "generic-services",
        "denial-nobody-is-saying",
        "denial-not-saying-anyone",
    ],
)
def test_hard_negatives_are_not_blame(nlp: Language, text: str) -> None:
    assert not [f for f in blame(nlp(text)) if f["counts"]]


def test_ruled_out_blame_is_kept_as_negated_evidence(nlp: Language) -> None:
    [flag] = blame(nlp("The review is not about apportioning blame."))
    assert flag["negated"] and flag["rule"] == "not_blame:not about apportioning blame"


@pytest.mark.parametrize(
    ("text", "singled"),
    [
        ("The duty social worker on that day did not visit.", True),
        ("One particular nurse saw her every week.", True),
        ("Social workers visited weekly.", False),
    ],
    ids=["on-that-day", "one-particular", "plural-roles"],
)
def test_singling_out(nlp: Language, text: str, singled: bool) -> None:
    doc = nlp(text)
    assert any(s.label_ == "singling_out" for s in doc.spans[FLAGS_KEY]) is singled


def test_components_round_trip_through_to_disk_and_from_disk(tmp_path: Path, nlp: Language) -> None:
    texts = [
        "No concerns about workload were raised.",
        "An advocate would have helped; the GP failed to refer her.",
        "The duty social worker on that day did not visit.",
    ]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    for text in texts:
        before, after = nlp(text), loaded(text)
        for key in (THEMES_KEY, FLAGS_KEY):
            assert [(s.start, s.end, s.label_, tag_info(s)) for s in before.spans[key]] == [
                (s.start, s.end, s.label_, tag_info(s)) for s in after.spans[key]
            ]
    themes_pipe = loaded.get_pipe("pigan_themes")
    assert themes_pipe.codebook is not None  # type: ignore[attr-defined]
    assert themes_pipe.codebook.version == load_codebook().version  # type: ignore[attr-defined]


def test_sentence_classifier_round_trips_and_scores_the_same(tmp_path: Path) -> None:
    nlp = blank_pipeline()
    classifier = nlp.add_pipe("pigan_sentences")
    classifier.initialize()  # type: ignore[attr-defined]
    classifier.to_disk(tmp_path / "classifier")  # type: ignore[attr-defined]
    other = blank_pipeline()
    other.add_pipe("pigan_sentences").from_disk(tmp_path / "classifier")  # type: ignore[attr-defined]
    text = "Agencies should ensure that the resolution protocol is used."
    first, second = nlp(text), other(text)
    assert first._.pigan_sentence_scores == second._.pigan_sentence_scores
    assert "recommendation" in {s.label_.split(".")[0] for s in second.spans[THEMES_KEY]}


def test_an_edited_cue_changes_the_next_run(tmp_path: Path) -> None:
    text = "A skeleton crew meant visits were missed."
    before = next(tag_notes([Note("e", "n", text)], nlp=build_pipeline(spacy.blank("en"), classifier=False)))
    assert "context.staffing" not in before.topics
    source = Path(load_codebook().source)
    packaged = (Path(__file__).resolve().parents[2] / "pigan" / "resources" / source.name).read_text("utf-8")
    edited = packaged.replace('cues: ["officers short",', 'cues: ["skeleton crew", "officers short",', 1)
    assert edited != packaged
    path = tmp_path / "codebook.yaml"
    path.write_text(edited, "utf-8")
    pipeline = build_pipeline(spacy.blank("en"), codebook=path, classifier=False)
    after = next(tag_notes([Note("e", "n", text)], nlp=pipeline))
    assert after.topics == ["context.staffing"]
    assert [text[t.start : t.end] for t in after.tags] == ["skeleton crew"]


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("No concerns about workload were raised.", ["xx_neg_context", "xx_ruled_out"], ["xx_cue_context"]),
        (
            "Her caseload was high.",
            ["xx_cue_context", "xx_topic_context_workload", "caseload"],
            ["xx_negation"],
        ),
        ("The GP failed to refer her.", ["xx_flag_blame"], []),
    ],
    ids=["ruled-out", "counted-cue", "blame-rule"],
)
def test_sentence_features_mark_the_rule_findings(
    nlp: Language, text: str, present: list[str], absent: list[str]
) -> None:
    features = sentence_features(nlp(text)[:])
    for word in present:
        assert word in features
    for word in absent:
        assert word not in features


def test_a_classifier_of_another_architecture_gets_docs_of_the_features() -> None:
    # The shipped bag of words reads only word hashes; a network (spaCy's ensemble embeds each
    # word's spelling) needs real Docs, in its own vocabulary, or it cannot score at all.
    from pigan.tagging.components import FeatureWords, classifier_inputs

    features = [["gp", "xx_cue_context", "caseload"], ["agency", "should", "ensure"]]
    bow = spacy.blank("en")
    words = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 1}
    bow.add_pipe("textcat_multilabel", config={"model": {**words, "no_output_layer": False, "nO": None}})
    assert all(isinstance(x, FeatureWords) for x in classifier_inputs(bow, features))

    network = spacy.blank("en")
    textcat = network.add_pipe("textcat_multilabel")  # spaCy's default: TextCatEnsemble
    textcat.add_label("context")  # type: ignore[attr-defined]
    network.initialize()
    inputs = classifier_inputs(network, features)
    assert [[t.text for t in doc] for doc in inputs] == features
    assert all(doc.vocab is network.vocab for doc in inputs)
    assert textcat.predict(inputs).shape == (2, 1)  # type: ignore[attr-defined]


def _classifier_with_second_stage(
    tmp_path: Path, labels: list[str], weights: np.ndarray, bias: float
) -> Path:
    """The packaged classifier with a hand-made second stage in place of the trained one."""
    from importlib import resources

    from pigan.tagging.components import ScoreStacker

    folder = tmp_path / "classifier"
    with resources.as_file(resources.files("pigan").joinpath("resources", "textcat")) as packaged:
        shutil.copytree(packaged, folder)
    width = weights.shape[0]
    stage = ScoreStacker(labels, weights, np.full(len(labels), bias), np.zeros(width), np.ones(width))
    stage.to_disk(folder / ScoreStacker.FILE)
    return folder


def test_the_second_stage_sets_the_score_from_the_rules_of_the_right_label(tmp_path: Path) -> None:
    # Inputs per label: bag-of-words log-odds, dense log-odds, "a counted rule matched", "only
    # ruled-out rules matched". This stage listens only to the recommendation rule.
    labels = ["context", "decision_influence", "good_practice", "recommendation", "case_story", "blame"]
    weights = np.zeros((4 * len(labels), len(labels)))
    weights[2 * len(labels) + labels.index("recommendation"), labels.index("recommendation")] = 10.0
    nlp = blank_pipeline()
    nlp.add_pipe("pigan_sentences").from_disk(  # type: ignore[attr-defined]
        _classifier_with_second_stage(tmp_path, labels, weights, -5.0)
    )
    proposal = nlp("Agencies should ensure that the resolution protocol is used.")
    assert proposal._.pigan_sentence_scores[0][2]["recommendation"] == pytest.approx(0.9933, abs=1e-4)
    assert {s.label_.split(".")[0] for s in proposal.spans[THEMES_KEY]} == {"recommendation"}
    chronology = nlp("The family moved to a flat in the town centre.")
    assert chronology._.pigan_sentence_scores[0][2]["recommendation"] == pytest.approx(0.0067, abs=1e-4)
    assert not list(chronology.spans[THEMES_KEY])


def test_a_second_stage_for_labels_the_model_lacks_is_refused_naming_its_file(tmp_path: Path) -> None:
    from pigan.errors import ModelError

    labels = ["context", "safeguarding_weather"]
    folder = _classifier_with_second_stage(tmp_path, labels, np.zeros((8, 2)), 0.0)
    with pytest.raises(ModelError, match=r"stack\.npz.*safeguarding_weather"):
        blank_pipeline().add_pipe("pigan_sentences").from_disk(folder)  # type: ignore[attr-defined]


def singled(doc: Doc) -> list[tuple[str, str]]:
    return [(s.text, str(tag_info(s)["rule"])) for s in doc.spans[FLAGS_KEY] if s.label_ == "singling_out"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Poor practice by the GP not to reply to my email.", [("GP", "blamed_one:gp")]),
        ("That was an error by the nurse in charge.", [("nurse", "blamed_one:nurse")]),
        (
            "Missed opportunity by Early Help - the worker just took mum's word for it.",
            [("the worker", "blamed_one:the worker")],
        ),
        ("Poor practice by the GP practice not to reply to letters.", []),
        ("GPs failed to follow up the letters.", []),
        ("Police failed to send the notification for nine days.", []),
        ("The GP referred her to the falls clinic in May.", []),
        ("Nobody is saying the HV got it wrong; the wording was ambiguous.", []),
    ],
    ids=[
        "blamed-gp",
        "blamed-nurse-in-charge",
        "blamed-worker",
        "a-practice-is-an-organisation",
        "plural-role",
        "agency",
        "no-blame-no-singling",
        "denied-blame",
    ],
)
def test_blame_aimed_at_one_practitioner_singles_them_out(text: str, expected: list[tuple[str, str]]) -> None:
    doc = model_rules()(text)
    assert singled(doc) == expected
    # The classifier reads the blame marker already; the singling-out found from it is not a second feature.
    assert ("xx_flag_singling_out" in sentence_features(doc[:])) is False


def test_singling_out_from_blame_goes_when_the_classifier_rejects_the_blame(tmp_path: Path) -> None:
    # A second stage that scores every label near 0: no blame is confirmed, so the one
    # practitioner it judged is not singled out; a singling-out cue of its own still stands.
    labels = ["context", "decision_influence", "good_practice", "recommendation", "case_story", "blame"]
    folder = _classifier_with_second_stage(tmp_path, labels, np.zeros((4 * len(labels), len(labels))), -10.0)
    nlp = build_pipeline(classifier=folder)
    assert singled(nlp("Poor practice by the GP not to reply to my email.")) == []
    assert [text for text, _ in singled(nlp("The duty social worker on that day did not visit."))] == [
        "on that day"
    ]
