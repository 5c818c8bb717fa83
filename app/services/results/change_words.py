"""How a change between two rounds is put in words, for statements and own questions alike."""

from __future__ import annotations

from surveys.statistics import whole_percent


class ChangeWords:
    """For a dataclass with `change`, `low` and `high` in percentage points (None: not given)."""

    __slots__ = ()
    change: float | None
    low: float | None
    high: float | None

    @property
    def compared(self) -> bool:
        return self.change is not None

    @property
    def change_text(self) -> str | None:
        if self.change is None:
            return None
        points = whole_percent(self.change)
        return f"{'+' if points > 0 else ''}{points} points"

    @property
    def interval_text(self) -> str | None:
        if self.low is None or self.high is None:
            return None
        return f"{whole_percent(self.low)} to {whole_percent(self.high)} points"
