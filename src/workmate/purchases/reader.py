"""Reading an EN 16931 invoice (CII or UBL) into plain data: parties, lines, VAT breakdown,
totals, payment, notes, attachments. Amounts are decimal strings, dates ISO strings, so the
result travels as JSON (between processes, into the database, to the browser).

It reads what the document states and never repairs it; the checks compare the stated
figures (workmate.purchases.checks).
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from workmate.purchases.xmlsafe import text_of

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
MAX_LINES = 10_000
Data = dict[str, Any]


def _x(node: etree._Element | None, path: str) -> list[etree._Element]:
    if node is None:
        return []
    return list(node.xpath(path, namespaces=NS))


def _one(node: etree._Element | None, path: str) -> etree._Element | None:
    found = _x(node, path)
    return found[0] if found else None


def _t(node: etree._Element | None, path: str) -> str | None:
    value = text_of(_one(node, path))
    return value or None


def _attr(node: etree._Element | None, path: str, name: str) -> str | None:
    found = _one(node, path)
    return found.get(name) if found is not None else None


def _amount(node: etree._Element | None, path: str) -> str | None:
    raw = _t(node, path)
    if raw is None:
        return None
    try:
        return str(Decimal(raw))
    except InvalidOperation:
        return None


def _cii_date(node: etree._Element | None, path: str) -> str | None:
    """udt:DateTimeString format 102 (YYYYMMDD) -> YYYY-MM-DD."""
    raw = _t(node, path)
    if raw and len(raw) == 8 and raw.isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    return raw


def _attachment(
    ident: str | None,
    description: str | None,
    obj: etree._Element | None,
    uri: str | None,
    type_code: str | None = None,
) -> Data:
    size = None
    if obj is not None and obj.text:
        try:
            size = len(base64.b64decode("".join(obj.text.split()), validate=True))
        except (binascii.Error, ValueError):
            size = None
    return {
        "id": ident,
        "description": description,
        "filename": obj.get("filename") if obj is not None else None,
        "mime": obj.get("mimeCode") if obj is not None else None,
        "size": size,
        "uri": uri,
        "type_code": type_code,
        "embedded": obj is not None and size is not None,
    }


def _vat_group(
    category: str | None,
    rate: str | None,
    basis: str | None,
    amount: str | None,
    reason: str | None,
    reason_code: str | None,
) -> Data:
    return {
        "category": category,
        "rate": rate,
        "basis": basis,
        "amount": amount,
        "exemption_reason": reason,
        "exemption_code": reason_code,
    }


# ---- CII ----


def _cii_party(p: etree._Element | None) -> Data | None:
    if p is None:
        return None
    regs = _x(p, "ram:SpecifiedTaxRegistration/ram:ID")
    vat = next((text_of(r) for r in regs if r.get("schemeID") == "VA"), None)
    tax = next((text_of(r) for r in regs if r.get("schemeID") == "FC"), None)
    return {
        "name": _t(p, "ram:Name"),
        "trading_name": _t(p, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        "legal_id": _t(p, "ram:SpecifiedLegalOrganization/ram:ID"),
        "id": _t(p, "ram:ID") or _t(p, "ram:GlobalID"),
        "street": _t(p, "ram:PostalTradeAddress/ram:LineOne"),
        "street2": _t(p, "ram:PostalTradeAddress/ram:LineTwo"),
        "postal_code": _t(p, "ram:PostalTradeAddress/ram:PostcodeCode"),
        "city": _t(p, "ram:PostalTradeAddress/ram:CityName"),
        "country": _t(p, "ram:PostalTradeAddress/ram:CountryID"),
        "vat_id": vat,
        "tax_number": tax,
        "electronic_address": _t(p, "ram:URIUniversalCommunication/ram:URIID"),
        "contact": _t(p, "ram:DefinedTradeContact/ram:PersonName")
        or _t(p, "ram:DefinedTradeContact/ram:DepartmentName"),
        "phone": _t(
            p, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"
        ),
        "email": _t(p, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
    }


def _cii_allowance(a: etree._Element) -> Data:
    return {
        "charge": _t(a, "ram:ChargeIndicator/udt:Indicator") == "true",
        "amount": _amount(a, "ram:ActualAmount"),
        "reason": _t(a, "ram:Reason") or _t(a, "ram:ReasonCode"),
        "category": _t(a, "ram:CategoryTradeTax/ram:CategoryCode"),
        "rate": _amount(a, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
    }


def read_cii(doc: etree._Element) -> Data:
    """Plain data of a CII (D16B) invoice."""
    ex = _one(doc, "rsm:ExchangedDocument")
    tx = _one(doc, "rsm:SupplyChainTradeTransaction")
    agr = _one(tx, "ram:ApplicableHeaderTradeAgreement")
    dlv = _one(tx, "ram:ApplicableHeaderTradeDelivery")
    st = _one(tx, "ram:ApplicableHeaderTradeSettlement")
    sums = _one(st, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    currency = _t(st, "ram:InvoiceCurrencyCode")
    tax_totals = _x(sums, "ram:TaxTotalAmount")
    vat_total = next(
        (
            str(Decimal(text_of(t)))
            for t in tax_totals
            if t.get("currencyID") in (None, currency) and _decimal_ok(text_of(t))
        ),
        None,
    )
    vat_accounting = next(
        (text_of(t) for t in tax_totals if t.get("currencyID") not in (None, currency)), None
    )
    lines = []
    for item in _x(tx, "ram:IncludedSupplyChainTradeLineItem")[:MAX_LINES]:
        ls = _one(item, "ram:SpecifiedLineTradeSettlement")
        lines.append(
            {
                "id": _t(item, "ram:AssociatedDocumentLineDocument/ram:LineID"),
                "note": _t(item, "ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content"),
                "name": _t(item, "ram:SpecifiedTradeProduct/ram:Name"),
                "description": _t(item, "ram:SpecifiedTradeProduct/ram:Description"),
                "seller_item_id": _t(item, "ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
                "quantity": _amount(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
                "unit": _attr(
                    item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "unitCode"
                ),
                "price": _amount(
                    item,
                    "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
                ),
                "price_base": _amount(
                    item,
                    "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity",
                ),
                "net": _amount(
                    ls, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
                ),
                "category": _t(ls, "ram:ApplicableTradeTax/ram:CategoryCode"),
                "rate": _amount(ls, "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
                "period_start": _cii_date(
                    ls, "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"
                ),
                "period_end": _cii_date(
                    ls, "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"
                ),
                "allowances": [
                    _cii_allowance(a) for a in _x(ls, "ram:SpecifiedTradeAllowanceCharge")
                ],
            }
        )
    payments = []
    for pm in _x(st, "ram:SpecifiedTradeSettlementPaymentMeans"):
        payments.append(
            {
                "code": _t(pm, "ram:TypeCode"),
                "info": _t(pm, "ram:Information"),
                "iban": _t(pm, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
                or _t(pm, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"),
                "account_name": _t(pm, "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
                "bic": _t(pm, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
                "debtor_iban": _t(pm, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID"),
                "card": _t(pm, "ram:ApplicableTradeSettlementFinancialCard/ram:ID"),
            }
        )
    terms = _x(st, "ram:SpecifiedTradePaymentTerms")
    due = next(
        (d for t in terms if (d := _cii_date(t, "ram:DueDateDateTime/udt:DateTimeString"))), None
    )
    attachments = [
        _attachment(
            _t(a, "ram:IssuerAssignedID"),
            _t(a, "ram:Name"),
            _one(a, "ram:AttachmentBinaryObject"),
            _t(a, "ram:URIID"),
            _t(a, "ram:TypeCode"),
        )
        for a in _x(agr, "ram:AdditionalReferencedDocument")
    ]
    return {
        "syntax": "CII",
        "type_code": _t(ex, "ram:TypeCode"),
        "number": _t(ex, "ram:ID"),
        "issue_date": _cii_date(ex, "ram:IssueDateTime/udt:DateTimeString"),
        "due_date": due,
        "currency": currency,
        "tax_currency": _t(st, "ram:TaxCurrencyCode"),
        "customization_id": _t(
            doc,
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        ),
        "buyer_reference": _t(agr, "ram:BuyerReference"),
        "order_reference": _t(agr, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        "contract_reference": _t(agr, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        "preceding_invoice": _t(st, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        "payment_reference": _t(st, "ram:PaymentReference"),
        "notes": [text_of(n) for n in _x(ex, "ram:IncludedNote/ram:Content") if text_of(n)],
        "delivery_date": _cii_date(
            dlv, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"
        ),
        "period_start": _cii_date(
            st, "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"
        ),
        "period_end": _cii_date(
            st, "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"
        ),
        "seller": _cii_party(_one(agr, "ram:SellerTradeParty")),
        "seller_tax_representative": _cii_party(_one(agr, "ram:SellerTaxRepresentativeTradeParty")),
        "buyer": _cii_party(_one(agr, "ram:BuyerTradeParty")),
        "payee": _cii_party(_one(st, "ram:PayeeTradeParty")),
        "payment_means": payments,
        "payment_terms": "; ".join(d for t in terms if (d := _t(t, "ram:Description"))) or None,
        "creditor_id": _t(st, "ram:CreditorReferenceID"),
        "mandate": next((m for t in terms if (m := _t(t, "ram:DirectDebitMandateID"))), None),
        "lines": lines,
        "allowances": [_cii_allowance(a) for a in _x(st, "ram:SpecifiedTradeAllowanceCharge")],
        "vat": [
            _vat_group(
                _t(g, "ram:CategoryCode"),
                _amount(g, "ram:RateApplicablePercent"),
                _amount(g, "ram:BasisAmount"),
                _amount(g, "ram:CalculatedAmount"),
                _t(g, "ram:ExemptionReason"),
                _t(g, "ram:ExemptionReasonCode"),
            )
            for g in _x(st, "ram:ApplicableTradeTax")
        ],
        "totals": {
            "lines": _amount(sums, "ram:LineTotalAmount"),
            "allowances": _amount(sums, "ram:AllowanceTotalAmount"),
            "charges": _amount(sums, "ram:ChargeTotalAmount"),
            "net": _amount(sums, "ram:TaxBasisTotalAmount"),
            "vat": vat_total,
            "vat_accounting_currency": vat_accounting,
            "gross": _amount(sums, "ram:GrandTotalAmount"),
            "prepaid": _amount(sums, "ram:TotalPrepaidAmount"),
            "rounding": _amount(sums, "ram:RoundingAmount"),
            "due": _amount(sums, "ram:DuePayableAmount"),
        },
        "attachments": attachments,
    }


def _decimal_ok(raw: str) -> bool:
    try:
        Decimal(raw)
    except InvalidOperation:
        return False
    return True


# ---- UBL ----


def _ubl_party(p: etree._Element | None) -> Data | None:
    if p is None:
        return None
    vat = None
    tax = None
    for scheme in _x(p, "cac:PartyTaxScheme"):
        company = _t(scheme, "cbc:CompanyID")
        if _t(scheme, "cac:TaxScheme/cbc:ID") == "VAT":
            vat = vat or company
        else:
            tax = tax or company
    return {
        "name": _t(p, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _t(p, "cac:PartyName/cbc:Name"),
        "trading_name": _t(p, "cac:PartyName/cbc:Name"),
        "legal_id": _t(p, "cac:PartyLegalEntity/cbc:CompanyID"),
        "id": _t(p, "cac:PartyIdentification/cbc:ID"),
        "street": _t(p, "cac:PostalAddress/cbc:StreetName"),
        "street2": _t(p, "cac:PostalAddress/cbc:AdditionalStreetName"),
        "postal_code": _t(p, "cac:PostalAddress/cbc:PostalZone"),
        "city": _t(p, "cac:PostalAddress/cbc:CityName"),
        "country": _t(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        "vat_id": vat,
        "tax_number": tax,
        "electronic_address": _t(p, "cbc:EndpointID"),
        "contact": _t(p, "cac:Contact/cbc:Name"),
        "phone": _t(p, "cac:Contact/cbc:Telephone"),
        "email": _t(p, "cac:Contact/cbc:ElectronicMail"),
    }


def _ubl_allowance(a: etree._Element) -> Data:
    return {
        "charge": _t(a, "cbc:ChargeIndicator") == "true",
        "amount": _amount(a, "cbc:Amount"),
        "reason": _t(a, "cbc:AllowanceChargeReason") or _t(a, "cbc:AllowanceChargeReasonCode"),
        "category": _t(a, "cac:TaxCategory/cbc:ID"),
        "rate": _amount(a, "cac:TaxCategory/cbc:Percent"),
    }


def read_ubl(doc: etree._Element) -> Data:
    """Plain data of a UBL 2.1 Invoice or CreditNote."""
    credit = etree.QName(doc).localname == "CreditNote"
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    qty_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    currency = _t(doc, "cbc:DocumentCurrencyCode")
    tax_totals = _x(doc, "cac:TaxTotal")
    vat_total = next(
        (
            _amount(t, "cbc:TaxAmount")
            for t in tax_totals
            if _attr(t, "cbc:TaxAmount", "currencyID") in (None, currency)
        ),
        None,
    )
    vat_accounting = next(
        (
            _t(t, "cbc:TaxAmount")
            for t in tax_totals
            if _attr(t, "cbc:TaxAmount", "currencyID") not in (None, currency)
        ),
        None,
    )
    lines = []
    for item in _x(doc, line_tag)[:MAX_LINES]:
        qty = _one(item, qty_tag)
        lines.append(
            {
                "id": _t(item, "cbc:ID"),
                "note": _t(item, "cbc:Note"),
                "name": _t(item, "cac:Item/cbc:Name"),
                "description": _t(item, "cac:Item/cbc:Description"),
                "seller_item_id": _t(item, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
                "quantity": _amount(item, qty_tag),
                "unit": qty.get("unitCode") if qty is not None else None,
                "price": _amount(item, "cac:Price/cbc:PriceAmount"),
                "price_base": _amount(item, "cac:Price/cbc:BaseQuantity"),
                "net": _amount(item, "cbc:LineExtensionAmount"),
                "category": _t(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                "rate": _amount(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
                "period_start": _t(item, "cac:InvoicePeriod/cbc:StartDate"),
                "period_end": _t(item, "cac:InvoicePeriod/cbc:EndDate"),
                "allowances": [_ubl_allowance(a) for a in _x(item, "cac:AllowanceCharge")],
            }
        )
    payments = [
        {
            "code": _t(pm, "cbc:PaymentMeansCode"),
            "info": _attr(pm, "cbc:PaymentMeansCode", "name"),
            "iban": _t(pm, "cac:PayeeFinancialAccount/cbc:ID"),
            "account_name": _t(pm, "cac:PayeeFinancialAccount/cbc:Name"),
            "bic": _t(pm, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
            "debtor_iban": _t(pm, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
            "card": _t(pm, "cac:CardAccount/cbc:PrimaryAccountNumberID"),
        }
        for pm in _x(doc, "cac:PaymentMeans")
    ]
    sums = _one(doc, "cac:LegalMonetaryTotal")
    attachments = [
        _attachment(
            _t(a, "cbc:ID"),
            _t(a, "cbc:DocumentDescription"),
            _one(a, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"),
            _t(a, "cac:Attachment/cac:ExternalReference/cbc:URI"),
            _t(a, "cbc:DocumentTypeCode"),
        )
        for a in _x(doc, "cac:AdditionalDocumentReference")
    ]
    delivery = _t(doc, "cac:Delivery/cbc:ActualDeliveryDate")
    return {
        "syntax": "UBL",
        "type_code": _t(doc, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
        "number": _t(doc, "cbc:ID"),
        "issue_date": _t(doc, "cbc:IssueDate"),
        "due_date": _t(doc, "cbc:DueDate") or _t(doc, "cac:PaymentMeans/cbc:PaymentDueDate"),
        "currency": currency,
        "tax_currency": _t(doc, "cbc:TaxCurrencyCode"),
        "customization_id": _t(doc, "cbc:CustomizationID"),
        "buyer_reference": _t(doc, "cbc:BuyerReference"),
        "order_reference": _t(doc, "cac:OrderReference/cbc:ID"),
        "contract_reference": _t(doc, "cac:ContractDocumentReference/cbc:ID"),
        "preceding_invoice": _t(doc, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        "payment_reference": _t(doc, "cac:PaymentMeans/cbc:PaymentID"),
        "notes": [text_of(n) for n in _x(doc, "cbc:Note") if text_of(n)],
        "delivery_date": delivery,
        "period_start": _t(doc, "cac:InvoicePeriod/cbc:StartDate"),
        "period_end": _t(doc, "cac:InvoicePeriod/cbc:EndDate"),
        "seller": _ubl_party(_one(doc, "cac:AccountingSupplierParty/cac:Party")),
        "seller_tax_representative": _ubl_party(_one(doc, "cac:TaxRepresentativeParty")),
        "buyer": _ubl_party(_one(doc, "cac:AccountingCustomerParty/cac:Party")),
        "payee": _ubl_party(_one(doc, "cac:PayeeParty")),
        "payment_means": payments,
        "payment_terms": _t(doc, "cac:PaymentTerms/cbc:Note"),
        "creditor_id": _t(
            doc,
            "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']",
        ),
        "mandate": _t(doc, "cac:PaymentMeans/cac:PaymentMandate/cbc:ID"),
        "lines": lines,
        "allowances": [_ubl_allowance(a) for a in _x(doc, "cac:AllowanceCharge")],
        "vat": [
            _vat_group(
                _t(g, "cac:TaxCategory/cbc:ID"),
                _amount(g, "cac:TaxCategory/cbc:Percent"),
                _amount(g, "cbc:TaxableAmount"),
                _amount(g, "cbc:TaxAmount"),
                _t(g, "cac:TaxCategory/cbc:TaxExemptionReason"),
                _t(g, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
            )
            for g in _x(doc, "cac:TaxTotal/cac:TaxSubtotal")
        ],
        "totals": {
            "lines": _amount(sums, "cbc:LineExtensionAmount"),
            "allowances": _amount(sums, "cbc:AllowanceTotalAmount"),
            "charges": _amount(sums, "cbc:ChargeTotalAmount"),
            "net": _amount(sums, "cbc:TaxExclusiveAmount"),
            "vat": vat_total,
            "vat_accounting_currency": vat_accounting,
            "gross": _amount(sums, "cbc:TaxInclusiveAmount"),
            "prepaid": _amount(sums, "cbc:PrepaidAmount"),
            "rounding": _amount(sums, "cbc:PayableRoundingAmount"),
            "due": _amount(sums, "cbc:PayableAmount"),
        },
        "attachments": attachments,
    }


def read(doc: etree._Element, syntax: str) -> Data:
    """Plain data of an invoice whose syntax `describe` determined."""
    data = read_cii(doc) if syntax == "CII" else read_ubl(doc)
    data["credit_note"] = is_credit_note(data)
    return data


# UNTDID 1001 codes of credit notes (EN 16931 allows 381, 396, 532 and a few more).
CREDIT_NOTE_CODES = frozenset({"81", "83", "381", "396", "532"})


def is_credit_note(data: Data) -> bool:
    return data.get("type_code") in CREDIT_NOTE_CODES


def attachment_bytes(doc: etree._Element, syntax: str, index: int) -> tuple[bytes, Data] | None:
    """The decoded bytes of the index-th embedded attachment, with its description."""
    if syntax == "CII":
        refs = _x(doc, "//ram:ApplicableHeaderTradeAgreement/ram:AdditionalReferencedDocument")
        objs = [_one(a, "ram:AttachmentBinaryObject") for a in refs]
    else:
        refs = _x(doc, "cac:AdditionalDocumentReference")
        objs = [_one(a, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject") for a in refs]
    if not 0 <= index < len(objs):
        return None
    obj = objs[index]
    if obj is None or not obj.text:
        return None
    try:
        content = base64.b64decode("".join(obj.text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return content, {"filename": obj.get("filename"), "mime": obj.get("mimeCode")}
