"""Exchange with qualitative-analysis tools (NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette).

REFI-QDA is the exchange standard: a codebook (``.qdc``) and a project
(``.qdpx``). pigan writes both so a reviewer can check and correct its coding
in their own tool, reads them back (codebook changes and human coding, as a
gold set), and measures how well pigan agrees with the human coder.

- :func:`export_qdc`, :func:`export_qdpx`, :func:`export_taguette_csv`
- :func:`import_coding`, :func:`read_gold`, :func:`gold_path`
- :func:`evaluate_human`, :func:`cmd_evaluate_human`
"""

from __future__ import annotations

from pigan.interop.agreement import AgreementReport, CodeAgreement, cmd_evaluate_human, evaluate_human
from pigan.interop.codes import PIGAN_USER_GUID, code_guid
from pigan.interop.coding_import import (
    HumanCoding,
    ImportReport,
    Unmapped,
    gold_path,
    import_coding,
    read_gold,
    read_human_coding,
)
from pigan.interop.refi_export import (
    ExportSummary,
    export_qdc,
    export_qdpx,
    export_taguette_csv,
    schema_path,
    selection_guid,
    source_guid,
)
from pigan.interop.refi_read import read_refi

__all__ = [
    "PIGAN_USER_GUID",
    "AgreementReport",
    "CodeAgreement",
    "ExportSummary",
    "HumanCoding",
    "ImportReport",
    "Unmapped",
    "cmd_evaluate_human",
    "code_guid",
    "evaluate_human",
    "export_qdc",
    "export_qdpx",
    "export_taguette_csv",
    "gold_path",
    "import_coding",
    "read_gold",
    "read_human_coding",
    "read_refi",
    "schema_path",
    "selection_guid",
    "source_guid",
]
