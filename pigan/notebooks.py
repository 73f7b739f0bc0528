"""The Papermill runner behind ``pigan run``: notebooks in, a checked report folder out.

A run for one output (an event, or ``board``) goes like this:

1. the ``-p NAME VALUE`` parameters are checked against the parameters each
   notebook declares (``papermill.inspect_notebook``) and converted to the
   declared type; an unknown or malformed parameter stops the run before
   anything happens (exit 2);
2. a lock (``fcntl.flock`` on ``OUT/<target>/.lock``) is taken; a second run
   for the same output exits at once with :class:`~pigan.errors.LockedError`;
3. the stages run in this process, timed: ingest (when paths are given),
   loading the model and pipeline, screening, tagging (reusing cached
   parses); the screening gate is checked for the policies the notebooks
   will use;
4. each notebook executes through Papermill into a temporary folder beside
   the output, on a kernel pinned to this interpreter (whatever kernelspecs
   are installed elsewhere), with a progress bar on stderr;
5. every notebook must have run its last cell, which records completion
   with a token only this run knows: a notebook that stopped early, timed
   out or lost its kernel fails the run whatever its metadata says;
6. the notebooks are converted to HTML (no code, sanitised, no scripts), a
   ``manifest.json`` is written, and only then is the folder moved to
   ``OUT/<target>/<UTC timestamp>/`` and ``OUT/<target>/latest`` pointed at
   it (a symlink replaced atomically).

A failure at any point keeps what was written under
``OUT/<target>/failed/<UTC timestamp>/`` (with a manifest saying why),
leaves ``latest`` untouched and raises a :class:`~pigan.errors.PiganError`
whose message is one line.

Notebooks call :func:`record_completion` in their last cell.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import platform
import secrets
import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pigan import __version__
from pigan.errors import GateError, InputError, LockedError, NotFoundError, PiganError, RunError
from pigan.store import Store

log = logging.getLogger(__name__)

#: The notebooks of an event run, in order, and of the board run.
EVENT_NOTEBOOKS: tuple[str, ...] = ("01_screening", "02_themes", "03_learning_summary")
BOARD_NOTEBOOKS: tuple[str, ...] = ("04_board_overview",)
#: The event notebooks run for ``-p audience board``: the board's copy of the learning summary only.
BOARD_AUDIENCE_NOTEBOOKS: tuple[str, ...] = ("03_learning_summary",)

#: The HTML file each notebook becomes.
HTML_NAMES: dict[str, str] = {
    "01_screening": "01_screening.html",
    "02_themes": "02_themes.html",
    "03_learning_summary": "learning_summary.html",
    "04_board_overview": "board_overview.html",
}
HTML_TITLES: dict[str, str] = {
    "01_screening": "Screening and data quality",
    "02_themes": "Themes",
    "03_learning_summary": "Learning summary",
    "04_board_overview": "Board overview",
}

#: Parameters ``pigan run`` sets itself; ``-p`` may not set them.
RUNNER_PARAMETERS: dict[str, str] = {
    "store_dir": "use --store",
    "event_id": "use --event or PATH",
    "output_dir": "use --out",
    "prepare": "pigan run prepares the store itself",
    "notes_path": "give notes as PATH",
    "notes_paths": "give notes as PATH",
}

BOARD_TARGET = "board"
NOTEBOOKS_ENV = "PIGAN_NOTEBOOKS"
MARKER_DIR = ".pigan"
TOKEN_FILE = "run-token"
LOCK_FILE = ".lock"
LATEST = "latest"
FAILED = "failed"

ParameterSet = dict[str, dict[str, Any]]


# -- finding the notebooks -------------------------------------------------------------------------


def notebooks_dir(path: Path | str | None = None) -> Path:
    """The folder of pigan's notebooks: the argument, ``PIGAN_NOTEBOOKS``, or the project's ``notebooks/``.

    Raises
    ------
    NotFoundError
        When the folder does not exist.
    """
    chosen = path or os.environ.get(NOTEBOOKS_ENV)
    folder = Path(chosen) if chosen else Path(__file__).resolve().parent.parent / "notebooks"
    if not folder.is_dir():
        raise NotFoundError(
            f"{folder}: no notebooks folder (set {NOTEBOOKS_ENV} to the folder holding 01_screening.ipynb...)"
        )
    return folder


def notebook_paths(names: Sequence[str], folder: Path | str | None = None) -> list[Path]:
    """The ``.ipynb`` files for notebook names, checked to exist."""
    base = notebooks_dir(folder)
    paths = [base / f"{name}.ipynb" for name in names]
    for path in paths:
        if not path.is_file():
            raise NotFoundError(f"{path}: notebook not found")
    return paths


# -- parameters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredParameter:
    """A parameter a notebook declares in its ``parameters`` cell."""

    name: str
    type_name: str
    default: str
    help: str


def declared_parameters(notebook: Path) -> dict[str, DeclaredParameter]:
    """The parameters a notebook declares (name, type, default, help), via ``papermill.inspect_notebook``.

    Raises
    ------
    InputError
        When the notebook cannot be read or has no ``parameters`` cell.
    """
    import papermill

    try:
        found = papermill.inspect_notebook(str(notebook))
    except Exception as exc:  # papermill raises ValueError, nbformat errors, JSON errors...
        raise InputError(
            notebook, f"cannot read the notebook's parameters ({exc.__class__.__name__})"
        ) from None
    if not found:
        raise InputError(notebook, "the notebook has no cell tagged 'parameters'")
    return {
        name: DeclaredParameter(name, str(p["inferred_type_name"]), str(p["default"]), str(p["help"]))
        for name, p in found.items()
    }


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def convert_value(name: str, raw: str, type_name: str) -> Any:
    """Convert a ``-p`` value given as text to the type the notebook declares.

    ``bool`` accepts true/false, yes/no, 1/0, on/off; ``list[...]`` accepts a
    JSON list or comma-separated items; an undeclared type keeps the text.

    Raises
    ------
    InputError
        When the text is not a value of that type.
    """

    def malformed(expected: str) -> InputError:
        return InputError(
            f"-p {name}", f"{raw!r} is not {expected} (the notebook declares {name}: {type_name})"
        )

    kind = type_name.replace(" ", "").lower()
    if kind == "int":
        try:
            return int(raw.strip())
        except ValueError:
            raise malformed("a whole number") from None
    if kind == "float":
        try:
            value = float(raw.strip())
        except ValueError:
            raise malformed("a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise malformed("a finite number")
        return value
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise malformed("true or false")
    if kind.startswith("list"):
        text = raw.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError:
                raise malformed("a JSON list") from None
            if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
                raise malformed("a list of plain values")
            return [str(i) for i in items]
        return [item.strip() for item in text.split(",") if item.strip()]
    return raw


def check_parameters(
    given: Sequence[tuple[str, str]] | Sequence[Sequence[str]], notebooks: Sequence[Path]
) -> ParameterSet:
    """Check ``-p NAME VALUE`` pairs against the notebooks and convert them; nothing runs before this.

    A name must be declared by at least one of the notebooks, must not be one
    the runner sets itself, and its value must convert to the declared type.
    A parameter goes to every notebook that declares it.

    Returns
    -------
    dict
        Notebook name (stem) to ``{parameter: converted value}``.

    Raises
    ------
    InputError
        For an unknown, reserved, repeated or malformed parameter (exit code 2).
    """
    declared = {path.stem: declared_parameters(path) for path in notebooks}
    known = sorted({name for params in declared.values() for name in params} - set(RUNNER_PARAMETERS))
    result: ParameterSet = {stem: {} for stem in declared}
    seen: set[str] = set()
    for pair in given:
        name, raw = pair[0], pair[1]
        if not name.isidentifier():
            raise InputError(f"-p {name}", "a parameter name is a Python identifier (letters, digits, _)")
        if name in RUNNER_PARAMETERS:
            raise InputError(f"-p {name}", f"set by pigan run itself ({RUNNER_PARAMETERS[name]})")
        if name in seen:
            raise InputError(f"-p {name}", "given more than once")
        seen.add(name)
        owners = [stem for stem, params in declared.items() if name in params]
        if not owners:
            names = ", ".join(stem for stem in declared)
            raise InputError(
                f"-p {name}", f"unknown parameter; {names} declare: {', '.join(known) or 'none'}"
            )
        for stem in owners:
            result[stem][name] = convert_value(name, raw, declared[stem][name].type_name)
    return result


# -- the lock and the folders ----------------------------------------------------------------------


@contextmanager
def output_lock(folder: Path) -> Iterator[Path]:
    """Hold the lock for one output folder (``folder/.lock``) for the duration of a run.

    Raises
    ------
    LockedError
        At once, when another process holds it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise LockedError(
            f"{folder}: another `pigan run` (pid {holder}) is writing this output; "
            "try again when it has finished"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def utc_stamp() -> str:
    """The current UTC time as a folder name, e.g. ``20261126T011200Z``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _free_name(parent: Path, stem: str) -> Path:
    candidate, n = parent / stem, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = parent / f"{stem}-{n}"
    return candidate


def point_latest(target_dir: Path, run_folder: Path) -> Path:
    """Point ``target_dir/latest`` at ``run_folder`` (a relative symlink, replaced atomically)."""
    latest = target_dir / LATEST
    if latest.exists() and not latest.is_symlink():
        raise RunError(f"{latest} exists and is not a symlink; move it away so pigan can point it at runs")
    temporary = target_dir / f".{LATEST}-{os.getpid()}-{secrets.token_hex(4)}"
    temporary.symlink_to(run_folder.name, target_is_directory=True)
    try:
        os.replace(temporary, latest)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return latest


# -- completion markers ----------------------------------------------------------------------------


def record_completion(output_dir: Path | str, notebook: str) -> str:
    """Record that a notebook ran to its last cell (called by that cell).

    Writes ``output_dir/.pigan/completed-<notebook>.json`` with the run token
    the runner left in ``output_dir`` (if any) and this kernel's interpreter,
    so that the runner can tell a finished notebook from one that stopped.

    Returns
    -------
    str
        A line to show at the end of the notebook.
    """
    folder = Path(output_dir) / MARKER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    token_file = folder / TOKEN_FILE
    token = token_file.read_text(encoding="utf-8").strip() if token_file.is_file() else ""
    record = {
        "notebook": notebook,
        "token": token,
        "python": sys.executable,
        "prefix": sys.prefix,
        "pid": os.getpid(),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (folder / f"completed-{notebook}.json").write_text(json.dumps(record), encoding="utf-8")
    return f"{notebook}: complete"


def check_completion(folder: Path, notebook: str, token: str) -> None:
    """Raise :class:`RunError` unless ``notebook`` recorded completion with this run's token and kernel."""
    marker = folder / MARKER_DIR / f"completed-{notebook}.json"
    if not marker.is_file():
        raise RunError(f"notebook {notebook} stopped before its final cell (no completion recorded)")
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise RunError(f"notebook {notebook}: its completion record is unreadable") from None
    if record.get("token") != token or record.get("notebook") != notebook:
        raise RunError(f"notebook {notebook}: its completion record is not from this run")
    if Path(record.get("prefix", "")).resolve() != Path(sys.prefix).resolve():
        raise RunError(
            f"notebook {notebook} ran on another Python ({record.get('python')}), "
            f"not pigan's ({sys.executable})"
        )


# -- executing -------------------------------------------------------------------------------------


def _pinned_kernel_manager() -> type:
    """A kernel manager that always starts this interpreter's own ipykernel, over Unix sockets.

    Installed kernelspecs (a user's ``python3`` pointing at another Python)
    are ignored: the spec is ipykernel's native one, ``sys.executable -m
    ipykernel_launcher``.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class PinnedKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _pinned_spec_manager(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)

        @default("transport")
        def _local_transport(self) -> str:
            # Unix sockets, not TCP: nothing listens on the network, no plain-text traffic.
            return "ipc"

    return PinnedKernelManager


def _pigan_error_names() -> set[str]:
    names: set[str] = set()
    pending: list[type] = [PiganError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def execute_notebook(
    notebook: Path,
    folder: Path,
    parameters: Mapping[str, Any],
    *,
    timeout: int,
    progress: bool = True,
) -> Path:
    """Execute one notebook into ``folder`` (its working directory) with Papermill.

    Raises
    ------
    RunError
        When a cell fails, a cell runs longer than ``timeout`` seconds, or the
        kernel dies; the message names the notebook and cell, and the error
        type (never the note text an error message might quote).
    GateError
        When the notebook itself was refused by the screening gate.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output = folder / notebook.name
    bar: bool | dict[str, Any] = {"desc": notebook.stem, "file": sys.stderr} if progress else False
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name="python3",
            progress_bar=bar,
            log_output=False,
            cwd=str(folder),
            start_timeout=120,
            execution_timeout=timeout,
            kernel_manager_class=_pinned_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        where = f"notebook {notebook.stem} failed in cell {exc.exec_count}"
        if exc.ename in _pigan_error_names():
            message = f"{where}: {exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}"
            if exc.ename == "GateError":
                raise GateError(message) from None
            raise RunError(message) from None
        raise RunError(f"{where} ({exc.ename})") from None
    except Exception as exc:
        name = exc.__class__.__name__
        if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
            raise RunError(
                f"notebook {notebook.stem} timed out (a cell ran longer than {timeout}s)"
            ) from None
        if name == "DeadKernelError":
            raise RunError(f"notebook {notebook.stem} lost its kernel (it died or was killed)") from None
        raise RunError(f"notebook {notebook.stem} could not run ({name})") from None
    return output


# -- HTML ------------------------------------------------------------------------------------------

#: HTML allowed in notebook outputs (everything else is escaped, never stripped silently).
SAFE_TAGS: tuple[str, ...] = (
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
)  # fmt: skip
SAFE_ATTRIBUTES: dict[str, list[str]] = {
    "*": ["class", "title"],
    "a": ["href", "title"],
    "table": ["class", "border"],
    "th": ["class", "colspan", "rowspan"],
    "td": ["class", "colspan", "rowspan"],
}


def notebook_to_html(executed: Path, html_path: Path, *, title: str) -> Path:
    """Convert an executed notebook to a self-contained HTML page: no code, sanitised, no scripts.

    Text and HTML outputs pass through bleach with a short list of safe tags
    (tables, headings, lists, emphasis); anything else (``<script>``,
    ``onerror=``, ``<img>`` from text) is escaped. Figures are embedded as
    PNG. The page template has no scripts and a Content-Security-Policy that
    forbids them.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML
    from traitlets.config import Config

    config = Config()
    config.SanitizeHTML.enabled = True
    config.SanitizeHTML.tags = list(SAFE_TAGS)
    config.SanitizeHTML.attributes = SAFE_ATTRIBUTES
    config.SanitizeHTML.strip = False
    with _template_base() as base:
        exporter = HTMLExporter(
            config=config,
            template_name="report_html",
            extra_template_basedirs=[str(base)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        exporter.register_preprocessor(SanitizeHTML(config=config), enabled=True)
        node = nbformat.read(str(executed), as_version=4)
        body, _ = exporter.from_notebook_node(node, resources={"metadata": {"name": title}})
    html_path.write_text(body, encoding="utf-8")
    return html_path


@contextmanager
def _template_base() -> Iterator[Path]:
    from importlib.resources import as_file, files

    with as_file(files("pigan") / "resources") as base:
        yield Path(base)


# -- the manifest ----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version_of(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def software_versions() -> dict[str, Any]:
    """Versions of pigan and what it runs on (the model and codebook are added by the runner)."""
    return {
        "pigan": __version__,
        "python": platform.python_version(),
        "spacy": _version_of("spacy"),
        "pandas": _version_of("pandas"),
        "matplotlib": _version_of("matplotlib"),
        "papermill": _version_of("papermill"),
        "nbconvert": _version_of("nbconvert"),
        "python-docx": _version_of("python-docx"),
        "ipykernel": _version_of("ipykernel"),
    }


def _output_listing(folder: Path) -> list[dict[str, Any]]:
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] == MARKER_DIR or relative.name == "manifest.json":
            continue
        files.append({"path": relative.as_posix(), "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return files


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` (sorted keys, UTF-8) into the run folder."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path


# -- runs ------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """A finished run: where it is and what its manifest says."""

    target: str
    folder: Path
    latest: Path
    manifest: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    """Stage timings in seconds, in the order the stages ran."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - started, 3)


def _effective_policy(parameters: Mapping[str, Any], declared: Mapping[str, DeclaredParameter]) -> str | None:
    """The gate policy a notebook will apply (given, else its declared default), if it declares one."""
    if "policy" not in declared:
        return None
    if "policy" in parameters:
        return str(parameters["policy"])
    default = declared["policy"].default.strip().strip("\"'")
    return default or None


def run_target(
    *,
    store: Store,
    target: str,
    event_ids: Sequence[str],
    notebooks: Sequence[Path],
    parameters: ParameterSet,
    out: Path,
    timeout: int,
    audience: str = "reviewer",
    progress: bool = True,
    timer: _Timer | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run notebooks for one output folder (``out/<target>``); the caller holds its :func:`output_lock`.

    The caller has checked the parameters (:func:`check_parameters`). See the
    module docstring for the steps.

    Raises
    ------
    GateError
        When the screening gate refuses an output (partial run under ``failed/``).
    RunError
        When a stage or notebook fails (partial run under ``failed/``).
    """
    timer = timer or _Timer()
    target_dir = out / target
    stamp = utc_stamp()
    folder = target_dir / f".running-{stamp}-{os.getpid()}"
    folder.mkdir(parents=True)
    token = secrets.token_hex(16)
    (folder / MARKER_DIR).mkdir()
    (folder / MARKER_DIR / TOKEN_FILE).write_text(token, encoding="utf-8")
    manifest: dict[str, Any] = {
        "target": target,
        "kind": "board" if target == BOARD_TARGET else "event",
        "audience": audience,
        "events": list(event_ids),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": "running",
        "store": str(store.path.resolve()),
        "versions": software_versions(),
        "inputs": dict(inputs or {}),
        "parameters": {},
        "timings": {},
    }
    try:
        _run_stages(
            store,
            folder,
            token,
            manifest,
            event_ids,
            notebooks,
            parameters,
            timeout,
            audience,
            progress,
            timer,
            board=target == BOARD_TARGET,
        )
    except BaseException as exc:
        destination = _keep_failed(folder, target_dir, stamp, manifest, exc, timer)
        raise _one_line(exc, destination) from None
    manifest["status"] = "succeeded"
    manifest["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["timings"] = dict(timer.timings)
    manifest["outputs"] = _output_listing(folder)
    write_manifest(folder, manifest)
    shutil.rmtree(folder / MARKER_DIR, ignore_errors=True)
    final_folder = _free_name(target_dir, stamp)
    os.rename(folder, final_folder)
    latest = point_latest(target_dir, final_folder)
    return RunResult(target, final_folder, latest, manifest, dict(timer.timings))


def _run_stages(
    store: Store,
    folder: Path,
    token: str,
    manifest: dict[str, Any],
    event_ids: Sequence[str],
    notebooks: Sequence[Path],
    parameters: ParameterSet,
    timeout: int,
    audience: str,
    progress: bool,
    timer: _Timer,
    *,
    board: bool,
) -> None:
    from pigan import report

    declared = {path.stem: declared_parameters(path) for path in notebooks}
    with timer.stage("model"):
        model = _model_key()
    with timer.stage("screen"):
        _screen(store, event_ids)
    with timer.stage("tag"):
        _tag(store, event_ids)
    codebook = _codebook_info()
    manifest["versions"].update({"model": model, "codebook": codebook["version"]})
    manifest["inputs"].update(_event_inputs(store, event_ids, notebooks, codebook))
    runner_values: dict[str, Any] = {
        "store_dir": str(store.directory.resolve()),
        "output_dir": ".",
        "prepare": False,
        "notes_path": "",
        "notes_paths": [],
    }
    if not board:
        runner_values["event_id"] = event_ids[0]
    policies: set[str] = set()
    final: ParameterSet = {}
    for path in notebooks:
        stem = path.stem
        given = dict(parameters.get(stem, {}))
        if audience == "board" and "policy" in declared[stem] and "policy" not in given:
            given["policy"] = "block"
        policy = _effective_policy(given, declared[stem])
        if policy:
            policies.add(policy)
        final[stem] = {k: v for k, v in runner_values.items() if k in declared[stem]}
        final[stem].update(given)
        manifest["parameters"][stem] = {
            "given": final[stem],
            "defaults": {name: p.default for name, p in declared[stem].items()},
        }
    with timer.stage("gate"):
        manifest["gate"] = _check_gate(store, event_ids, sorted(policies), audience)
    for path in notebooks:
        with timer.stage(f"notebook:{path.stem}"):
            execute_notebook(path, folder, final[path.stem], timeout=timeout, progress=progress)
            check_completion(folder, path.stem, token)
    with timer.stage("html"):
        for path in notebooks:
            notebook_to_html(
                folder / path.name,
                folder / HTML_NAMES.get(path.stem, f"{path.stem}.html"),
                title=HTML_TITLES.get(path.stem, path.stem),
            )
    manifest["counts"] = report.run_counts(store, event_ids)


def _one_line(exc: BaseException, kept: Path | None = None) -> BaseException:
    """The error to raise for a failed run: one line, saying where the partial run is kept."""
    if isinstance(exc, KeyboardInterrupt):
        return exc
    where = f"; partial run kept in {kept}" if kept is not None else ""
    if isinstance(exc, PiganError):
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        exc.args = (first + where,)
        return exc
    return RunError(f"run failed unexpectedly ({exc.__class__.__name__}){where}")


def _keep_failed(
    folder: Path, target_dir: Path, stamp: str, manifest: dict[str, Any], exc: BaseException, timer: _Timer
) -> Path | None:
    """Keep a failed run's folder under ``failed/`` with a manifest saying why; ``latest`` is untouched."""
    error = _one_line(exc)
    manifest["status"] = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    manifest["error"] = {"type": error.__class__.__name__, "message": str(error)}
    manifest["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["timings"] = dict(timer.timings)
    try:
        manifest["outputs"] = _output_listing(folder)
        write_manifest(folder, manifest)
        failed_dir = target_dir / FAILED
        failed_dir.mkdir(exist_ok=True)
        destination = _free_name(failed_dir, stamp)
        os.rename(folder, destination)
    except OSError as move_error:
        log.error("could not keep the failed run under %s (%s)", target_dir / FAILED, move_error.strerror)
        return None
    return destination


def _screen(store: Store, event_ids: Sequence[str]) -> None:
    from pigan.screening import screen_event

    for event_id in event_ids:
        screen_event(store, event_id)


def _model_key() -> str:
    """Load the model and build the tagging pipeline (once per process), ready to run; return their id.

    One made-up sentence goes through the whole pipeline so that one-off
    start-up work (lazy tables, first calls into the classifier) is counted
    here, with loading, and not in the screening or tagging stages.
    """
    from pigan.tagging import get_pipeline
    from pigan.tagging.pipeline import pipeline_model_id

    pipeline = get_pipeline()
    pipeline("The duty team's caseload was high, so the referral waited a week.")
    return pipeline_model_id(pipeline)


def _tag(store: Store, event_ids: Sequence[str]) -> None:
    from pigan.tagging import tag_event

    for event_id in event_ids:
        tag_event(store, event_id, use_cache=True)


def _codebook_info() -> dict[str, Any]:
    from pigan.tagging.codebook import load_codebook

    codebook = load_codebook()
    return {"version": codebook.version, "source": codebook.source, "sha256": codebook.sha256}


def _event_inputs(
    store: Store, event_ids: Sequence[str], notebooks: Sequence[Path], codebook: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "sources": {
            event_id: [
                {
                    k: s[k]
                    for k in (
                        "name",
                        "path",
                        "sha256",
                        "version",
                        "rows_read",
                        "rows_ingested",
                        "rows_quarantined",
                    )
                }
                for s in store.sources(event_id)
            ]
            for event_id in event_ids
        },
        "notebooks": [{"name": p.name, "sha256": sha256_file(p)} for p in notebooks],
        "codebook": dict(codebook),
    }


def _check_gate(
    store: Store, event_ids: Sequence[str], policies: Sequence[str], audience: str
) -> dict[str, Any]:
    """Check the screening gate for every event and policy the notebooks will use."""
    from pigan.screening import gate

    verdicts: dict[str, Any] = {}
    for event_id in event_ids:
        for policy in policies:
            verdict = gate(store, event_id, policy, audience=audience)
            verdicts.setdefault(event_id, {})[policy] = {
                "allowed": verdict.allowed,
                "unresolved": len(verdict.unresolved),
            }
            if not verdict.allowed:
                raise GateError(verdict.message)
    return verdicts


def _ingest(paths: Sequence[Path], store: Store, event_id: str | None) -> dict[str, Any]:
    from pigan.ingest import ingest_paths

    report = ingest_paths(list(paths), store=store, event_id=event_id)
    return {
        "paths": [str(Path(p).resolve()) for p in paths],
        "rows_read": report.rows_read,
        "rows_ingested": report.rows_ingested,
        "rows_quarantined": report.rows_quarantined,
        "files": [
            {"event_id": o.event_id, "name": o.name, "status": o.status, "version": o.version}
            for o in report.outcomes
        ],
    }


def _targets(paths: Sequence[Path], event: str | None, board: bool) -> list[str]:
    from pigan.ingest import expand_paths

    if board and event:
        raise InputError("--board", "give either --board or --event, not both")
    if board:
        return [BOARD_TARGET]
    if event:
        return [event]
    if not paths:
        raise InputError("pigan run", "give --event ID, notes PATH..., or --board")
    events: list[str] = []
    for path, found in expand_paths(paths):
        if found is None:
            raise InputError(path, "no event id for these notes: give --event ID or add an event.yaml")
        if found.event_id not in events:
            events.append(found.event_id)
    return events


def run_reports(
    paths: Sequence[Path] = (),
    *,
    store: Path | str | None = None,
    event: str | None = None,
    board: bool = False,
    out: Path | str = "reports",
    parameters: Sequence[Sequence[str]] = (),
    timeout: int = 600,
    notebooks: Path | str | None = None,
    progress: bool = True,
) -> list[RunResult]:
    """What ``pigan run`` does: check parameters, ingest ``paths``, run each event (or the board).

    Parameters
    ----------
    paths
        Notes files or event folders to ingest first; without ``event`` or
        ``board``, each event they hold is reported on in turn.
    event
        The event to report on.
    board
        Run the board overview across the events in the store.
    parameters
        ``(NAME, VALUE)`` pairs from ``-p``.
    notebooks
        Folder of notebooks (default :func:`notebooks_dir`).

    Raises
    ------
    InputError
        Unknown or malformed parameters, nothing to run (exit 2; nothing written).
    LockedError, GateError, RunError
        See :func:`run_target`.
    """
    if timeout < 1:
        raise InputError("--timeout", "must be at least 1 second")
    targets = _targets(paths, event, board)
    names = BOARD_NOTEBOOKS if board else EVENT_NOTEBOOKS
    candidate_paths = notebook_paths(names, notebooks)
    checked = check_parameters(parameters, candidate_paths)
    audience = str(checked.get("03_learning_summary", {}).get("audience", "reviewer"))
    if audience not in ("reviewer", "board"):
        raise InputError("-p audience", f"must be 'reviewer' or 'board', not {audience!r}")
    policies = {str(values["policy"]) for values in checked.values() if "policy" in values}
    for policy in policies:
        if policy not in ("block", "redact", "warn"):
            raise InputError("-p policy", f"must be 'block', 'redact' or 'warn', not {policy!r}")
        if policy == "warn" and (board or audience == "board"):
            raise InputError(
                "-p policy", "'warn' is for reviewer outputs only; the board's need 'block' or 'redact'"
            )
    selected = candidate_paths
    if not board and audience == "board":
        selected = [p for p in candidate_paths if p.stem in BOARD_AUDIENCE_NOTEBOOKS]
    out_dir = Path(out)
    results: list[RunResult] = []
    with ExitStack() as locks, Store.open(store, create=bool(paths)) as opened:
        if not paths:  # nothing to ingest: an unknown event is refused before any folder is made
            for target in targets:
                if target != BOARD_TARGET:
                    opened.event(target)
        for target in targets:
            locks.enter_context(output_lock(out_dir / target))
        inputs: dict[str, Any] = {}
        timer = _Timer()
        if paths:
            with timer.stage("ingest"):
                inputs["ingested"] = _ingest(paths, opened, event)
        for target in targets:
            event_ids = [e.event_id for e in opened.events()] if target == BOARD_TARGET else [target]
            if target == BOARD_TARGET:
                chosen = checked.get("04_board_overview", {}).get("events")
                if chosen:
                    unknown = sorted(set(chosen) - set(event_ids))
                    if unknown:
                        raise NotFoundError(f"-p events: no such event(s) in the store: {', '.join(unknown)}")
                    event_ids = list(chosen)
                if not event_ids:
                    raise NotFoundError(f"{opened.path}: no events in the store (ingest some first)")
            else:
                opened.event(target)
            result = run_target(
                store=opened,
                target=target,
                event_ids=event_ids,
                notebooks=selected,
                parameters=checked,
                out=out_dir,
                timeout=timeout,
                audience="board" if board else audience,
                progress=progress,
                timer=timer,
                inputs=inputs,
            )
            results.append(result)
            timer = _Timer()
    return results


def format_timings(timings: Mapping[str, float]) -> str:
    """Stage timings as one line: ``ingest 0.2s, screen 1.1s, tag 0.4s, ...``."""
    return ", ".join(f"{name.removeprefix('notebook:')} {seconds:.1f}s" for name, seconds in timings.items())


__all__ = [
    "BOARD_NOTEBOOKS",
    "EVENT_NOTEBOOKS",
    "RUNNER_PARAMETERS",
    "DeclaredParameter",
    "RunResult",
    "check_completion",
    "check_parameters",
    "convert_value",
    "declared_parameters",
    "execute_notebook",
    "format_timings",
    "notebook_paths",
    "notebook_to_html",
    "notebooks_dir",
    "output_lock",
    "point_latest",
    "record_completion",
    "run_reports",
    "run_target",
    "software_versions",
    "write_manifest",
]
