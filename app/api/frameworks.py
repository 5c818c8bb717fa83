"""Frameworks and their indicators (read only)."""

from __future__ import annotations

from pydantic import BaseModel

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.schemas import ApiModel
from app.models import ApiPermission
from app.services.frameworks import UnknownFramework, available_frameworks, get_framework
from frameworks import Framework


class FrameworkAudience(ApiModel):
    id: str
    label: str


class ThemeOut(ApiModel):
    id: str
    title: str


class FrameworkIndicator(ApiModel):
    id: str
    title: str
    section_id: str
    themes: list[ThemeOut]
    links: list[str]
    audiences: list[str]  # the audiences with statements about it (who can be asked)


class SectionOut(ApiModel):
    id: str
    title: str


class FrameworkSummary(ApiModel):
    id: str
    title: str
    short_title: str
    indicator_count: int


class FrameworkList(ApiModel):
    frameworks: list[FrameworkSummary]


class RatingLevel(ApiModel):
    code: str
    label: str


class FrameworkOut(FrameworkSummary):
    rating_scale: list[RatingLevel]  # best first
    audiences: list[FrameworkAudience]
    sections: list[SectionOut]
    indicators: list[FrameworkIndicator]


def _summary(fw: Framework) -> FrameworkSummary:
    return FrameworkSummary(
        id=fw.id, title=fw.title, short_title=fw.short_title, indicator_count=len(fw.indicators)
    )


@operation(
    bp,
    "GET",
    "/frameworks",
    name="list_frameworks",
    summary="List the frameworks rounds can use",
    tag="Frameworks",
    scope=ApiPermission.READ_RESULTS,
    response=FrameworkList,
)
def list_frameworks(call: ApiCall, _body: None) -> BaseModel:
    found = available_frameworks(call.org_id)
    call.details["frameworks"] = len(found)
    return FrameworkList(frameworks=[_summary(fw) for fw in found])


@operation(
    bp,
    "GET",
    "/frameworks/<framework_id>",
    name="get_framework",
    summary="Read a framework with its sections, indicators and audiences",
    tag="Frameworks",
    scope=ApiPermission.READ_RESULTS,
    response=FrameworkOut,
)
def read_framework(call: ApiCall, _body: None, framework_id: str) -> BaseModel:
    try:
        fw = get_framework(call.org_id, framework_id)
    except UnknownFramework:
        raise ApiProblem(404, f"There is no framework called {framework_id!r}.") from None
    call.object_type, call.object_id = "framework", fw.id
    return FrameworkOut(
        **_summary(fw).model_dump(),
        rating_scale=[RatingLevel(code=lv.code, label=lv.label) for lv in fw.rating_scale.levels],
        audiences=[FrameworkAudience(id=a, label=fw.audience_label(a)) for a in fw.audience_ids],
        sections=[SectionOut(id=s.id, title=s.title) for s in fw.sections],
        indicators=[
            FrameworkIndicator(
                id=i.id,
                title=i.title,
                section_id=i.section,
                themes=[ThemeOut(id=t.id, title=t.title) for t in i.themes],
                links=list(i.links),
                audiences=[a for a in fw.audience_ids if i.items.get(a)],
            )
            for i in fw.indicators
        ],
    )
