"""An uploaded framework, YAML or Excel: which reader a file goes to, by its name (or content)."""

from __future__ import annotations

from pathlib import Path

from frameworks.loader import FrameworkError, load_text
from frameworks.schema import Framework
from frameworks.workbook.read import read_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml", ".json")  # JSON is YAML, so `show --json` output imports too
_ZIP_MAGIC = b"PK\x03\x04"


def load_upload(data: bytes, filename: str) -> Framework:
    """A framework from a YAML file or an Excel workbook, chosen by the file name."""
    name = Path(filename or "upload").name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES or (suffix not in YAML_SUFFIXES and data[:4] == _ZIP_MAGIC):
        return read_workbook(data, name)
    if suffix == ".xls":
        raise FrameworkError(
            [f"{name}: (file): an old-style .xls file; save it as an Excel workbook (.xlsx)"]
        )
    if suffix not in YAML_SUFFIXES:
        raise FrameworkError(
            [f"{name}: (file): use a YAML file (.yaml or .yml) or an Excel workbook (.xlsx)"]
        )
    return load_text(data, name)
