"""Rebuild pigan's sentence classifier (pigan/resources/textcat) from the labelled set.

    .venv/bin/python training/train_textcat.py                # train, tune, install
    .venv/bin/python training/train_textcat.py --no-install   # train and report on dev only

The classifier has three parts, all cheap at tagging time:

- a bag-of-words ``textcat_multilabel`` trained with ``spacy train`` and
  ``training/textcat.cfg`` on pigan's sentence features (lemmas, placeholders,
  and markers for the codebook cues, negation and blame rules that matched:
  ``pigan.tagging.components.sentence_features``);
- a logistic layer over the English model's own token vectors pooled per
  sentence (``pooled_vector``);
- a second stage (``ScoreStacker``): one logistic layer per label over both
  parts' scores for every label and the rules that matched, trained on their
  cross-validated scores. (``--no-stack`` blends the two parts per label
  instead, the design shipped before session 5.)

Steps, deterministic for a given seed:

1. Run pigan's rules over ``train.jsonl`` and ``dev.jsonl``; turn each unit
   into features and a pooled vector, with its gold codes and blame flag.
2. Five-fold cross-validation on the train split gives out-of-fold scores
   of both parts; a second five-fold split of those trains and scores the
   second stage; its out-of-fold scores choose, per label, the acceptance
   thresholds (with and without a supporting rule).
3. Train both parts on the whole train split, and the second stage on all
   the out-of-fold scores.
4. Report pigan's figures on the dev split (the same code as ``pigan
   evaluate``), and write the model, ``dense.npz``, ``stack.npz`` and
   ``settings.json`` (thresholds, provenance, dev figures) to ``--out``.

Nothing here reads the test split.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from pigan.evaluate import GoldUnit, format_evaluation, predict_units, read_gold, score_units
from pigan.tagging.codebook import load_codebook
from pigan.tagging.components import (
    FEATURES_VERSION,
    FLAGS_KEY,
    THEMES_KEY,
    DenseScorer,
    ScoreStacker,
    classifier_inputs,
    counts,
    pooled_vector,
    sentence_features,
    stack_inputs,
)
from pigan.tagging.pipeline import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("context", "decision_influence", "good_practice", "recommendation", "case_story", "blame")
THRESHOLDS = [round(0.1 + 0.05 * i, 2) for i in range(17)]  # 0.10 .. 0.90
BLENDS = [0.0, 0.2, 0.4, 0.6]
# Without a supporting rule the model alone must find the label at least as likely as not.
WITHOUT_CUE = [t for t in THRESHOLDS if t >= 0.5]
FOLDS = 5
# The second stage's weight penalty: the least of 1, 10 and 50 in a cross-validation on the
# training files in session 5 (macro F1 0.837, 0.835, 0.831 over three seeds' averages).
STACK_L2 = 1.0


def prepare(units: list[GoldUnit], rules: Language) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """Each unit's features, pooled token vector, and per label 1 (a counted rule supports it),
    -1 (only negated or hypothetical rules match: vetoed) or 0 (no rule)."""
    features: list[list[str]] = []
    vectors: list[np.ndarray] = []
    supported: list[list[float]] = []
    for doc in rules.pipe(u.text for u in units):
        features.append(sentence_features(doc[:]))
        spans = [span for key in (THEMES_KEY, FLAGS_KEY) for span in doc.spans[key]]
        counted = {span.label_.split(".")[0] for span in spans if counts(span)}
        ruled_out = {span.label_.split(".")[0] for span in spans if not counts(span)} - counted
        supported.append([1.0 if lab in counted else -1.0 if lab in ruled_out else 0.0 for lab in LABELS])
        vector = pooled_vector(doc[:])
        if vector is None:
            raise SystemExit(
                "the English model set no token vectors (doc.tensor): cannot train the dense part"
            )
        vectors.append(vector)
    return features, np.stack(vectors), np.array(supported)


def targets(units: list[GoldUnit]) -> np.ndarray:
    """Gold answers, one row per unit and one column per label."""
    return np.array(
        [
            [float(bool(u.blame)) if label == "blame" else float(label in u.labels) for label in LABELS]
            for u in units
        ]
    )


def write_corpus(features: list[list[str]], gold: np.ndarray, path: Path) -> Path:
    """Write feature docs with their categories as a DocBin for ``spacy train``."""
    blank = spacy.blank("en")
    docbin = DocBin(store_user_data=False)
    for words, row in zip(features, gold, strict=True):
        doc = Doc(blank.vocab, words=words)
        doc.cats = {label: float(value) for label, value in zip(LABELS, row, strict=True)}
        docbin.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    return path


def train_bow(train: Path, dev: Path, work: Path, config: Path, seed: int, overrides: dict[str, Any]) -> Path:
    """Train the bag-of-words model with ``spacy train``; return the final model's folder.

    The final model (``model-last``) is kept, so ``dev`` only feeds the
    training log and the scores in the model's ``meta.json``.
    """
    settings = {"paths.train": str(train), "paths.dev": str(dev), "system.seed": seed, **overrides}
    with contextlib.redirect_stdout(io.StringIO()):
        spacy_train(config, work / "output", use_gpu=-1, overrides=settings)
    model = work / "output" / "model-last"
    # Keep no temporary paths in the shipped files, so that a rebuild gives the same bytes.
    config_file = model / "config.cfg"
    text = config_file.read_text("utf-8")
    text = text.replace(f'train = "{train}"', "train = null").replace(f'dev = "{dev}"', "dev = null")
    config_file.write_text(text, "utf-8")
    return model


def predict_bow(model_dir: Path, features: list[list[str]]) -> np.ndarray:
    """Bag-of-words scores, columns in :data:`LABELS` order."""
    nlp = spacy.load(model_dir)
    textcat = nlp.get_pipe("textcat_multilabel")
    scores = np.asarray(textcat.predict(classifier_inputs(nlp, features)))
    order = [list(textcat.labels).index(label) for label in LABELS]
    return scores[:, order]


def train_dense(vectors: np.ndarray, gold: np.ndarray) -> DenseScorer:
    """Logistic regression per label on standardised pooled vectors (full-batch gradient descent)."""
    weights, bias, mean, scale = DenseScorer.fit_arrays(vectors, gold, l2=10.0, steps=500)
    return DenseScorer(LABELS, weights, bias, mean, scale, np.zeros(len(LABELS)))


def f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(gold * predicted))
    fp = float(np.sum((1 - gold) * predicted))
    fn = float(np.sum(gold * (1 - predicted)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def cross_validated_stack(
    gold: np.ndarray, bow: np.ndarray, dense: np.ndarray, supported: np.ndarray, seed: int
) -> np.ndarray:
    """Out-of-fold scores of the second stage, trained on out-of-fold scores of the two parts."""
    inputs = stack_inputs(bow, dense, supported)
    order = np.random.RandomState(seed + 1).permutation(len(inputs))
    out = np.zeros(gold.shape)
    for fold in range(FOLDS):
        held = order[fold::FOLDS]
        kept = np.setdiff1d(order, held)
        out[held] = ScoreStacker.fit(LABELS, inputs[kept], gold[kept], l2=STACK_L2).predict(inputs[held])
    return out


def choose(
    gold: np.ndarray,
    bow: np.ndarray,
    dense: np.ndarray,
    supported: np.ndarray,
    blends: list[float] | None = None,
) -> dict[str, dict[str, float]]:
    """Per label, the blend weight and the two thresholds (with and without a supporting rule)
    with the best out-of-fold F1; ties go to less blend, then thresholds nearer 0.5."""
    chosen: dict[str, dict[str, float]] = {}
    for k, label in enumerate(LABELS):
        best: tuple[tuple[float, ...], dict[str, float]] | None = None
        cue = supported[:, k] > 0
        veto = supported[:, k] < 0
        for weight in blends or BLENDS:
            blended = (1 - weight) * bow[:, k] + weight * dense[:, k]
            for low in THRESHOLDS:
                for high in WITHOUT_CUE:
                    if high < low:
                        continue
                    predicted = np.where(veto, False, np.where(cue, blended >= low, blended >= high))
                    predicted = predicted.astype(float)
                    score = f1(gold[:, k], predicted)
                    key = (round(score, 6), -weight, -abs(low - 0.5) - abs(high - 0.5))
                    if best is None or key > best[0]:
                        best = (
                            key,
                            {
                                "cv_f1": round(score, 4),
                                "blend": weight,
                                "threshold": low,
                                "without_cue": high,
                            },
                        )
        assert best is not None
        chosen[label] = best[1]
    return chosen


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--train",
        type=Path,
        nargs="+",
        default=[
            ROOT / "data/annotations/train.jsonl",
            *sorted((ROOT / "data/annotations").glob("train_extra_*.jsonl")),
        ],
        help="training files (default: train.jsonl and every train_extra_*.jsonl)",
    )
    parser.add_argument("--dev", type=Path, default=ROOT / "data/annotations/dev.jsonl")
    parser.add_argument("--config", type=Path, default=ROOT / "training/textcat.cfg")
    parser.add_argument("--out", type=Path, default=ROOT / "pigan/resources/textcat")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-install", action="store_true", help="train and report on dev; do not write --out"
    )
    parser.add_argument(
        "--no-stack", action="store_true", help="blend the two parts per label; no second stage"
    )
    parser.add_argument(
        "-o",
        "--override",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="a spaCy config override, e.g. -o training.max_epochs 20",
    )
    args = parser.parse_args(argv)
    overrides = {key: json.loads(value) for key, value in args.override}

    codebook = load_codebook()
    train_units = [unit for path in args.train for unit in read_gold(path, codebook=codebook)]
    dev_units = read_gold(args.dev, codebook=codebook)
    rules = build_pipeline(codebook=codebook, classifier=False)
    features, vectors, supported = prepare(train_units, rules)
    gold = targets(train_units)

    with tempfile.TemporaryDirectory(prefix="pigan-textcat-") as tmp:
        work = Path(tmp)
        order = list(range(len(train_units)))
        random.Random(args.seed).shuffle(order)
        bow_oof = np.zeros(gold.shape)
        dense_oof = np.zeros(gold.shape)
        for fold in range(FOLDS):
            held = sorted(order[fold::FOLDS])
            kept = sorted(set(order) - set(held))
            fold_dir = work / f"fold{fold}"
            model = train_bow(
                write_corpus([features[i] for i in kept], gold[kept], fold_dir / "train.spacy"),
                write_corpus([features[i] for i in held], gold[held], fold_dir / "dev.spacy"),
                fold_dir,
                args.config,
                args.seed,
                overrides,
            )
            bow_oof[held] = predict_bow(model, [features[i] for i in held])
            dense_oof[held] = train_dense(vectors[kept], gold[kept]).predict(vectors[held])
            print(f"fold {fold + 1}/{FOLDS} done", file=sys.stderr)
        first_stage = choose(gold, bow_oof, dense_oof, supported)
        stacker = None
        if args.no_stack:
            chosen = first_stage
        else:
            stacked = cross_validated_stack(gold, bow_oof, dense_oof, supported, args.seed)
            chosen = choose(gold, stacked, stacked, supported, blends=[0.0])
            stacker = ScoreStacker.fit(LABELS, stack_inputs(bow_oof, dense_oof, supported), gold, l2=STACK_L2)

        dev_features, _, _ = prepare(dev_units, rules)
        model = train_bow(
            write_corpus(features, gold, work / "full" / "train.spacy"),
            write_corpus(dev_features, targets(dev_units), work / "full" / "dev.spacy"),
            work / "full",
            args.config,
            args.seed,
            overrides,
        )
        dense = train_dense(vectors, gold)
        dense.blend_weights = np.array([chosen[label]["blend"] for label in LABELS], dtype="float32")

        candidate = work / "classifier"
        shutil.copytree(model, candidate / "model")
        dense.to_disk(candidate / DenseScorer.FILE)
        if stacker is not None:
            stacker.to_disk(candidate / ScoreStacker.FILE)
        identity = hashlib.sha256()
        for part in (*args.train, args.dev, args.config):
            identity.update(sha256_file(part).encode())
        design = {"seed": args.seed, "overrides": overrides}
        if stacker is not None:
            design["stack_l2"] = STACK_L2
        identity.update(json.dumps(design, sort_keys=True).encode())
        settings: dict[str, Any] = {
            "features_version": FEATURES_VERSION,
            "labels": list(LABELS),
            "thresholds": {label: chosen[label]["threshold"] for label in LABELS},
            "thresholds_without_cue": {label: chosen[label]["without_cue"] for label in LABELS},
            "blend": {label: chosen[label]["blend"] for label in LABELS},
            "cross_validation": {label: chosen[label]["cv_f1"] for label in LABELS},
            "cross_validation_without_second_stage": {label: first_stage[label]["cv_f1"] for label in LABELS},
            "second_stage": None if stacker is None else {"file": ScoreStacker.FILE, "l2": STACK_L2},
            "model_id": identity.hexdigest()[:12],
            "seed": args.seed,
            "spacy_version": spacy.__version__,
            "codebook_version": codebook.version,
            "train": {
                "files": {path.name: sha256_file(path) for path in args.train},
                "units": len(train_units),
            },
            "dev": {"file": args.dev.name, "sha256": sha256_file(args.dev), "units": len(dev_units)},
            "config": args.config.name,
            "overrides": overrides,
        }
        (candidate / "settings.json").write_text(
            json.dumps(settings, indent=1, sort_keys=True) + "\n", "utf-8"
        )

        pipeline = build_pipeline(codebook=codebook, classifier=candidate)
        evaluation = score_units(
            dev_units, predict_units(dev_units, codebook=codebook, nlp=pipeline), codes=codebook.code_ids
        )
        settings["dev_evaluation"] = evaluation.to_dict()
        (candidate / "settings.json").write_text(
            json.dumps(settings, indent=1, sort_keys=True) + "\n", "utf-8"
        )

        for label in LABELS:
            c = chosen[label]
            print(
                f"{label:<20} blend {c['blend']:.1f}  threshold {c['threshold']:.2f} "
                f"(without a cue {c['without_cue']:.2f})  cross-validated F1 {c['cv_f1']:.3f}"
            )
        print(f"\ndev ({args.dev.name}):")
        print(format_evaluation(evaluation))
        if not args.no_install:
            if args.out.exists():
                shutil.rmtree(args.out)
            shutil.copytree(candidate, args.out)
            print(f"installed the classifier in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
