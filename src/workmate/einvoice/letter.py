"""Business letters as PDF (quotes, dunning letters): the seller's letterhead, the recipient,
a title, facts, an optional table with totals, paragraphs. Same fonts as the invoice PDF.
CPU-bound: call it off the event loop."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workmate.einvoice.pdf import FONT, FONT_BOLD, _fonts, split_tall_rows

MARGIN = 20 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN


@dataclass(frozen=True, slots=True)
class Letter:
    sender_line: str
    recipient: Sequence[str]
    title: str
    facts: Sequence[tuple[str, str]] = ()
    header: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    totals: Sequence[tuple[str, str]] = ()
    paragraphs: Sequence[str] = ()
    footer: Sequence[str] = field(default_factory=tuple)
    # Shares of the text width per table column; fixed widths let a long word wrap.
    widths: Sequence[float] = ()


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_letter(letter: Letter) -> bytes:
    """The letter as a PDF."""
    _fonts()
    body = ParagraphStyle("lbody", fontName=FONT, fontSize=9, leading=11.5)
    small = ParagraphStyle("lsmall", parent=body, fontSize=7, leading=8.5)
    title = ParagraphStyle("ltitle", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18)
    story: list[Any] = [_p(letter.sender_line, small), Spacer(1, 2 * mm)]
    story += [_p("\n".join(letter.recipient), body), Spacer(1, 12 * mm), _p(letter.title, title)]
    if letter.facts:
        facts = Table([[k, v] for k, v in letter.facts], hAlign="LEFT")
        facts.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9)]))
        story += [Spacer(1, 3 * mm), facts]
    if letter.rows:
        data = (
            [list(letter.header), *[list(r) for r in letter.rows]]
            if letter.header
            else [list(r) for r in letter.rows]
        )
        widths = [w * TEXT_WIDTH for w in letter.widths] or None
        cells: list[list[Any]] = [[_p(c, body) for c in row] for row in data]
        if widths:
            # A quote line's description (up to 2,000 characters) may be taller than a page:
            # the widest column goes on in continuation rows, so the table breaks between rows.
            col = widths.index(max(widths))
            cells = split_tall_rows(cells, col, widths[col] - 12, 60 * mm)
        table = Table(
            cells,
            colWidths=widths,
            repeatRows=1 if letter.header else 0,
            splitInRow=0 if widths else 1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [Spacer(1, 6 * mm), table]
    if letter.totals:
        totals = Table([[k, v] for k, v in letter.totals], hAlign="RIGHT")
        totals.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("FONT", (0, -1), (-1, -1), FONT_BOLD, 9),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ]
            )
        )
        story += [Spacer(1, 3 * mm), totals]
    for text in letter.paragraphs:
        story += [Spacer(1, 4 * mm), _p(text, body)]
    if letter.footer:
        story += [Spacer(1, 10 * mm), _p("\n".join(letter.footer), small)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=letter.title,
        author=letter.sender_line,
    ).build(story)
    return out.getvalue()
