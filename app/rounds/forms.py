"""Reading the round settings form: raw strings in, RoundSettings plus field errors out.

No database access here, so the parsing rules are unit-tested on their own. The services then
validate the meaning (framework, dates in order, threshold); the view merges both sets of errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from werkzeug.datastructures import MultiDict

from app.i18n import LANGUAGES
from app.services.rounds import SCOPE_FIELDS, RoundSettings
from frameworks import Framework
from surveys.questionnaire import CHILDREN_BANDS
from surveys.selection import SelectionError, expand_tokens

# Form fields in page order: the error summary lists problems in this order.
FIELD_ORDER = (
    "framework_id",
    "name",
    "indicator_ids",
    "audiences",
    *(f"scope_{key}" for key in SCOPE_FIELDS),
    "opens_on",
    "closes_on",
    "threshold",
    "grace_days",
    "children_bands",
    "easy_read",
    "languages",
)

SCOPE_LABELS: dict[str, tuple[str, str]] = {
    "organisation": (
        "The organisation",
        "Who is carrying out the self-assessment (an organisation or a partnership).",
    ),
    "partners": ("Partners", "The agencies and groups you work with in this area."),
    "services": ("Services", "The services or activities this round looks at."),
    "customers": ("Customers", "The people the services are for."),
    "outcomes": ("Intended outcomes", "What the services are meant to achieve for them."),
}

DATE_EXAMPLE = "for example 2026-03-31"


@dataclass
class SettingsForm:
    """What the coordinator typed, kept as typed so a 422 page shows it back."""

    framework_id: str = ""
    name: str = ""
    choices: set[str] = field(default_factory=set)  # shortcut and indicator tokens ticked
    audiences: list[str] = field(default_factory=list)
    scope: dict[str, str] = field(default_factory=dict)
    opens_on: str = ""
    closes_on: str = ""
    threshold: str = ""
    grace_days: str = "3"
    children_bands: list[str] = field(default_factory=lambda: list(CHILDREN_BANDS))
    free_text: bool = True
    role_question: bool = False
    languages: list[str] = field(default_factory=lambda: ["en"])
    default_language: str = "en"
    easy_read: list[str] = field(default_factory=list)  # audiences asked in easy read

    @classmethod
    def from_settings(cls, s: RoundSettings) -> SettingsForm:
        return cls(
            framework_id=s.framework_id,
            name=s.name,
            choices={f"indicator:{i}" for i in s.indicator_ids},
            audiences=list(s.audiences),
            scope={k: s.scope.get(k, "") for k in SCOPE_FIELDS},
            opens_on=s.opens_on.isoformat() if s.opens_on else "",
            closes_on=s.closes_on.isoformat() if s.closes_on else "",
            threshold="" if s.threshold is None else str(s.threshold),
            grace_days=str(s.grace_days),
            children_bands=form_bands(s.children_bands),
            free_text=s.free_text,
            role_question=s.role_question,
            languages=list(s.languages),
            default_language=s.languages[0] if s.languages else "en",
            easy_read=list(s.easy_read_audiences),
        )

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> SettingsForm:
        return cls(
            framework_id=form.get("framework_id", "").strip(),
            name=form.get("name", ""),
            choices={c for c in form.getlist("choice") if c},
            audiences=[a for a in form.getlist("audience") if a],
            scope={k: form.get(f"scope_{k}", "") for k in SCOPE_FIELDS},
            opens_on=form.get("opens_on", "").strip(),
            closes_on=form.get("closes_on", "").strip(),
            threshold=form.get("threshold", "").strip(),
            grace_days=form.get("grace_days", "3").strip(),
            children_bands=[b for b in form.getlist("children_band") if b],
            free_text=form.get("free_text") == "on",
            role_question=form.get("role_question") == "on",
            languages=[c for c in form.getlist("language") if c],
            default_language=form.get("default_language", "").strip(),
            easy_read=[a for a in form.getlist("easy_read") if a],
        )


# A draft from before age bands shows the bands its one band covered; saving it asks them.
_FROM_LEGACY = {"under_12": ["under_8", "8_to_12"], "12_plus": ["13_plus"]}


def form_bands(children_bands: list[str]) -> list[str]:
    """The age-band boxes to tick for a round's stored bands."""
    return [n for b in children_bands for n in _FROM_LEGACY.get(b, [b])]


def parse_date(value: str) -> date | None:
    """ISO date (what <input type=date> sends); ValueError for anything else but blank."""
    if not value:
        return None
    return date.fromisoformat(value)


def to_settings(
    form: SettingsForm, framework: Framework | None
) -> tuple[RoundSettings, dict[str, str]]:
    """RoundSettings from the form, and the errors only the form can see (unreadable values).

    Unreadable dates or numbers become None in the settings, so validation does not report them a
    second time with a less helpful message; these errors take precedence.
    """
    errors: dict[str, str] = {}
    indicator_ids: list[str] = []
    if framework is not None:
        try:
            indicator_ids = expand_tokens(framework, sorted(form.choices))
        except SelectionError as exc:
            errors["indicator_ids"] = str(exc)
    dates: dict[str, date | None] = {}
    for key, label in (("opens_on", "opening"), ("closes_on", "closing")):
        try:
            dates[key] = parse_date(getattr(form, key))
        except ValueError:
            dates[key] = None
            errors[key] = f"Enter the {label} date as a real date, {DATE_EXAMPLE}."
    threshold: int | None = None
    if form.threshold:
        try:
            threshold = int(form.threshold)
        except ValueError:
            errors["threshold"] = "Enter the anonymity threshold as a whole number, such as 5."
    grace_days = 3
    try:
        grace_days = int(form.grace_days or "3")
    except ValueError:
        errors["grace_days"] = "Enter the grace period as a whole number of days, such as 3."
    # No box ticked: the language shown first alone (English when the form has no such field).
    languages = list(dict.fromkeys(form.languages)) or [form.default_language or "en"]
    default = form.default_language or languages[0]
    unknown = [c for c in languages if c not in LANGUAGES]
    if unknown:
        errors["languages"] = f"Chorus has no interface in {', '.join(map(repr, unknown))}."
    elif default not in languages:
        errors["languages"] = "The language shown first must be one of the languages chosen."
    else:
        languages.remove(default)
        languages.insert(0, default)
    settings = RoundSettings(
        name=form.name,
        framework_id=form.framework_id,
        indicator_ids=indicator_ids,
        audiences=list(dict.fromkeys(form.audiences)),
        opens_on=dates["opens_on"],
        closes_on=dates["closes_on"],
        threshold=threshold,
        grace_days=grace_days,
        scope=dict(form.scope),
        children_bands=list(dict.fromkeys(form.children_bands)),
        free_text=form.free_text,
        role_question=form.role_question,
        languages=[c for c in languages if c in LANGUAGES] or ["en"],
        easy_read_audiences=list(dict.fromkeys(form.easy_read)),
    )
    return settings, errors


def ordered_errors(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, message) in page order, unknown fields last, for the error summary."""
    rank = {name: n for n, name in enumerate(FIELD_ORDER)}
    return sorted(errors.items(), key=lambda pair: rank.get(pair[0], len(rank)))
