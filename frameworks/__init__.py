"""WHAT is measured: quality frameworks as validated data (no Flask, no SQL)."""

from frameworks.loader import FrameworkError, builtin_frameworks, get_builtin, load_file, load_text
from frameworks.schema import STANDARD_AUDIENCES, Framework, Indicator

__all__ = [
    "STANDARD_AUDIENCES",
    "Framework",
    "FrameworkError",
    "Indicator",
    "builtin_frameworks",
    "get_builtin",
    "load_file",
    "load_text",
]
