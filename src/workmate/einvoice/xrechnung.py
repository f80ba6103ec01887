"""XRechnung 3.0 for public-sector buyers: the same EN 16931 content as the invoice's CII,
with XRechnung's BT-24, and also in UBL 2.1. XRechnung demands the buyer reference (BT-10,
the Leitweg-ID) and the seller contact (BG-6: name, phone, e-mail); a missing one is refused
with what is missing, before any XML is written."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]

from workmate.einvoice.cii import (
    SEPA_CREDIT_TRANSFER,
    _notes,
    build_xml,
    is_vat_id,
    payment_terms_text,
)
from workmate.einvoice.data import InvoiceDocument, Party
from workmate.errors import Conflict, msg

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


# Leitweg-ID of German public authorities: coarse address, optional fine address, check digits.
LEITWEG_ID = re.compile(r"^[0-9]{2,12}(-[A-Za-z0-9]{1,30})?-[0-9]{2}$")


def is_leitweg_id(value: str | None) -> bool:
    """True for a buyer reference shaped like a Leitweg-ID (public-sector buyer)."""
    return bool(value) and bool(LEITWEG_ID.match((value or "").strip()))


class XRechnungIncomplete(Conflict):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "cannot produce an XRechnung, missing: {missing}",
            field="buyer_reference",
            params={"missing": missing},
        )


def check(doc: InvoiceDocument) -> InvoiceDocument:
    """XRechnung's extra demands; returns the document as XRechnung shows it (the amount due
    at issue: payments received later are not part of the invoice)."""
    missing = []
    if not doc.buyer_reference:
        missing.append(msg("buyer reference / Leitweg-ID (BT-10)"))
    seller = doc.seller
    for name, value in (
        (msg("seller contact name"), seller.contact_name),
        (msg("seller phone"), seller.phone),
        (msg("seller e-mail"), seller.email),
        (msg("buyer e-mail (BT-49)"), doc.buyer.email),
    ):
        if not value:
            missing.append(name)
    if missing:
        raise XRechnungIncomplete(missing)
    return replace(doc, paid=Decimal("0.00"))


def cii(doc: InvoiceDocument) -> bytes:
    """XRechnung 3.0 in the UN/CEFACT CII syntax."""
    return build_xml(
        check(doc), guideline=CUSTOMIZATION, process=PROFILE, always_payment_means=True
    )


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


class _Ubl:
    def __init__(self, credit_note: bool) -> None:
        root_ns = UBL_CREDIT_NOTE if credit_note else UBL_INVOICE
        self.root = etree.Element(
            f"{{{root_ns}}}{'CreditNote' if credit_note else 'Invoice'}",
            nsmap={None: root_ns, "cac": CAC, "cbc": CBC},
        )

    @staticmethod
    def cbc(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
        element.text = text
        return element

    @staticmethod
    def cac(parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def ubl(doc: InvoiceDocument) -> bytes:
    """XRechnung 3.0 in UBL 2.1 (Invoice, or CreditNote for a credit note)."""
    doc = check(doc)
    credit = doc.is_credit_note
    u = _Ubl(credit)
    root, cbc, cac, cur = u.root, u.cbc, u.cac, doc.currency
    cbc(root, "CustomizationID", CUSTOMIZATION)
    cbc(root, "ProfileID", PROFILE)
    cbc(root, "ID", doc.number)
    cbc(root, "IssueDate", doc.issued_date.isoformat())
    if doc.due_date is not None and not credit:
        cbc(root, "DueDate", doc.due_date.isoformat())
    cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", doc.type_code)
    for note in _notes(doc):
        cbc(root, "Note", note)
    cbc(root, "DocumentCurrencyCode", cur)
    cbc(root, "BuyerReference", doc.buyer_reference or "")
    if doc.service_start is not None and doc.service_end not in (None, doc.service_start):
        period = cac(root, "InvoicePeriod")
        cbc(period, "StartDate", doc.service_start.isoformat())
        if doc.service_end is not None:
            cbc(period, "EndDate", doc.service_end.isoformat())
    if doc.original_number:
        reference = cac(cac(root, "BillingReference"), "InvoiceDocumentReference")
        cbc(reference, "ID", doc.original_number)
        if doc.original_date is not None:
            cbc(reference, "IssueDate", doc.original_date.isoformat())
    seller, buyer = doc.seller, doc.buyer
    if doc.without_vat_ids:
        seller, buyer = replace(seller, vat_id=None), replace(buyer, vat_id=None)
    _party(u, cac(cac(root, "AccountingSupplierParty"), "Party"), seller, seller=True)
    _party(u, cac(cac(root, "AccountingCustomerParty"), "Party"), buyer, seller=False)
    single_day = doc.service_start is None or doc.service_end in (None, doc.service_start)
    if single_day or doc.ships_goods:
        delivery = cac(root, "Delivery")
        if single_day:
            cbc(delivery, "ActualDeliveryDate", (doc.service_start or doc.issued_date).isoformat())
        if doc.ships_goods:
            location = cac(cac(delivery, "DeliveryLocation"), "Address")
            cbc(cac(location, "Country"), "IdentificationCode", doc.buyer.country)
    if doc.bank.iban:
        means = cac(root, "PaymentMeans")
        cbc(means, "PaymentMeansCode", SEPA_CREDIT_TRANSFER)
        cbc(means, "PaymentID", doc.number)
        account = cac(means, "PayeeFinancialAccount")
        cbc(account, "ID", doc.bank.iban.replace(" ", ""))
        if doc.bank.bic:
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", doc.bank.bic)
    cbc(cac(root, "PaymentTerms"), "Note", payment_terms_text(doc))
    tax_total = cac(root, "TaxTotal")
    cbc(tax_total, "TaxAmount", _amount(doc.tax_total), currencyID=cur)
    for group in doc.vat_groups():
        subtotal = cac(tax_total, "TaxSubtotal")
        cbc(subtotal, "TaxableAmount", _amount(group.basis), currencyID=cur)
        cbc(subtotal, "TaxAmount", _amount(group.amount), currencyID=cur)
        category = cac(subtotal, "TaxCategory")
        cbc(category, "ID", group.category)
        if group.category != "O":
            cbc(category, "Percent", _amount(group.rate))
        if group.exemption_code:
            cbc(category, "TaxExemptionReasonCode", group.exemption_code)
        if group.exemption_reason:
            cbc(category, "TaxExemptionReason", group.exemption_reason)
        cbc(cac(category, "TaxScheme"), "ID", "VAT")
    totals = cac(root, "LegalMonetaryTotal")
    cbc(totals, "LineExtensionAmount", _amount(doc.line_total), currencyID=cur)
    cbc(totals, "TaxExclusiveAmount", _amount(doc.net_total), currencyID=cur)
    cbc(totals, "TaxInclusiveAmount", _amount(doc.total), currencyID=cur)
    prepaid = min(doc.prepaid + doc.paid, doc.total)
    if prepaid:
        cbc(totals, "PrepaidAmount", _amount(prepaid), currencyID=cur)
    cbc(totals, "PayableAmount", _amount(doc.total - prepaid), currencyID=cur)
    for line in doc.lines:
        item_line = cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        cbc(item_line, "ID", str(line.position))
        cbc(
            item_line,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            f"{line.quantity:.4f}",
            unitCode=line.unit,
        )
        cbc(item_line, "LineExtensionAmount", _amount(line.net_amount), currencyID=cur)
        if line.discount_percent and line.discount_amount > 0:
            allowance = cac(item_line, "AllowanceCharge")
            cbc(allowance, "ChargeIndicator", "false")
            cbc(allowance, "AllowanceChargeReasonCode", "95")
            cbc(allowance, "AllowanceChargeReason", "Rabatt")
            cbc(allowance, "MultiplierFactorNumeric", _amount(line.discount_percent))
            cbc(allowance, "Amount", _amount(line.discount_amount), currencyID=cur)
            cbc(allowance, "BaseAmount", _amount(line.gross_amount), currencyID=cur)
        item = cac(item_line, "Item")
        cbc(item, "Name", line.description.strip() or "-")
        category, rate = doc.category(line.vat_rate)
        tax = cac(item, "ClassifiedTaxCategory")
        cbc(tax, "ID", category)
        if category != "O":
            cbc(tax, "Percent", _amount(rate))
        cbc(cac(tax, "TaxScheme"), "ID", "VAT")
        cbc(cac(item_line, "Price"), "PriceAmount", _amount(line.unit_price), currencyID=cur)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _party(u: _Ubl, party_el: etree._Element, party: Party, *, seller: bool) -> None:
    cbc, cac = u.cbc, u.cac
    if party.email:
        cbc(party_el, "EndpointID", party.email, schemeID="EM")
    address = cac(party_el, "PostalAddress")
    if party.street:
        cbc(address, "StreetName", party.street)
    if party.city:
        cbc(address, "CityName", party.city)
    if party.postal_code:
        cbc(address, "PostalZone", party.postal_code)
    cbc(cac(address, "Country"), "IdentificationCode", party.country)
    vat_id = party.vat_id if is_vat_id(party.vat_id) else None
    if vat_id:
        scheme = cac(party_el, "PartyTaxScheme")
        cbc(scheme, "CompanyID", vat_id.replace(" ", "").upper())
        cbc(cac(scheme, "TaxScheme"), "ID", "VAT")
    if seller and party.tax_number:
        scheme = cac(party_el, "PartyTaxScheme")
        cbc(scheme, "CompanyID", party.tax_number)
        cbc(cac(scheme, "TaxScheme"), "ID", "FC")
    cbc(cac(party_el, "PartyLegalEntity"), "RegistrationName", party.name)
    if seller:
        contact = cac(party_el, "Contact")
        cbc(contact, "Name", party.contact_name or party.name)
        if party.phone:
            cbc(contact, "Telephone", party.phone)
        if party.email:
            cbc(contact, "ElectronicMail", party.email)
