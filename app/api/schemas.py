"""Shared pieces of the API's pydantic models: strict input, text without control characters,
and the explicit suppressed cell."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.control_characters import CONTROL

FEWER_THAN = "fewer than {k} responses"
PROTECTS = "protects a smaller group"


class ApiModel(BaseModel):
    """Unknown fields are refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


def _no_control(value: str) -> str:
    # PostgreSQL refuses NUL, and a workbook cannot hold the other C0 controls; lone surrogates
    # cannot be stored as UTF-8 at all.
    if CONTROL.search(value) or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must not contain control characters or unpaired surrogates")
    return value


Text = Annotated[str, AfterValidator(_no_control)]


def _utc(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive (they hold UTC): RFC 3339 needs the offset.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Moment = Annotated[datetime, AfterValidator(_utc)]


class Suppressed(ApiModel):
    """A figure that may not be shown: a group under the round's threshold, or a figure hidden
    so that such a group cannot be worked out. Never omitted, never zero."""

    suppressed: Literal[True] = True
    reason: str = Field(examples=["fewer than 5 responses", PROTECTS])


def suppressed(small: bool, k: int) -> Suppressed:
    """`small`: the group itself has fewer than k people (primary suppression)."""
    return Suppressed(reason=FEWER_THAN.format(k=k) if small else PROTECTS)


# A count of people: the number, or why it is hidden.
CountOrSuppressed = Annotated[int, Field(ge=0)] | Suppressed
