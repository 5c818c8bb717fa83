"""The Indicators sheet as CSV, for other tools: same rows, same suppression, formula-safe."""

from __future__ import annotations

import csv
import io

from app.services.documents.round_tables import (
    INDICATOR_COLUMNS,
    PERCENT_COLUMNS,
    Names,
    indicator_rows,
)
from app.services.documents.workbook import csv_safe
from app.services.results import RoundResults


def indicators_csv(results: RoundResults, names: Names) -> str:
    """CSV text with a header row. Percentages are 0-100 (unrounded to 2 places), not 0-1:
    a CSV has no number formats, and "82.46" under "% favourable" reads as it should."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(c.header) for c in INDICATOR_COLUMNS])
    for row in indicator_rows(results, names):
        writer.writerow(
            [
                round(value * 100, 2)
                if n in PERCENT_COLUMNS and isinstance(value, float)
                else csv_safe(value)
                for n, value in enumerate(row)
            ]
        )
    return out.getvalue()
