"""A `Report` as an editable Word document (python-docx), with the same blocks as the PDF.

Real heading styles (Heading 1-4, so Word's navigation pane and screen readers find them), a
contents field Word fills in on opening, page numbers in the footer, the document language set
on the default run properties, table header rows that repeat on every page. Charts are PNG
pictures (python-docx draws no charts) whose description (docPr descr, Word's "alt text") is
the chart in words, followed by each group's figure as a list, as the PDF has it.
"""

from __future__ import annotations

import io
from typing import IO, Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from app.services.documents.chart_png import chart_png, chart_size
from app.services.documents.report_model import (
    Bullets,
    Chart,
    Heading,
    PageBreak,
    Paragraph,
    Report,
    Table,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _Styles:
    """Style ids looked up once per document: python-docx resolves a style name on every
    paragraph by scanning all the styles twice, which was most of the Word file's time."""

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        self._ids: dict[str, str] = {}

    def id(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self._doc.styles[name].style_id
        return self._ids[name]

    def para(self, text: str = "", style: str | None = None) -> Any:
        """`doc.add_paragraph(text, style)`, the same XML, without the per-call lookup."""
        paragraph = self._doc.add_paragraph(text)
        if style is not None:
            paragraph._p.style = self.id(style)
        return paragraph


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) as begin / instruction / separate / result / end runs."""

    def run_with(element: Any) -> None:
        run = paragraph.add_run()
        run._r.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")  # Word recomputes it on opening
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _set_language(doc: Any, language: str) -> None:
    doc.core_properties.language = language
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
    if rpr is None:  # the default template always has these; keep going without them
        rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), language)


def _update_fields_on_open(doc: Any) -> None:
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _table(
    doc: Any, styles: _Styles, caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    styles.para(caption, "Caption").paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(header))
    table._tbl.tblStyle_val = styles.id("Table Grid")
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=False):
            cell.text = text
    doc.add_paragraph()


def _chart(doc: Any, styles: _Styles, chart: Chart) -> None:
    styles.para(chart.title, "Caption").paragraph_format.keep_with_next = True
    width, height = chart_size(chart)
    picture = doc.add_paragraph()
    picture.paragraph_format.keep_with_next = True
    shape = picture.add_run().add_picture(
        io.BytesIO(chart_png(chart)), width=Pt(width * 0.75), height=Pt(height * 0.75)
    )
    doc_pr = shape._inline.docPr
    doc_pr.set("title", chart.title)
    doc_pr.set("descr", chart.description)
    for bar in chart.bars:
        styles.para(f"{bar.label}: {bar.text}", "List Bullet")
    doc.add_paragraph()


def write_docx(report: Report, out: IO[bytes]) -> None:
    doc = Document()
    styles = _Styles(doc)
    _set_language(doc, report.language)
    _update_fields_on_open(doc)
    doc.core_properties.title = report.title
    doc.core_properties.subject = report.subtitle
    doc.styles["Normal"].font.size = Pt(10.5)

    section = doc.sections[0]
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{report.footer}    Page " if report.footer else "Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")

    styles.para(report.title, "Title")
    styles.para(report.subtitle, "Subtitle")
    for label, value in report.cover:
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    styles.para("Contents", "TOC Heading")
    toc = doc.add_paragraph()
    listed = "\n".join(text for _level, text, _anchor in report.contents())
    _field(toc, 'TOC \\o "1-2" \\h \\z \\u', listed)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    first_chapter = True
    for block in report.blocks:
        if isinstance(block, Heading):
            if block.level == 1 and not first_chapter:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            first_chapter = first_chapter and block.level != 1
            styles.para(block.text, f"Heading {min(block.level, 4)}")
        elif isinstance(block, Paragraph):
            for line in block.text.split("\n"):
                p = doc.add_paragraph(line)
                if block.style == "note":
                    for run in p.runs:
                        run.italic = True
                elif block.style == "flag":
                    for run in p.runs:
                        run.bold = True
        elif isinstance(block, Bullets):
            for item in block.items:
                styles.para(item, "List Bullet")
        elif isinstance(block, Table):
            _table(doc, styles, block.caption, block.header, list(block.rows))
        elif isinstance(block, Chart):
            _chart(doc, styles, block)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.save(out)
