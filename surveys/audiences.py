"""Audiences a round defines itself (issue 22), beside the built-in six and any a framework adds.

Pure: no Flask, no SQL. A round keeps its own audiences as plain dicts (`CustomAudience.to_dict`);
`extend` folds them into the round's framework as extra audiences with their own item bank, so
questionnaire generation, labels, the mix, results, suppression and exports treat them exactly as
they treat any other audience: a group of its own under the same threshold.

Rules
-----
- An id is ``"c-" + a slug of the name`` (made unique in the round), so a round asking "Elected
  members" again next year gets the same id, and results compare only when the audience (id and
  name) and the statement's wording and scale are the same.
- Adults only: the scale is `agree4` or `progress5` (faces are for children and easy read).
- Reached by email, by open link (and its QR code and kiosks), or both; at least one.
- Statements per chosen indicator: copied from the item bank of an audience it resembles, edited,
  or written new. Origin: "bank" (a bank statement word for word), "edited" (in the place of a bank
  statement, reworded) or "custom" (written new).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from frameworks.schema import STANDARD_AUDIENCES, Audience, Framework, ItemSpec
from surveys.questionnaire import audience_phrase

PREFIX = "c-"
ID_MAX = 40  # Questionnaire.audience and Ident
NAME_MAX = 60
PLURAL_MAX = 80
STATEMENT_MAX = 300  # QuestionItem.statement
STATEMENTS_PER_INDICATOR = 10
ADULT_SCALES = ("agree4", "progress5")
ORIGINS = ("bank", "edited", "custom")
_SLUG = re.compile(r"[^a-z0-9]+")


class AudienceError(ValueError):
    """Input a coordinator must fix; `errors` maps a form field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    origin: str = "custom"  # one of ORIGINS
    bank_key: str | None = None  # "2.1/parents/1": the bank statement it was taken from

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "origin": self.origin, "bank_key": self.bank_key}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Statement:
        origin = str(data.get("origin") or "custom")
        key = data.get("bank_key")
        return cls(
            text=str(data["text"]),
            origin=origin if origin in ORIGINS else "custom",
            bank_key=None if key is None else str(key),
        )


@dataclass(frozen=True, slots=True)
class CustomAudience:
    id: str
    name: str  # "Elected members": headings, tables, the respondent's page title
    plural: str  # "elected members": "Most elected members (80%, ...) report ..."
    scale: str  # one of ADULT_SCALES
    email: bool  # invited by email
    open_link: bool  # an open link, its QR code and kiosks
    resembles: str | None = None  # the audience whose item bank it started from
    statements: dict[str, tuple[Statement, ...]] = field(default_factory=dict)  # by indicator

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "plural": self.plural,
            "scale": self.scale,
            "email": self.email,
            "open_link": self.open_link,
            "resembles": self.resembles,
            "statements": {k: [s.to_dict() for s in v] for k, v in self.statements.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomAudience:
        statements = data.get("statements") or {}
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            plural=str(data.get("plural") or "") or lower_first(str(data["name"])),
            scale=str(data.get("scale") or "agree4"),
            email=bool(data.get("email", True)),
            open_link=bool(data.get("open_link", True)),
            resembles=data.get("resembles") or None,
            statements={
                str(k): tuple(Statement.from_dict(s) for s in v) for k, v in statements.items()
            },
        )

    def statements_for(self, indicator_ids: Iterable[str]) -> int:
        """How many statements it has for these indicators."""
        return sum(len(self.statements.get(i, ())) for i in indicator_ids)


def load(rows: Sequence[Mapping[str, Any]] | None) -> list[CustomAudience]:
    return [CustomAudience.from_dict(row) for row in rows or ()]


def clean(text: str) -> str:
    return " ".join(text.split())


def lower_first(label: str) -> str:
    """ "Elected members" -> "elected members"; "NHS boards" stays (an acronym)."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def new_id(name: str, taken: Iterable[str]) -> str:
    """ "c-elected-members", with "-2", "-3" ... when the round already has that id."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("-", ascii_name.lower()).strip("-") or "audience"
    base = (PREFIX + slug)[: ID_MAX - 3].rstrip("-")
    used = set(taken)
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def is_custom(audience: str) -> bool:
    return audience.startswith(PREFIX)


def name_clashes(name: str, others: Iterable[str]) -> bool:
    folded = clean(name).casefold()
    return any(clean(other).casefold() == folded for other in others)


def other_names(
    framework: Framework,
    customs: Sequence[CustomAudience],
    but: str | None,
    asked: Iterable[str] = (),
) -> list[str]:
    """Every audience name a new or renamed audience must not repeat: the built-in six, those
    the framework adds that the round asks (`asked`), and the round's other own audiences, each
    with its plural wording. `framework` is the round's framework without its own audiences."""
    chosen = set(asked)
    others = [a for a in framework.audience_ids if a in STANDARD_AUDIENCES or a in chosen]
    names = [framework.audience_label(a) for a in others]
    names += [audience_phrase(framework, a) for a in others]
    for c in customs:
        if c.id != but:
            names += [c.name, c.plural]
    return names


def check(
    *,
    name: str,
    plural: str,
    scale: str,
    email: bool,
    open_link: bool,
    resembles: str | None,
    framework: Framework,
    customs: Sequence[CustomAudience],
    audience_id: str | None = None,
    asked: Iterable[str] = (),
) -> dict[str, str]:
    """Errors in a definition, by form field (empty when it can be saved)."""
    errors: dict[str, str] = {}
    name, plural = clean(name), clean(plural)
    if not name:
        errors["name"] = "Enter a name for the audience, such as Elected members."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer."
    elif name_clashes(name, other_names(framework, customs, audience_id, asked)):
        errors["name"] = (
            f"This round already has an audience called “{name}”. Choose a different name."
        )
    if len(plural) > PLURAL_MAX:
        errors["plural"] = f"The wording must be {PLURAL_MAX} characters or fewer."
    elif plural and name_clashes(plural, other_names(framework, customs, audience_id, asked)):
        errors["plural"] = f"Another audience in this round is already called “{plural}”."
    if scale not in ADULT_SCALES:
        errors["scale"] = "Choose the scale the audience answers on."
    if not (email or open_link):
        errors["channels"] = "Choose how people are asked: by email, by open link, or both."
    if resembles and resembles not in framework.audience_ids:
        errors["resembles"] = "Choose one of the audiences listed, or none."
    return errors


def bank(framework: Framework, audience: str | None, indicator_id: str) -> list[Statement]:
    """The item bank's statements for one audience and indicator, as custom statements."""
    if not audience:
        return []
    try:
        specs = framework.indicator(indicator_id).items.get(audience, [])
    except KeyError:
        return []
    return [
        Statement(spec.statement, "bank", f"{indicator_id}/{audience}/{n}")
        for n, spec in enumerate(specs, start=1)
    ]


def from_bank(
    framework: Framework, resembles: str | None, indicator_ids: Iterable[str]
) -> dict[str, tuple[Statement, ...]]:
    """Statements to start from: the resembled audience's bank for each chosen indicator."""
    found = {i: tuple(bank(framework, resembles, i)) for i in indicator_ids}
    return {k: v for k, v in found.items() if v}


def read_statements(
    text: str, before: Sequence[Statement], bank_statements: Sequence[Statement]
) -> tuple[Statement, ...]:
    """One statement a line. A line that is a bank statement word for word is "bank"; a
    changed line in the place of one taken from the bank is "edited"; any other is "custom".
    Raises AudienceError (field "statements") for a line too long or too many lines."""
    lines = [clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > STATEMENTS_PER_INDICATOR:
        raise AudienceError(
            {"statements": f"Write at most {STATEMENTS_PER_INDICATOR} statements an indicator."}
        )
    for line in lines:
        if len(line) > STATEMENT_MAX:
            raise AudienceError(
                {
                    "statements": f"Each statement must be {STATEMENT_MAX} characters or "
                    f"fewer: “{line[:40]}…” is {len(line)}."
                }
            )
    by_text = {s.text: s for s in bank_statements}
    out: list[Statement] = []
    for n, line in enumerate(lines):
        if line in by_text:
            out.append(by_text[line])
            continue
        earlier = before[n] if n < len(before) else None
        if earlier is not None and earlier.bank_key is not None:
            out.append(Statement(line, "edited", earlier.bank_key))
        else:
            out.append(Statement(line, "custom"))
    return tuple(out)


def extend(framework: Framework, customs: Sequence[CustomAudience]) -> Framework:
    """The framework as a round with these audiences sees it: each custom audience an extra
    audience whose item bank is its statements, on its own scale."""
    if not customs:
        return framework
    audiences = [
        *framework.audiences,
        *(Audience(id=c.id, label=c.name, plural=c.plural) for c in customs),
    ]
    indicators = []
    for ind in framework.indicators:
        extra = {
            c.id: [ItemSpec(statement=s.text, scale=c.scale) for s in c.statements[ind.id]]
            for c in customs
            if c.statements.get(ind.id)
        }
        indicators.append(
            ind.model_copy(update={"items": {**ind.items, **extra}}) if extra else ind
        )
    return framework.model_copy(update={"audiences": audiences, "indicators": indicators})
