"""pigan: practitioner information gathering analytics.

Turns the anonymised notes of a safeguarding practitioner event into
reviewed, evidence-linked learning: ingest, screen, tag, report.
"""

__version__ = "0.1.0"
