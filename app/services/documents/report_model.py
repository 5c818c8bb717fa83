"""A report as a list of plain blocks, so the PDF and the Word file say exactly the same thing.

The self-evaluation and committee reports build a `Report` from the services the pages use;
`report_pdf` and `report_docx` only lay the blocks out. No Flask and no SQL here. Every figure
a block holds is already text the results service allowed (suppressed cells carry their notice).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 chapter, 2 indicator, 3 question, 4 part of an answer
    text: str
    in_contents: bool = True


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: str = "body"  # body, note, flag, lead


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """One group's percent favourable with its interval; `text` says it all in words, and a
    hidden group has no numbers, only its notice in `text`."""

    label: str
    text: str
    percent: float | None = None
    low: float | None = None
    high: float | None = None
    short: str = ""  # the figure printed at the bar's end, "82%" (rounded as in the sentence)


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]

    @property
    def description(self) -> str:
        """The chart's text alternative: every bar's figure in words."""
        return f"{self.title}. " + " ".join(f"{b.label}: {b.text}" for b in self.bars)


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Table | Chart | PageBreak


@dataclass
class Report:
    title: str
    subtitle: str
    cover: list[tuple[str, str]]  # label, value pairs on the cover
    blocks: list[Block] = field(default_factory=list)
    language: str = "en-GB"
    footer: str = ""

    def heading(self, level: int, text: str, *, in_contents: bool = True) -> None:
        self.blocks.append(Heading(level, text, in_contents))

    def para(self, text: str, style: str = "body") -> None:
        if text.strip():
            self.blocks.append(Paragraph(text.strip(), style))

    def paras(self, text: str, style: str = "body") -> None:
        """Text typed into a form: one paragraph per blank-line-separated part."""
        for part in text.replace("\r\n", "\n").split("\n\n"):
            self.para(part, style)

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append(Bullets(tuple(items)))

    def table(self, caption: str, header: list[str], rows: list[list[str]]) -> None:
        self.blocks.append(Table(caption, tuple(header), tuple(tuple(r) for r in rows)))

    def chart(self, title: str, bars: list[Bar]) -> None:
        if bars:
            self.blocks.append(Chart(title, tuple(bars)))

    def page_break(self) -> None:
        self.blocks.append(PageBreak())

    def contents(self) -> list[tuple[int, str, str]]:
        """(level, text, anchor) of the headings the contents list shows (levels 1 and 2)."""
        return [
            (b.level, b.text, f"h{n}")
            for n, b in enumerate(self.blocks)
            if isinstance(b, Heading) and b.in_contents and b.level <= 2
        ]

    def text(self) -> str:
        """Everything the report says, as plain text (tests and the bench read this)."""
        lines = [self.title, self.subtitle, *(f"{k}: {v}" for k, v in self.cover)]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                lines.append(block.text)
            elif isinstance(block, Bullets):
                lines += block.items
            elif isinstance(block, Table):
                lines += [block.caption, " | ".join(block.header)]
                lines += [" | ".join(row) for row in block.rows]
            elif isinstance(block, Chart):
                lines.append(block.description)
        return "\n".join(lines)
