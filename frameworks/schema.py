"""Pydantic schema of a framework file (DESIGN.md section 4).

A framework file is YAML. Everything a later layer needs (indicators, themes, links, item bank)
is validated here, so `surveys/` and `app/` can trust a loaded `Framework` without checking again.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
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

# Scales a respondent can answer (DESIGN.md section 5). `six_point` is for SAT ratings only.
ITEM_SCALES = ("agree4", "faces3", "progress5")

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    document: Text  # file name in shared/seeds, or the user's own reference
    title: Text
    section: Text = ""


class ScaleLevel(_Strict):
    code: Ident  # what is stored and shown: "6", "a", "met"
    label: Text
    descriptor: Text = ""


class RatingScale(_Strict):
    """The scale a Self-Assessment Team rates on; levels listed best first."""

    id: Ident
    title: Text
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

    def is_good_or_better(self, code: str) -> bool:
        return self.rank(code) >= self.rank(self.good_from)


class Audience(_Strict):
    id: Ident
    label: Text


class Group(_Strict):
    """Optional level above sections, e.g. HMIE's six high-level questions."""

    id: Ident
    title: Text


class Section(_Strict):
    id: Ident
    title: Text
    group: Ident | None = None
    summary: Text = ""  # statement of purpose, in our words where the source is long
    components: list[Text] = []  # e.g. HMIE key area 10's components


class Theme(_Strict):
    id: Ident
    title: Text
    stakeholder_report: bool = False  # an HMIE "what stakeholders report" theme


class Illustrations(_Strict):
    """Our own short summaries of a source's level illustrations (HMIE level 5 and level 2)."""

    level_5: Text = ""
    level_2: Text = ""


class StandardDetail(_Strict):
    """Derwent-style standard detail."""

    actor: Text = ""
    intended_outcome: Text = ""
    behaviours: list[Text] = []
    skills_and_abilities: list[Text] = []
    knowledge_and_understanding: list[Text] = []


class ItemSpec(_Strict):
    statement: str
    theme: Ident | None = None
    scale: str | None = None  # default chosen per audience by surveys.questionnaire

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
    title: Text
    section: Ident
    summary: Text = ""
    themes: list[Theme] = []
    links: list[Ident] = []
    illustrations: Illustrations | None = None
    detail: StandardDetail | None = None
    items: dict[str, list[ItemSpec]] = {}

    @field_validator("items", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: [_item_from_shorthand(v) for v in items] if isinstance(items, list) else items
                for key, items in value.items()
            }
        return value


class Thread(_Strict):
    """A red thread: a topic linking indicators across sections."""

    id: Ident
    title: Text
    explanation: Text = ""
    links: list[Ident] = Field(min_length=1)


class EvidenceSource(_Strict):
    id: Ident
    title: Text
    description: Text = ""


class ReviewQuestion(_Strict):
    id: Ident
    question: Text


class Framework(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    title: Text
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
    stakeholder_groups: list[Text] = []
    results_questions: list[Text] = []
    review_questions: list[ReviewQuestion] = []
    notes: list[Text] = []

    @model_validator(mode="after")
    def _cross_references(self) -> Framework:
        errors: list[str] = []

        def unique(kind: str, ids: list[str]) -> None:
            seen: set[str] = set()
            for ident in ids:
                if ident in seen:
                    errors.append(f"{kind}: duplicate id {ident!r}")
                seen.add(ident)

        unique("groups", [g.id for g in self.groups])
        unique("sections", [s.id for s in self.sections])
        unique("indicators", [i.id for i in self.indicators])
        unique("threads", [t.id for t in self.threads])
        unique("audiences", [a.id for a in self.audiences])

        groups = {g.id for g in self.groups}
        sections = {s.id for s in self.sections}
        indicators = {i.id for i in self.indicators}
        audiences = set(STANDARD_AUDIENCES) | {a.id for a in self.audiences}
        for n, section in enumerate(self.sections):
            if section.group is not None and section.group not in groups:
                errors.append(f"sections[{n}].group: unknown group {section.group!r}")
        for n, ind in enumerate(self.indicators):
            where = f"indicators[{n}]"
            if ind.section not in sections:
                errors.append(f"{where}.section: unknown section {ind.section!r}")
            unique(f"{where}.themes", [t.id for t in ind.themes])
            for link in ind.links:
                if link not in indicators:
                    errors.append(f"{where}.links: {link!r} is not an indicator of this framework")
            themes = {t.id for t in ind.themes}
            for audience, items in ind.items.items():
                if audience not in audiences:
                    errors.append(f"{where}.items.{audience}: unknown audience {audience!r}")
                for k, item in enumerate(items):
                    if item.theme is not None and item.theme not in themes:
                        errors.append(
                            f"{where}.items.{audience}[{k}].theme: unknown theme {item.theme!r}"
                        )
        for n, thread in enumerate(self.threads):
            for link in thread.links:
                if link not in indicators:
                    errors.append(f"threads[{n}].links: {link!r} is not an indicator")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    # -- lookups used everywhere; cheap because frameworks are small and cached --------------

    def audience_label(self, audience: str) -> str:
        extra = {a.id: a.label for a in self.audiences}
        return extra.get(audience) or STANDARD_AUDIENCES.get(audience, audience)

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

    def indicators_in(self, section_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.section == section_id]

    def item_count(self) -> int:
        return sum(len(items) for ind in self.indicators for items in ind.items.values())
