"""Turning a framework workbook's sheets into the plain data a YAML file gives, sheet by sheet.

Each piece of data is noted with the cell it came from, so the schema's own errors can be
pointed at a cell later (see `problems`).
"""

from __future__ import annotations

import re
from typing import Any

from frameworks.schema import STANDARD_AUDIENCES
from frameworks.workbook.layout import (
    CHOICES,
    DETAIL_FIELDS,
    DETAIL_LISTS,
    FRAMEWORK_FIELDS,
    FRAMEWORK_SHEET,
    INSTRUCTIONS,
    NO,
    NOTE_KINDS,
    YES,
)
from frameworks.workbook.places import Origin, Place, Row
from frameworks.workbook.sheet_reader import SheetReader
from frameworks.workbook.sheets import SHEET


class FrameworkReader(SheetReader):
    """Turns the sheets into framework data, noting where each piece came from."""

    def read(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": {}, "rating_scale": {}}
        self.read_framework(data)
        self.read_scale(data)
        extra_audiences = self.read_simple(
            data, "Audiences", "audiences", ("id", "label", "plural")
        )
        self.read_simple(data, "Groups", "groups", ("id", "title"))
        sections = self.read_simple(
            data, "Sections", "sections", ("id", "title", "group", "summary")
        )
        self.read_components(data, sections)
        indicators = self.read_indicators(data)
        self.read_themes(data, indicators)
        self.read_items(data, indicators, extra_audiences)
        self.read_detail(data, indicators)
        self.read_threads(data)
        self.read_simple(
            data, "Evidence sources", "evidence_sources", ("id", "title", "description")
        )
        self.read_simple(data, "Review questions", "review_questions", ("id", "question"))
        self.read_notes(data)
        known = {FRAMEWORK_SHEET.name, INSTRUCTIONS, CHOICES, *SHEET}
        for sheet in self.wb.sheetnames:
            if sheet not in known:
                self.error(
                    Place(sheet),
                    "this sheet is not part of the template; rename or delete it "
                    f"(sheets: {', '.join([FRAMEWORK_SHEET.name, *SHEET])})",
                )
        return data

    def read_framework(self, data: dict[str, Any]) -> None:
        spec = FRAMEWORK_SHEET
        rows = self.rows(spec)
        by_label = {label: path for label, path, _help, _required in FRAMEWORK_FIELDS}
        seen: dict[str, int] = {}
        for row in rows or []:
            label = " ".join(self.text(spec.name, row, "field").split()).lower()
            path = by_label.get(label)
            if path is None:
                self.error(
                    row.place(spec.name, "field"),
                    f"unknown field {label!r}" if label else "the field name is empty",
                )
                continue
            if label in seen:
                self.error(
                    row.place(spec.name, "field"),
                    f"{label!r} is given twice (first on row {seen[label]})",
                )
                continue
            seen[label] = row.number
            self.put(data, ".".join(path), self.text(spec.name, row, "value"))
            self.origins[path] = Origin(row.place(spec.name, "value"), label=label)
            if path == ("rating_scale", "good_from"):  # the scale's own check lands here
                self.origins[("rating_scale",)] = Origin(row.place(spec.name, "value"))
        if rows is not None:
            for label, path, _help, required in FRAMEWORK_FIELDS:
                if required and label not in seen:
                    self.error(Place(spec.name), f"no row for {label!r}")
                    self.flagged.add((spec.name, None))
                    self.origins.setdefault(path, Origin(Place(spec.name), label=label))

    def read_scale(self, data: dict[str, Any]) -> None:
        spec = SHEET["Scale"]
        self.origins[("rating_scale", "levels")] = Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return
        levels = []
        for n, row in enumerate(rows):
            level: dict[str, Any] = {}
            for col in spec.columns:
                self.put(level, col.key, self.text(spec.name, row, col.key))
            levels.append(level)
            self.note(("rating_scale", "levels", n), spec.name, row, spec=spec)
        self.unique(
            spec, [(r, lv.get("code", "")) for r, lv in zip(rows, levels, strict=True)], "code"
        )
        data["rating_scale"]["levels"] = levels

    def read_simple(
        self, data: dict[str, Any], sheet: str, key: str, fields: tuple[str, ...]
    ) -> dict[str, int]:
        """A sheet of plain objects with ids; returns id -> index in the list."""
        spec = SHEET[sheet]
        self.origins[(key,)] = Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return {}
        objects: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            obj: dict[str, Any] = {}
            for name in fields:
                self.put(obj, name, self.text(spec.name, row, name))
            objects.append(obj)
            self.note((key, n), spec.name, row, spec=spec)
        self.unique(spec, [(r, o.get("id", "")) for r, o in zip(rows, objects, strict=True)])
        data[key] = objects
        index: dict[str, int] = {}
        for n, obj in enumerate(objects):
            index.setdefault(obj.get("id", ""), n)
        return index

    def read_components(self, data: dict[str, Any], sections: dict[str, int]) -> None:
        spec = SHEET["Components"]
        counts: dict[int, int] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "section", sections, "Sections")
            if n is None:
                continue
            k = counts.get(n, 0)
            counts[n] = k + 1
            data["sections"][n].setdefault("components", []).append(
                self.text(spec.name, row, "component")
            )
            self.note(("sections", n, "components", k), spec.name, row, "component", spec)

    def read_indicators(self, data: dict[str, Any]) -> dict[str, int]:
        spec = SHEET["Indicators"]
        self.origins[("indicators",)] = Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return {}
        indicators: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            ind: dict[str, Any] = {}
            for col in spec.columns:
                if col.key == "links":
                    links = _split_ids(self.text(spec.name, row, "links"))
                    if links:
                        ind["links"] = links
                else:
                    self.put(ind, col.key, self.text(spec.name, row, col.key))
            indicators.append(ind)
            self.note(("indicators", n), spec.name, row, spec=spec)
        self.unique(spec, [(r, i.get("id", "")) for r, i in zip(rows, indicators, strict=True)])
        data["indicators"] = indicators
        index: dict[str, int] = {}
        for n, ind in enumerate(indicators):
            index.setdefault(ind.get("id", ""), n)
        return index

    def read_themes(self, data: dict[str, Any], indicators: dict[str, int]) -> None:
        spec = SHEET["Themes"]
        seen: dict[int, list[tuple[Row, str]]] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            if n is None:
                continue
            theme: dict[str, Any] = {}
            self.put(theme, "id", self.text(spec.name, row, "id"))
            self.put(theme, "title", self.text(spec.name, row, "title"))
            flag = self.text(spec.name, row, "stakeholder_report").lower()
            if flag in YES:
                theme["stakeholder_report"] = True
            elif flag not in NO:
                self.error(
                    row.place(spec.name, "stakeholder_report"),
                    f"write yes or leave it blank (found {flag!r})",
                )
            themes = data["indicators"][n].setdefault("themes", [])
            self.note(("indicators", n, "themes", len(themes)), spec.name, row, spec=spec)
            themes.append(theme)
            seen.setdefault(n, []).append((row, theme.get("id", "")))
        for rows in seen.values():
            self.unique(spec, rows)

    def read_items(
        self, data: dict[str, Any], indicators: dict[str, int], extra_audiences: dict[str, int]
    ) -> None:
        spec = SHEET["Items"]
        rows = self.rows(spec)
        labels = {label.lower(): key for key, label in STANDARD_AUDIENCES.items()}
        for audience in data.get("audiences", []):
            if "label" in audience and "id" in audience:
                labels[audience["label"].lower()] = audience["id"]
        for row in rows or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            audience = self.text(spec.name, row, "audience")
            if not audience:
                self.error(row.place(spec.name, "audience"), "audience is empty")
            if n is None or not audience:
                continue
            audience = labels.get(audience.lower(), audience)  # "Parents and carers" -> parents
            item: dict[str, Any] = {"statement": self.text(spec.name, row, "statement")}
            self.put(item, "theme", self.text(spec.name, row, "theme"))
            self.put(item, "scale", self.text(spec.name, row, "scale"))
            self.put(item, "easy_read", self.text(spec.name, row, "easy_read"))
            bank = data["indicators"][n].setdefault("items", {})
            items = bank.setdefault(audience, [])
            self.note(("indicators", n, "items", audience, len(items)), spec.name, row, spec=spec)
            if len(items) == 0:
                self.note(("indicators", n, "items", audience), spec.name, row, "audience", spec)
            items.append(item)

    def read_detail(self, data: dict[str, Any], indicators: dict[str, int]) -> None:
        spec = SHEET["Standard detail"]
        first: dict[tuple[int, str], int] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            label = " ".join(self.text(spec.name, row, "field").split()).lower()
            key = DETAIL_FIELDS.get(label)
            if key is None:
                self.error(
                    row.place(spec.name, "field"),
                    f"unknown field {label!r} (use one of: {', '.join(DETAIL_FIELDS)})",
                )
                continue
            if n is None:
                continue
            detail = data["indicators"][n].setdefault("detail", {})
            text = self.text(spec.name, row, "text")
            if ("indicators", n, "detail") not in self.origins:
                self.note(("indicators", n, "detail"), spec.name, row, spec=spec)
            if key in DETAIL_LISTS:
                values = detail.setdefault(key, [])
                self.note(
                    ("indicators", n, "detail", key, len(values)), spec.name, row, "text", spec
                )
                values.append(text)
            elif (n, key) in first:
                self.error(
                    row.place(spec.name, "field"),
                    f"a second {label} for this indicator (first on row {first[(n, key)]})",
                )
            else:
                first[(n, key)] = row.number
                detail[key] = text
                self.note(("indicators", n, "detail", key), spec.name, row, "text", spec)

    def read_threads(self, data: dict[str, Any]) -> None:
        spec = SHEET["Threads"]
        self.origins[("threads",)] = Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return
        threads: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            thread: dict[str, Any] = {"links": _split_ids(self.text(spec.name, row, "links"))}
            for key in ("id", "title", "explanation"):
                self.put(thread, key, self.text(spec.name, row, key))
            threads.append(thread)
            self.note(("threads", n), spec.name, row, spec=spec)
        self.unique(spec, [(r, t.get("id", "")) for r, t in zip(rows, threads, strict=True)])
        data["threads"] = threads

    def read_notes(self, data: dict[str, Any]) -> None:
        spec = SHEET["Notes"]
        for row in self.rows(spec) or []:
            label = " ".join(self.text(spec.name, row, "kind").split()).lower()
            key = NOTE_KINDS.get(label)
            if key is None:
                self.error(
                    row.place(spec.name, "kind"),
                    f"unknown kind {label!r} (use one of: {', '.join(NOTE_KINDS)})",
                )
                continue
            entries = data.setdefault(key, [])
            self.note((key, len(entries)), spec.name, row, "text", spec)
            entries.append(self.text(spec.name, row, "text"))


def _split_ids(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]
