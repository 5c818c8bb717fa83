"""Pydantic schema of a framework file (DESIGN.md section 4).

A framework file is YAML. Everything a later layer needs (indicators, themes, links, item bank)
is validated here, so `surveys/` and `app/` can trust a loaded `Framework` without checking again.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

STANDARD_AUDIENCES: dict[str, str] = {
    "staff": "Staff",
    "partners": "Partners",
    "parents": "Parents and carers",
    "children": "Children and young people",
    "service_users": "Service users",
    "community": "Community",
}

# Children and young people are asked in age bands (DESIGN.md 5): in a round each band is a
# group of its own, keyed "children_<band>" (its own questionnaire, open link, release and
# results, never pooled with another band or with adults). surveys.questionnaire has the rules.
CHILDREN_BAND_AUDIENCES: dict[str, str] = {
    "children_under_8": "Children under 8",
    "children_8_to_12": "Children 8 to 12",
    "children_13_plus": "Young people 13 and over",
}

# Scales a respondent can answer (DESIGN.md section 5). `six_point` is for SAT ratings only.
ITEM_SCALES = ("agree4", "faces3", "progress5")

FRAMEWORK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def _not_blank(value: str, info: ValidationInfo) -> str:
    if not value:
        raise ValueError(f"{(info.field_name or 'text').replace('_', ' ')} is empty")
    return value


def _entry_not_blank(value: str) -> str:
    if not value:
        raise ValueError("entry is empty")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True)]  # may be left empty
Required = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_not_blank)]
Entry = Annotated[  # one text in a list of texts
    str, StringConstraints(strip_whitespace=True), AfterValidator(_entry_not_blank)
]
Ident = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_not_blank)
]


class Problem(NamedTuple):
    """One problem in a framework: where (a pydantic-style location) and what."""

    loc: tuple[str | int, ...]
    message: str


class CrossReferenceError(ValueError):
    """Every cross-reference problem of a framework at once, each with its own location.

    Raised from the model validator, so pydantic reports it at loc () and keeps this exception in
    the error's ctx; the loader reads `problems` from there rather than parsing the message.
    """

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    document: Required  # file name in shared/seeds, or the user's own reference
    title: Required
    section: Text = ""


class ScaleLevel(_Strict):
    code: Ident  # what is stored and shown: "6", "a", "met"
    label: Required
    descriptor: Text = ""


class RatingScale(_Strict):
    """The scale a Self-Assessment Team rates on; levels listed best first."""

    id: Ident
    title: Required
    levels: list[ScaleLevel] = Field(min_length=2)
    good_from: Ident  # this level and better count as "good or better" (blind-spot rule)

    @model_validator(mode="after")
    def _check(self) -> RatingScale:
        codes = [level.code for level in self.levels]
        if len(set(codes)) != len(codes):
            raise ValueError("rating scale level codes must be unique")
        if self.good_from not in codes:
            raise ValueError(f"good_from {self.good_from!r} is not one of the levels {codes}")
        return self

    def rank(self, code: str) -> int:
        """Higher is better: the worst level ranks 1."""
        codes = [level.code for level in self.levels]
        return len(codes) - codes.index(code)

    def display(self, code: str | None) -> str:
        """A rating as a team reads it: "4: Good", "d: ...", but "Met" rather than "met: Met"."""
        if not code:
            return ""
        for level in self.levels:
            if level.code == code:
                return f"{level.code}: {level.label}" if len(level.code) <= 2 else level.label
        return code

    def is_good_or_better(self, code: str) -> bool:
        return self.rank(code) >= self.rank(self.good_from)

    def label(self, code: str) -> str:
        for level in self.levels:
            if level.code == code:
                return level.label
        raise KeyError(code)


class Audience(_Strict):
    """An audience a framework (or a round) adds to the built-in six."""

    id: Ident
    label: Required
    # Lower-case plural for sentences ("Most elected members ..."); blank: the label, lowered.
    plural: Text = ""


class Group(_Strict):
    """Optional level above sections, e.g. HMIE's six high-level questions."""

    id: Ident
    title: Required


class Section(_Strict):
    id: Ident
    title: Required
    group: Ident | None = None
    summary: Text = ""  # statement of purpose, in our words where the source is long
    components: list[Entry] = []  # e.g. HMIE key area 10's components


class Theme(_Strict):
    id: Ident
    title: Required
    stakeholder_report: bool = False  # an HMIE "what stakeholders report" theme


class Illustrations(_Strict):
    """Our own short summaries of a source's level illustrations (HMIE level 5 and level 2)."""

    level_5: Text = ""
    level_2: Text = ""


class StandardDetail(_Strict):
    """Derwent-style standard detail."""

    actor: Text = ""
    intended_outcome: Text = ""
    behaviours: list[Entry] = []
    skills_and_abilities: list[Entry] = []
    knowledge_and_understanding: list[Entry] = []


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
EASY_READ_MAX_WORDS = 15  # an easy-read sentence: short enough to read at a glance
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)s")


class ItemSpec(_Strict):
    statement: str
    theme: Ident | None = None
    scale: str | None = None  # default chosen per audience by surveys.questionnaire
    # The statement in other languages, by language code ("cy", "ar"): copied into a round's
    # questionnaire as its translations when the questionnaire is made.
    statements: dict[str, str] = {}
    # The same statement in easy-read English (at most EASY_READ_MAX_WORDS words), asked of
    # adults on an easy-read questionnaire with the faces scale (DESIGN.md section 5).
    easy_read: str | None = None

    @field_validator("easy_read")
    @classmethod
    def _easy_read(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("easy_read is empty: leave it out or write a short sentence")
        words = len(value.split())
        if words > EASY_READ_MAX_WORDS:
            raise ValueError(
                f"easy_read has {words} words: an easy-read sentence has at most "
                f"{EASY_READ_MAX_WORDS}"
            )
        return value

    @model_validator(mode="after")
    def _translations(self) -> ItemSpec:
        wanted = sorted(_PLACEHOLDER.findall(self.statement))
        for code, text in self.statements.items():
            if not _LANGUAGE_CODE.match(code):
                raise ValueError(f"statements: {code!r} is not a language code such as cy or ar")
            if code == "en":
                raise ValueError("statements: the English is the statement itself")
            text = " ".join(str(text).split())
            if not text:
                raise ValueError(f"statements: the {code} statement is empty")
            if sorted(_PLACEHOLDER.findall(text)) != wanted:
                raise ValueError(
                    f"statements: the {code} statement must keep the same placeholders as "
                    "the English"
                )
            self.statements[code] = text
        return self

    @field_validator("statement")
    @classmethod
    def _statement(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("statement is empty")
        return value

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: str | None) -> str | None:
        if value is not None and value not in ITEM_SCALES:
            raise ValueError(f"unknown scale {value!r} (use one of {', '.join(ITEM_SCALES)})")
        return value


def _item_from_shorthand(value: Any) -> Any:
    return {"statement": value} if isinstance(value, str) else value


class Indicator(_Strict):
    id: Ident
    title: Required
    section: Ident
    summary: Text = ""
    themes: list[Theme] = []
    links: list[Ident] = []
    illustrations: Illustrations | None = None
    detail: StandardDetail | None = None
    items: dict[str, list[ItemSpec]] = {}

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        # "/" separates parts of questionnaire item keys and URLs; "," and ";" separate links in
        # a workbook cell (and "2,1" is a known slip for "2.1").
        for char in "/,;":
            if char in value:
                raise ValueError(f"an indicator id cannot contain {char!r}")
        return value

    @field_validator("items", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # An audience listed with no statements is the same as an audience left out.
        if isinstance(value, dict):
            return {
                key: [_item_from_shorthand(v) for v in items] if isinstance(items, list) else items
                for key, items in value.items()
                if items != []
            }
        return value

    @field_validator("illustrations", "detail")
    @classmethod
    def _empty_is_none(cls, value: BaseModel | None) -> BaseModel | None:
        # Nothing written is the same as the block left out (and survives a workbook).
        return value if value is not None and any(value.model_dump().values()) else None


class Thread(_Strict):
    """A red thread: a topic linking indicators across sections."""

    id: Ident
    title: Required
    explanation: Text = ""
    links: list[Ident] = Field(min_length=1)


class EvidenceSource(_Strict):
    id: Ident
    title: Required
    description: Text = ""


class ReviewQuestion(_Strict):
    id: Ident
    question: Required


class Framework(_Strict):
    id: str
    title: Required
    short_title: Text = ""
    description: Text = ""
    source: Source
    rating_scale: RatingScale
    audiences: list[Audience] = []  # extra audiences beyond STANDARD_AUDIENCES
    groups: list[Group] = []
    sections: list[Section] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    threads: list[Thread] = []
    evidence_sources: list[EvidenceSource] = []
    stakeholder_groups: list[Entry] = []
    results_questions: list[Entry] = []
    review_questions: list[ReviewQuestion] = []
    notes: list[Entry] = []

    @field_validator("id")
    @classmethod
    def _framework_id(cls, value: str) -> str:
        if not FRAMEWORK_ID.match(value):
            raise ValueError(
                f"{value!r} is not a usable framework id: use 2 to 64 lower-case letters, digits "
                "and hyphens, starting with a letter or digit (for example 'our-standards')"
            )
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> Framework:
        problems = cross_reference_problems(self.model_dump(include=_CROSS_REFERENCED))
        if problems:
            raise CrossReferenceError(problems)
        return self

    # -- lookups used everywhere; cheap because frameworks are small and cached --------------

    def audience_label(self, audience: str) -> str:
        extra = {a.id: a.label for a in self.audiences}
        return (
            extra.get(audience)
            or STANDARD_AUDIENCES.get(audience)
            or CHILDREN_BAND_AUDIENCES.get(audience, audience)
        )

    def declared_audience(self, audience: str) -> Audience | None:
        """The audience this framework (or round) adds with this id; None for a built-in."""
        return next((a for a in self.audiences if a.id == audience), None)

    @property
    def audience_ids(self) -> list[str]:
        return list(STANDARD_AUDIENCES) + [a.id for a in self.audiences]

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def section(self, section_id: str) -> Section:
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        raise KeyError(section_id)

    def group(self, group_id: str) -> Group:
        for grp in self.groups:
            if grp.id == group_id:
                return grp
        raise KeyError(group_id)

    def indicators_in(self, section_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.section == section_id]

    def sections_in(self, group_id: str | None) -> list[Section]:
        return [s for s in self.sections if s.group == group_id]

    def linked_from(self, indicator_id: str) -> list[Indicator]:
        """Indicators whose links point at this one (the other direction of `links`)."""
        return [i for i in self.indicators if indicator_id in i.links]

    def threads_through(self, indicator_id: str) -> list[Thread]:
        """Red threads that link this indicator."""
        return [t for t in self.threads if indicator_id in t.links]

    def item_count(self) -> int:
        return sum(len(items) for ind in self.indicators for items in ind.items.values())


# -- cross-references -----------------------------------------------------------------------------

_CROSS_REFERENCED = {
    "groups",
    "sections",
    "indicators",
    "threads",
    "audiences",
    "evidence_sources",
    "review_questions",
}


def _ident(value: Any) -> str | None:
    """An id as the schema would read it; None for a value of the wrong type (reported apart)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() if isinstance(value, str) else str(value)


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(n, v) for n, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def cross_reference_problems(data: Any) -> list[Problem]:
    """Duplicate ids and references to things that do not exist, each with its location.

    Works on validated data (the model validator passes its own dump) and on raw parsed data,
    so a file with field errors gets its cross-reference problems reported in the same pass.
    Values of the wrong type are skipped here: their field errors already say so.
    """
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []

    def ids(key: str) -> list[str | None]:
        return [_ident(obj.get("id")) for _n, obj in _dicts(data.get(key))]

    def unique(loc: tuple[str | int, ...], idents: list[str | None]) -> None:
        seen: set[str] = set()
        for ident in idents:
            if ident is None:
                continue
            if ident in seen:
                problems.append(Problem(loc, f"duplicate id {ident!r}"))
            seen.add(ident)

    for key in (
        "groups",
        "sections",
        "indicators",
        "threads",
        "audiences",
        "evidence_sources",
        "review_questions",
    ):
        unique((key,), ids(key))

    groups = set(ids("groups"))
    sections = set(ids("sections"))
    indicators = set(ids("indicators"))
    audiences = set(STANDARD_AUDIENCES) | set(ids("audiences"))
    for n, section in _dicts(data.get("sections")):
        group = _ident(section.get("group"))
        if group is not None and group not in groups:
            problems.append(Problem(("sections", n, "group"), f"unknown group {group!r}"))
    for n, ind in _dicts(data.get("indicators")):
        section_id = _ident(ind.get("section"))
        if section_id is not None and section_id not in sections:
            problems.append(
                Problem(("indicators", n, "section"), f"unknown section {section_id!r}")
            )
        themes = [_ident(theme.get("id")) for _k, theme in _dicts(ind.get("themes"))]
        unique(("indicators", n, "themes"), themes)
        links = ind.get("links")
        for link in map(_ident, links if isinstance(links, list) else []):
            if link is not None and link not in indicators:
                problems.append(
                    Problem(
                        ("indicators", n, "links"),
                        f"{link!r} is not an indicator of this framework",
                    )
                )
        bank = ind.get("items")
        for audience, items in (bank if isinstance(bank, dict) else {}).items():
            if isinstance(audience, str) and audience not in audiences:
                problems.append(
                    Problem(("indicators", n, "items", audience), f"unknown audience {audience!r}")
                )
            for k, item in _dicts(items):
                theme = _ident(item.get("theme"))
                if theme is not None and theme not in themes:
                    problems.append(
                        Problem(
                            ("indicators", n, "items", audience, k, "theme"),
                            f"unknown theme {theme!r}",
                        )
                    )
    for n, thread in _dicts(data.get("threads")):
        links = thread.get("links")
        for link in map(_ident, links if isinstance(links, list) else []):
            if link is not None and link not in indicators:
                problems.append(Problem(("threads", n, "links"), f"{link!r} is not an indicator"))
    return problems
