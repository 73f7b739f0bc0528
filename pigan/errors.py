"""The exception hierarchy: every expected failure is a :class:`PiganError`.

The command line maps these to exit codes and one-line messages. Messages
name files, lines and keys; they never contain note text.
"""

from __future__ import annotations

from pathlib import Path


class PiganError(Exception):
    """Root of pigan's expected failures (exit code 1 unless a subclass says otherwise)."""

    exit_code = 1


class InputError(PiganError):
    """A notes file or other input cannot be read as given (exit code 2).

    Parameters
    ----------
    path
        The file at fault.
    reason
        What is wrong, without any note text.
    line
        Line or row number (1-based) where it applies.
    """

    exit_code = 2

    def __init__(self, path: Path | str, reason: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class ConfigError(PiganError):
    """A configuration or resource file (codebook, patterns, event.yaml) is invalid (exit code 2)."""

    exit_code = 2


class StoreError(PiganError):
    """The store cannot be opened or is at an unknown schema version."""

    exit_code = 1


class NotFoundError(PiganError):
    """An event, note or run that was asked for does not exist (exit code 2)."""

    exit_code = 2


class ModelError(PiganError):
    """The spaCy model cannot be loaded (exit code 1)."""

    exit_code = 1


class GateError(PiganError):
    """The screening gate refuses an output while personal-data findings remain (exit code 3)."""

    exit_code = 3


class RunError(PiganError):
    """A notebook run failed (exit code 1); the partial run is kept under ``failed/``."""

    exit_code = 1


class LockedError(PiganError):
    """Another run holds the lock for the same output (exit code 4)."""

    exit_code = 4
