"""A framework written out as rows: for each sheet, one {column key: value} per row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from frameworks.schema import Framework
from frameworks.workbook.layout import DETAIL_FIELDS, NOTE_KINDS


def rows_of(sheet: str, fw: Framework) -> Iterator[dict[str, Any]]:
    """The rows a sheet holds for a framework, as {column key: value}."""
    if sheet == "Scale":
        for level in fw.rating_scale.levels:
            yield level.model_dump()
    elif sheet == "Audiences":
        for audience in fw.audiences:
            yield audience.model_dump()
    elif sheet == "Groups":
        for group in fw.groups:
            yield group.model_dump()
    elif sheet == "Sections":
        for section in fw.sections:
            yield {
                "id": section.id,
                "title": section.title,
                "group": section.group,
                "summary": section.summary,
            }
    elif sheet == "Components":
        for section in fw.sections:
            for component in section.components:
                yield {"section": section.id, "component": component}
    elif sheet == "Indicators":
        for ind in fw.indicators:
            ills = ind.illustrations
            yield {
                "id": ind.id,
                "title": ind.title,
                "section": ind.section,
                "summary": ind.summary,
                "links": ", ".join(ind.links),
                "illustrations.level_5": ills.level_5 if ills else None,
                "illustrations.level_2": ills.level_2 if ills else None,
            }
    elif sheet == "Themes":
        for ind in fw.indicators:
            for theme in ind.themes:
                yield {
                    "indicator": ind.id,
                    "id": theme.id,
                    "title": theme.title,
                    "stakeholder_report": "yes" if theme.stakeholder_report else "no",
                }
    elif sheet == "Items":
        for ind in fw.indicators:
            for audience_id, items in ind.items.items():
                for item in items:
                    yield {"indicator": ind.id, "audience": audience_id, **item.model_dump()}
    elif sheet == "Standard detail":
        for ind in fw.indicators:
            if ind.detail is None:
                continue
            detail = ind.detail.model_dump()
            for label, key in DETAIL_FIELDS.items():
                values = detail[key] if isinstance(detail[key], list) else [detail[key]]
                for value in values:
                    if value:
                        yield {"indicator": ind.id, "field": label, "text": value}
    elif sheet == "Threads":
        for thread in fw.threads:
            yield {
                "id": thread.id,
                "title": thread.title,
                "explanation": thread.explanation,
                "links": ", ".join(thread.links),
            }
    elif sheet == "Evidence sources":
        for source in fw.evidence_sources:
            yield source.model_dump()
    elif sheet == "Review questions":
        for question in fw.review_questions:
            yield question.model_dump()
    elif sheet == "Notes":
        data = fw.model_dump()
        for label, key in NOTE_KINDS.items():
            for text in data[key]:
                yield {"kind": label, "text": text}
