"""EN 16931 invoice in the UN/CEFACT CII syntax (Factur-X / ZUGFeRD profile EN 16931, XRechnung
compatible). Element order follows the CII D16B schema; lxml escapes every text."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]

from workmate.einvoice.data import Deduction, InvoiceDocument, Party

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE = "urn:cen.eu:en16931:2017"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
# SEPA credit transfer (UNTDID 4461).
SEPA_CREDIT_TRANSFER = "58"
# A VAT identifier starts with the country's two letters (DE123456789, ATU12345678).
_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")
# XML 1.0 forbids most control characters; user text may contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_vat_id(value: str | None) -> bool:
    """True for a VAT identification number (as opposed to a national tax number)."""
    return bool(value) and bool(_VAT_ID.match((value or "").replace(" ", "").upper()))


def _clean(value: str) -> str:
    return _CONTROL.sub("", value)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _quantity(value: Decimal) -> str:
    return f"{value:.4f}"


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


class _Builder:
    def __init__(self) -> None:
        self.root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    @staticmethod
    def sub(
        parent: etree._Element,
        tag: str,
        text: str | None = None,
        ns: str = RAM,
        **attrs: str,
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = _clean(text)
        return element

    def date_time(self, parent: etree._Element, tag: str, value: date) -> None:
        holder = self.sub(parent, tag)
        self.sub(holder, "DateTimeString", _day(value), ns=UDT, format="102")

    def indicator(self, parent: etree._Element, value: bool) -> None:
        holder = self.sub(parent, "ChargeIndicator")
        self.sub(holder, "Indicator", "true" if value else "false", ns=UDT)


def build_xml(
    doc: InvoiceDocument,
    guideline: str = GUIDELINE,
    process: str | None = None,
    *,
    always_payment_means: bool = False,
) -> bytes:
    """The CII XML of an issued invoice or credit note (credit notes keep positive amounts);
    `guideline` is BT-24 and `process` BT-23 (XRechnung passes its own, and wants payment
    instructions on credit notes too: BR-DE-1)."""
    b = _Builder()
    sub = b.sub
    context = sub(b.root, "ExchangedDocumentContext", ns=RSM)
    if process is not None:
        sub(sub(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", process)
    sub(sub(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", guideline)

    header = sub(b.root, "ExchangedDocument", ns=RSM)
    sub(header, "ID", doc.number)
    sub(header, "TypeCode", doc.type_code)
    b.date_time(header, "IssueDateTime", doc.issued_date)
    for text in _notes(doc):
        sub(sub(header, "IncludedNote"), "Content", text)

    transaction = sub(b.root, "SupplyChainTradeTransaction", ns=RSM)
    for line in doc.lines:
        item = sub(transaction, "IncludedSupplyChainTradeLineItem")
        sub(sub(item, "AssociatedDocumentLineDocument"), "LineID", str(line.position))
        sub(sub(item, "SpecifiedTradeProduct"), "Name", line.description.strip() or "-")
        agreement = sub(item, "SpecifiedLineTradeAgreement")
        price = sub(agreement, "NetPriceProductTradePrice")
        sub(price, "ChargeAmount", _amount(line.unit_price))
        delivery = sub(item, "SpecifiedLineTradeDelivery")
        sub(delivery, "BilledQuantity", _quantity(line.quantity), unitCode=line.unit)
        settlement = sub(item, "SpecifiedLineTradeSettlement")
        category, rate = doc.category(line.vat_rate)
        tax = sub(settlement, "ApplicableTradeTax")
        sub(tax, "TypeCode", "VAT")
        sub(tax, "CategoryCode", category)
        if category != "O":  # BR-O-5: no rate on a line not subject to VAT
            sub(tax, "RateApplicablePercent", _amount(rate))
        if line.discount_percent and line.discount_amount > 0:
            allowance = sub(settlement, "SpecifiedTradeAllowanceCharge")
            b.indicator(allowance, False)
            sub(allowance, "CalculationPercent", _amount(line.discount_percent))
            sub(allowance, "BasisAmount", _amount(line.gross_amount))
            sub(allowance, "ActualAmount", _amount(line.discount_amount))
            sub(allowance, "ReasonCode", "95")  # UNTDID 5189: discount
            sub(allowance, "Reason", "Rabatt")
        summation = sub(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
        sub(summation, "LineTotalAmount", _amount(line.net_amount))

    agreement = sub(transaction, "ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        sub(agreement, "BuyerReference", doc.buyer_reference)
    seller, buyer = doc.seller, doc.buyer
    if doc.without_vat_ids:
        seller, buyer = replace(seller, vat_id=None), replace(buyer, vat_id=None)
    _party(b, sub(agreement, "SellerTradeParty"), seller, seller=True)
    _party(b, sub(agreement, "BuyerTradeParty"), buyer, seller=False)

    delivery = sub(transaction, "ApplicableHeaderTradeDelivery")
    if doc.ships_goods:
        ship_to = sub(delivery, "ShipToTradeParty")
        sub(ship_to, "Name", doc.buyer.name)
        sub(sub(ship_to, "PostalTradeAddress"), "CountryID", doc.buyer.country)
    if doc.service_start is None or doc.service_end in (None, doc.service_start):
        event = sub(delivery, "ActualDeliverySupplyChainEvent")
        b.date_time(event, "OccurrenceDateTime", doc.service_start or doc.issued_date)

    settlement = sub(transaction, "ApplicableHeaderTradeSettlement")
    sub(settlement, "PaymentReference", doc.number)
    sub(settlement, "InvoiceCurrencyCode", doc.currency)
    if (always_payment_means or not doc.is_credit_note) and doc.bank.iban:
        means = sub(settlement, "SpecifiedTradeSettlementPaymentMeans")
        sub(means, "TypeCode", SEPA_CREDIT_TRANSFER)
        sub(means, "Information", "SEPA-Überweisung")
        account = sub(means, "PayeePartyCreditorFinancialAccount")
        sub(account, "IBANID", doc.bank.iban.replace(" ", ""))
        if doc.bank.bic:
            institution = sub(means, "PayeeSpecifiedCreditorFinancialInstitution")
            sub(institution, "BICID", doc.bank.bic)
    groups = doc.vat_groups()
    for group in groups:
        tax = sub(settlement, "ApplicableTradeTax")
        sub(tax, "CalculatedAmount", _amount(group.amount))
        sub(tax, "TypeCode", "VAT")
        if group.exemption_reason:
            sub(tax, "ExemptionReason", group.exemption_reason)
        sub(tax, "BasisAmount", _amount(group.basis))
        sub(tax, "CategoryCode", group.category)
        if group.exemption_code:
            sub(tax, "ExemptionReasonCode", group.exemption_code)
        if group.category != "O":
            sub(tax, "RateApplicablePercent", _amount(group.rate))
    if doc.service_start is not None and doc.service_end not in (None, doc.service_start):
        period = sub(settlement, "BillingSpecifiedPeriod")
        b.date_time(period, "StartDateTime", doc.service_start)
        if doc.service_end is not None:
            b.date_time(period, "EndDateTime", doc.service_end)
    terms = sub(settlement, "SpecifiedTradePaymentTerms")
    sub(terms, "Description", payment_terms_text(doc))
    if doc.due_date is not None and not doc.is_credit_note:
        b.date_time(terms, "DueDateDateTime", doc.due_date)

    totals = sub(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(totals, "LineTotalAmount", _amount(doc.line_total))
    sub(totals, "TaxBasisTotalAmount", _amount(doc.net_total))
    sub(totals, "TaxTotalAmount", _amount(doc.tax_total), currencyID=doc.currency)
    sub(totals, "GrandTotalAmount", _amount(doc.total))
    # BT-113: down payments deducted on a final invoice plus payments received before issue.
    paid = min(doc.prepaid + doc.paid, doc.total)
    if paid:
        sub(totals, "TotalPrepaidAmount", _amount(paid))
    sub(totals, "DuePayableAmount", _amount(doc.total - paid))
    if doc.original_number:
        reference = sub(settlement, "InvoiceReferencedDocument")
        sub(reference, "IssuerAssignedID", doc.original_number)
        if doc.original_date is not None:
            holder = sub(reference, "FormattedIssueDateTime")
            sub(holder, "DateTimeString", _day(doc.original_date), ns=QDT, format="102")
    return bytes(etree.tostring(b.root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def payment_terms_text(doc: InvoiceDocument) -> str:
    """The payment terms in words (BT-20), the same sentence as on the PDF."""
    if doc.is_credit_note:
        # Only money actually received is refunded; a cancelled unpaid invoice settles nothing.
        if Decimal(doc.extra.get("original_paid", "0")) > 0:
            return "Der bereits gezahlte Betrag wird Ihnen erstattet."
        return "Die Rechnung ist damit storniert; es ist nichts zu zahlen und nichts zu erstatten."
    if doc.due_date is None:
        return "Zahlbar sofort ohne Abzug."
    return f"Zahlbar ohne Abzug bis {doc.due_date.strftime('%d.%m.%Y')}."


def _notes(doc: InvoiceDocument) -> list[str]:
    notes = []
    if doc.is_credit_note and doc.original_number:
        notes.append(f"Gutschrift (Stornorechnung) zur Rechnung {doc.original_number}")
    if doc.billing == "down_payment":
        notes.append(
            f"Abschlagsrechnung zum Angebot {doc.quote_number}"
            if doc.quote_number
            else "Abschlagsrechnung"
        )
    if doc.billing == "final":
        notes.append(
            f"Schlussrechnung zum Angebot {doc.quote_number}"
            if doc.quote_number
            else "Schlussrechnung"
        )
    notes += [deduction_text(d) for d in doc.deductions]
    if doc.note:
        notes.append(doc.note)
    return notes


def deduction_text(d: Deduction) -> str:
    """One deducted down payment in words, with its VAT (§ 14 Abs. 5 Satz 2 UStG)."""
    return (
        f"Abzüglich Abschlagsrechnung {d.number} vom {d.issued_date:%d.%m.%Y}: "
        f"netto {_amount(d.net)}, USt {d.rate.normalize():f} % {_amount(d.tax)}, "
        f"brutto {_amount(d.gross)}"
    )


def _party(b: _Builder, element: etree._Element, party: Party, *, seller: bool) -> None:
    sub = b.sub
    vat_id = party.vat_id if is_vat_id(party.vat_id) else None
    if seller and not vat_id and party.tax_number:
        # BR-CO-26: a seller without VAT ID is identified by its tax number (BT-29).
        sub(element, "ID", party.tax_number)
    sub(element, "Name", party.name)
    if seller and (party.contact_name or party.phone or party.email):
        contact = sub(element, "DefinedTradeContact")
        sub(contact, "PersonName", party.contact_name or party.name)
        if party.phone:
            sub(sub(contact, "TelephoneUniversalCommunication"), "CompleteNumber", party.phone)
        if party.email:
            sub(sub(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
    address = sub(element, "PostalTradeAddress")
    if party.postal_code:
        sub(address, "PostcodeCode", party.postal_code)
    if party.street:
        sub(address, "LineOne", party.street)
    if party.city:
        sub(address, "CityName", party.city)
    sub(address, "CountryID", party.country)
    if party.email:
        sub(sub(element, "URIUniversalCommunication"), "URIID", party.email, schemeID="EM")
    if vat_id:
        registration = sub(element, "SpecifiedTaxRegistration")
        sub(registration, "ID", vat_id.replace(" ", "").upper(), schemeID="VA")
    if seller and party.tax_number:
        registration = sub(element, "SpecifiedTaxRegistration")
        sub(registration, "ID", party.tax_number, schemeID="FC")
