"""``python -m pigan`` runs the command line."""

from pigan.cli import entry

entry()
