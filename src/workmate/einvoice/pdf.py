"""The invoice PDF: ReportLab renders the page, factur-x embeds the CII XML as factur-x.xml
(AFRelationship Data, ZUGFeRD/Factur-X XMP, PDF/A-3 identification).

Fonts are the Bitstream Vera TrueType fonts shipped inside ReportLab, embedded as subsets
(PDF/A forbids unembedded fonts; the standard 14 fonts are never embedded). An sRGB output
intent declares the colour space, as PDF/A requires for device colours.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import segno
from facturx import generate_from_binary  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfdoc import (  # type: ignore[import-untyped]
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workmate.einvoice.cii import payment_terms_text
from workmate.einvoice.data import InvoiceDocument, Line
from workmate.einvoice.girocode import epc_qr

FONT = "WmVera"
FONT_BOLD = "WmVeraBd"
UNITS = {"HUR": "Std.", "C62": "Stk.", "DAY": "Tag", "MON": "Monat", "KGM": "kg", "LS": "pauschal"}
MARGIN = 20 * mm
# Frames keep 6 pt padding on each side: 170 mm of page width leave about 165 mm for tables.
TOP = 45 * mm
BOTTOM = 32 * mm


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def money(value: Decimal, currency: str = "EUR") -> str:
    """German notation: 1.234,56 € (the form the tests look for in the PDF text)."""
    text = f"{value:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{text} €" if currency == "EUR" else f"{text} {currency}"


def quantity(value: Decimal) -> str:
    normal = value.normalize()
    text = f"{normal:f}" if normal == normal.to_integral() else f"{value:.3f}".rstrip("0")
    return text.replace(".", ",")


def percent(value: Decimal) -> str:
    return f"{quantity(value)} %"


def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


class _Styles:
    def __init__(self) -> None:
        _fonts()
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=7, leading=8.5)
        self.bold = ParagraphStyle("bold", parent=self.body, fontName=FONT_BOLD)
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)
        self.title = ParagraphStyle("title", parent=self.bold, fontSize=14, leading=18)


class _QrCode(Flowable):  # type: ignore[misc]
    """The GiroCode as vector squares: sharp at any zoom, no image to decode."""

    def __init__(self, qr: segno.QRCode, size: float) -> None:
        super().__init__()
        self.qr = qr
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        matrix = self.qr.matrix
        border = 2
        count = len(matrix) + 2 * border
        module = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for row_index, row in enumerate(matrix):
            y = self.size - (row_index + border + 1) * module
            start = None
            # One rectangle per run of dark modules keeps the page small and fast to write.
            for col_index, dark in enumerate([*row, 0]):
                if dark and start is None:
                    start = col_index
                elif not dark and start is not None:
                    path.rect((start + border) * module, y, (col_index - start) * module, module)
                    start = None
        canvas.drawPath(path, stroke=0, fill=1)


def _title(doc: InvoiceDocument) -> str:
    if doc.is_credit_note:
        return f"Gutschrift {doc.number}"
    kind = {"down_payment": "Abschlagsrechnung", "final": "Schlussrechnung"}
    return f"{kind.get(doc.billing, 'Rechnung')} {doc.number}"


def _sender_line(doc: InvoiceDocument) -> str:
    seller = doc.seller
    place = " ".join(p for p in (seller.postal_code, seller.city) if p)
    return " · ".join(p for p in (seller.name, seller.street, place) if p)


def address_lines(
    party_name: str, street: str | None, postal: str | None, city: str | None, country: str
) -> list[str]:
    """The printed address block (country only abroad)."""
    lines = [party_name]
    if street:
        lines.extend(street.splitlines())
    place = " ".join(p for p in (postal, city) if p)
    if place:
        lines.append(place)
    if country and country != "DE":
        lines.append(country)
    return lines


def _service_period(doc: InvoiceDocument) -> str:
    if doc.service_start and doc.service_end and doc.service_end != doc.service_start:
        return f"{day(doc.service_start)} – {day(doc.service_end)}"
    return day(doc.service_start or doc.issued_date)


def _info_rows(doc: InvoiceDocument) -> list[tuple[str, str]]:
    rows = [
        ("Gutschrift-Nr." if doc.is_credit_note else "Rechnungs-Nr.", doc.number),
        ("Datum", day(doc.issued_date)),
        ("Leistungsdatum", _service_period(doc)),
        ("Kunden-Nr.", doc.customer_number),
    ]
    if doc.buyer_reference:
        rows.append(("Leitweg-ID", doc.buyer_reference))
    if doc.buyer.vat_id:
        rows.append(
            (
                "Ihre USt-IdNr." if doc.buyer.vat_id[:2].isalpha() else "Ihre Steuernr.",
                doc.buyer.vat_id,
            )
        )
    if doc.due_date and not doc.is_credit_note:
        rows.append(("Fällig am", day(doc.due_date)))
    return rows


def split_tall_rows(rows: list[list[Any]], col: int, width: float, limit: float) -> list[list[Any]]:
    """Rows whose Paragraph in column `col` is taller than `limit` become several rows, the
    rest of the text in continuation rows with the other cells empty. reportlab's own in-row
    splitting (splitInRow) draws the repeated heading a second time in the middle of a page."""
    out: list[list[Any]] = []
    for row in rows:
        cell = row[col]
        if not isinstance(cell, Paragraph):
            out.append(row)
            continue
        first = True
        while True:
            _, height = cell.wrap(width, limit)
            parts = cell.split(width, limit) if height > limit else []
            if len(parts) < 2:
                out.append(row if first else ["" if i != col else cell for i in range(len(row))])
                break
            head, cell = parts[0], parts[1]
            out.append([head if i == col else (c if first else "") for i, c in enumerate(row)])
            first = False
    return out


def _line_row(line: Line, doc: InvoiceDocument, styles: _Styles) -> list[Any]:
    _, rate = doc.category(line.vat_rate)
    return [
        str(line.position),
        Paragraph(_text(line.description), styles.body),
        quantity(line.quantity),
        UNITS.get(line.unit, line.unit),
        money(line.unit_price, doc.currency),
        percent(line.discount_percent) if line.discount_percent else "",
        percent(rate),
        money(line.net_amount, doc.currency),
    ]


def _notes(doc: InvoiceDocument) -> Iterator[str]:
    for group in doc.vat_groups():
        if group.category == "AE":
            yield (
                "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG, "
                "Art. 196 MwStSystRL). Die Umsatzsteuer schuldet der Leistungsempfänger."
            )
            break
        if group.category == "E":
            yield "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
            break
        if group.category in ("O", "K") and group.exemption_reason:
            yield group.exemption_reason + "."
            break


def _story(doc: InvoiceDocument, styles: _Styles) -> list[Any]:
    cur = doc.currency
    address = [Paragraph(_text(_sender_line(doc)), styles.small), Spacer(1, 2 * mm)]
    buyer = doc.buyer
    for text in address_lines(
        buyer.name, buyer.street, buyer.postal_code, buyer.city, buyer.country
    ):
        address.append(Paragraph(_text(text), styles.body))
    info = Table(
        [
            [Paragraph(_text(k), styles.body), Paragraph(_text(v), styles.right)]
            for k, v in _info_rows(doc)
        ],
        colWidths=[32 * mm, 43 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        ),
    )
    head = Table(
        [[address, info]],
        colWidths=[90 * mm, 75 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                # A gap between the address window and the info block.
                ("RIGHTPADDING", (0, 0), (0, 0), 8 * mm),
            ]
        ),
    )
    story: list[Any] = [head, Spacer(1, 12 * mm), Paragraph(_text(_title(doc)), styles.title)]
    if doc.is_credit_note and doc.original_number:
        when = f" vom {day(doc.original_date)}" if doc.original_date else ""
        story.append(
            Paragraph(
                _text(
                    f"Gutschrift (Stornorechnung) zur Rechnung {doc.original_number}{when}. "
                    "Die Rechnung wird hiermit in voller Höhe storniert."
                ),
                styles.body,
            )
        )
    story.append(Spacer(1, 5 * mm))

    header = ["Pos.", "Beschreibung", "Menge", "Einheit", "Einzelpreis", "Rabatt", "USt", "Betrag"]
    rows: list[list[Any]] = [header] + [_line_row(line, doc, styles) for line in doc.lines]
    table = Table(
        # A line's description may be longer than a page (up to 2,000 characters, or many
        # short lines): it goes on in continuation rows, so the table breaks between rows.
        split_tall_rows(rows, 1, 58 * mm - 4, 60 * mm),
        repeatRows=1,
        colWidths=[10 * mm, 58 * mm, 15 * mm, 14 * mm, 22 * mm, 13 * mm, 12 * mm, 21 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm)]

    totals: list[list[str]] = [["Nettobetrag", money(doc.net_total, cur)]]
    for group in doc.vat_groups():
        if group.category in ("S", "Z"):
            totals.append(
                [
                    f"USt {percent(group.rate)} auf {money(group.basis, cur)}",
                    money(group.amount, cur),
                ]
            )
        else:
            totals.append([f"USt 0 % auf {money(group.basis, cur)}", money(group.amount, cur)])
    totals.append(["Gesamtbetrag", money(doc.total, cur)])
    # A final invoice deducts each down payment with its VAT (§ 14 Abs. 5 Satz 2 UStG).
    for d in doc.deductions:
        totals += [
            [f"abzgl. Abschlag {d.number} netto", money(-d.net, cur)],
            [f"abzgl. USt {percent(d.rate)} darauf", money(-d.tax, cur)],
        ]
    paid = min(doc.paid, doc.total - doc.prepaid)
    if doc.deductions and not paid:
        totals.append(["Offener Betrag", money(doc.open_amount, cur)])
    if paid and not doc.is_credit_note:
        totals += [
            ["Bereits bezahlt", money(paid, cur)],
            ["Offener Betrag", money(doc.open_amount, cur)],
        ]
    total_table = Table(totals, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT")
    total_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                (
                    "FONTNAME",
                    (0, len(doc.vat_groups()) + 1),
                    (-1, len(doc.vat_groups()) + 1),
                    FONT_BOLD,
                ),
                (
                    "LINEABOVE",
                    (0, len(doc.vat_groups()) + 1),
                    (-1, len(doc.vat_groups()) + 1),
                    0.6,
                    colors.black,
                ),
            ]
        )
    )
    story += [KeepTogether(total_table), Spacer(1, 5 * mm)]

    for note in _notes(doc):
        story.append(Paragraph(_text(note), styles.bold))
    if doc.note:
        story.append(Paragraph(_text(doc.note), styles.body))
    story.append(Spacer(1, 3 * mm))

    payment = [Paragraph(_text(payment_terms_text(doc)), styles.body)]
    if not doc.is_credit_note and not doc.open_amount:
        # Rendered after full payment (documents of data imported without their PDF).
        payment.append(Paragraph("Der Rechnungsbetrag ist bereits beglichen.", styles.body))
    elif not doc.is_credit_note and doc.bank.iban:
        bank = f"Bitte überweisen Sie {money(doc.open_amount, cur)} auf IBAN {doc.bank.iban}"
        if doc.bank.bic:
            bank += f", BIC {doc.bank.bic}"
        if doc.bank.name:
            bank += f" ({doc.bank.name})"
        bank += f", Verwendungszweck: {doc.number}."
        payment.append(Paragraph(_text(bank), styles.body))
    qr = epc_qr(doc)
    if qr is not None:
        code = _QrCode(qr, 30 * mm)
        block = Table(
            [[payment, [code, Paragraph("GiroCode", styles.small)]]],
            colWidths=[130 * mm, 35 * mm],
            style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
            ),
        )
        story.append(KeepTogether(block))
    else:
        story.extend(payment)
    return story


def _footer_lines(doc: InvoiceDocument) -> list[str]:
    seller = doc.seller
    place = " ".join(p for p in (seller.postal_code, seller.city) if p)
    tax = []
    if seller.tax_number:
        tax.append(f"Steuernummer {seller.tax_number}")
    if seller.vat_id:
        tax.append(f"USt-IdNr. {seller.vat_id}")
    contact = [p for p in (seller.contact_name, seller.phone, seller.email) if p]
    bank = [
        p
        for p in (
            doc.bank.name,
            doc.bank.iban and f"IBAN {doc.bank.iban}",
            doc.bank.bic and f"BIC {doc.bank.bic}",
        )
        if p
    ]
    return [
        " · ".join(p for p in (seller.name, seller.street, place) if p),
        " · ".join(tax + contact),
        " · ".join(bank),
        doc.extra.get("legal", ""),
    ]


def _add_output_intent(canvas: Any) -> None:
    document = canvas._doc
    profile = PDFStream(PDFDictionary({"N": 3}), _srgb_profile())
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
            "Info": PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": document.Reference(profile),
        }
    )
    catalog = document.Catalog
    # ReportLab's catalog writes only the keys it lists; OutputIntents is added to this one.
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
    catalog.OutputIntents = PDFArray([intent])


def _logo(key: str | None) -> Any:
    """The stored letterhead logo (normalised PNG, see company/logo.py), or None."""
    if not key:
        return None
    from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]

    from workmate.documents.storage import get_storage

    try:
        return ImageReader(io.BytesIO(b"".join(get_storage().open(key))))
    except Exception:  # a missing file must not stop the invoice; the name is printed instead
        return None


def render_page_pdf(doc: InvoiceDocument) -> bytes:
    """The visible PDF, without the embedded XML."""
    styles = _Styles()
    buffer = io.BytesIO()
    footer = _footer_lines(doc)
    title = _title(doc)
    logo = _logo(doc.logo_key)

    def page(canvas: Any, template: Any) -> None:
        canvas.saveState()
        width, height = A4
        if logo is not None:
            # At most 60 x 16 mm, top left, keeping its proportions.
            w, h = logo.getSize()
            scale = min(60 * mm / w, 16 * mm / h)
            canvas.drawImage(logo, MARGIN, height - 24 * mm, w * scale, h * scale)
        else:
            # A long firm name shrinks so it never runs into the title on the right.
            room = width - 2 * MARGIN - canvas.stringWidth(title, FONT, 8) - 6 * mm
            size = min(15.0, room / max(canvas.stringWidth(doc.seller.name, FONT_BOLD, 1), 1))
            canvas.setFont(FONT_BOLD, size)
            canvas.drawString(MARGIN, height - 20 * mm, doc.seller.name)
        canvas.setFont(FONT, 8)
        canvas.drawRightString(width - MARGIN, height - 20 * mm, title)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, BOTTOM - 6 * mm, width - MARGIN, BOTTOM - 6 * mm)
        canvas.setFont(FONT, 7)
        for index, text in enumerate(footer):
            canvas.drawString(MARGIN, BOTTOM - (10 + 3.5 * index) * mm, text)
        canvas.drawRightString(width - MARGIN, BOTTOM - 10 * mm, f"Seite {canvas.getPageNumber()}")
        canvas.restoreState()

    def first_page(canvas: Any, template: Any) -> None:
        _add_output_intent(canvas)
        page(canvas, template)

    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author=doc.seller.name,
        subject=title,
        creator="Workmate",
        lang="de-DE",
    )
    template.build(_story(doc, styles), onFirstPage=first_page, onLaterPages=page)
    return buffer.getvalue()


def render_pdf(doc: InvoiceDocument, xml: bytes) -> bytes:
    """PDF/A-3 invoice with the CII XML embedded as factur-x.xml (profile EN 16931)."""
    visible = render_page_pdf(doc)
    title = _title(doc)
    metadata = {
        "author": doc.seller.name,
        "keywords": "Factur-X, ZUGFeRD, Rechnung",
        "title": title,
        "subject": f"{title} vom {day(doc.issued_date)}",
    }
    result: bytes = generate_from_binary(
        visible,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,
        pdf_metadata=metadata,
        lang="de-DE",
    )
    return result
