"""Our own checks of a read invoice, independent of the schematron:

- arithmetic (WM-CALC-*): line sums, net total, VAT per rate, VAT total, gross, amount due;
- what input VAT deduction needs (§ 14 Abs. 4 UStG, WM-UStG-*): supplier name and address,
  tax number or VAT id, date, number, what was supplied, when, net and VAT per rate; for a
  small-amount invoice up to 250 EUR gross the reduced list of § 33 UStDV.

Each finding: {"rules", "id", "level", "text" (English), "meaning_de", "location"}.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
TOLERANCE = Decimal("0.01")
SMALL_AMOUNT = Decimal("250")  # § 33 UStDV
Data = dict[str, Any]
Finding = dict[str, Any]


def dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _finding(
    rules: str, ident: str, text: str, meaning_de: str, location: str, level: str = "error"
) -> Finding:
    return {
        "rules": rules,
        "id": ident,
        "level": level,
        "text": text,
        "meaning_de": meaning_de,
        "location": location,
    }


def _calc(ident: str, text: str, de: str, where: str, stated: Any, computed: Decimal) -> Finding:
    f = _finding("Workmate arithmetic", ident, text, de, where)
    f["stated"] = str(stated)
    f["computed"] = str(computed)
    return f


def _off(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) > TOLERANCE


def _rate(value: Any) -> Decimal:
    """A VAT rate for comparing: absent (category O) counts as 0, 19.00 equals 19."""
    return dec(value) or Decimal(0)


def _rounding_off(stated: Decimal, exact: Decimal) -> bool:
    """Stated VAT is the exact product rounded to cents, or to whole units in currencies
    invoiced without minor units (HUF, JPY: the stated amount is then integral)."""
    if abs(stated - exact) <= Decimal("0.005") + TOLERANCE:
        return False
    return not (stated == stated.to_integral_value() and abs(stated - exact) <= Decimal("0.51"))


def arithmetic(data: Data) -> list[Finding]:
    """Recompute the sums from the stated parts; every stated total must agree."""
    out: list[Finding] = []
    t = data.get("totals") or {}
    lines = data.get("lines") or []
    allowances = data.get("allowances") or []
    line_nets = [dec(li.get("net")) for li in lines]
    if lines and all(n is not None for n in line_nets):
        total = sum((n for n in line_nets if n is not None), Decimal(0))
        stated = dec(t.get("lines"))
        if stated is not None and _off(stated, total):
            out.append(
                _calc(
                    "WM-CALC-1",
                    "Sum of line net amounts (BT-106) does not equal the sum of the lines (BT-131)",
                    "Die Summe der Positionsbeträge (BT-106) stimmt nicht mit der Summe der "
                    "einzelnen Positionen (BT-131) überein.",
                    "totals.lines",
                    stated,
                    total,
                )
            )
    doc_allow = sum(
        (dec(a.get("amount")) or 0 for a in allowances if not a.get("charge")), Decimal(0)
    )
    doc_charge = sum((dec(a.get("amount")) or 0 for a in allowances if a.get("charge")), Decimal(0))
    line_sum, net = dec(t.get("lines")), dec(t.get("net"))
    if line_sum is not None and net is not None:
        computed = line_sum - doc_allow + doc_charge
        if _off(net, computed):
            out.append(
                _calc(
                    "WM-CALC-2",
                    "Net total (BT-109) does not equal line sum minus allowances plus charges",
                    "Der Nettobetrag (BT-109) ist nicht Summe der Positionen abzüglich Nachlässe "
                    "zuzüglich Zuschläge.",
                    "totals.net",
                    net,
                    computed,
                )
            )
    groups = data.get("vat") or []
    for g in groups:
        basis, amount, rate = dec(g.get("basis")), dec(g.get("amount")), _rate(g.get("rate"))
        where = f"vat[{g.get('category')} {g.get('rate')}]"
        key = (g.get("category"), rate)
        if lines and all(n is not None for n in line_nets):
            parts = sum(
                (
                    n
                    for li, n in zip(lines, line_nets, strict=True)
                    if n is not None and (li.get("category"), _rate(li.get("rate"))) == key
                ),
                Decimal(0),
            )
            for a in allowances:
                if (a.get("category"), _rate(a.get("rate"))) == key:
                    sign = 1 if a.get("charge") else -1
                    parts += sign * (dec(a.get("amount")) or 0)
            if basis is not None and _off(basis, parts):
                out.append(
                    _calc(
                        "WM-CALC-3",
                        "VAT basis of a rate (BT-116) does not equal its lines, allowances "
                        "and charges",
                        f"Die Bemessungsgrundlage zum Steuersatz {g.get('rate')} % (BT-116) passt "
                        "nicht zu den Positionen, Nachlässen und Zuschlägen dieses Satzes.",
                        where,
                        basis,
                        parts,
                    )
                )
        if basis is not None and amount is not None:
            computed = cents(basis * rate / 100)
            if _rounding_off(amount, basis * rate / 100):
                out.append(
                    _calc(
                        "WM-CALC-4",
                        "VAT amount of a rate (BT-117) is not its basis times the rate",
                        f"Der Steuerbetrag zum Satz {g.get('rate')} % (BT-117) ist nicht "
                        "Bemessungsgrundlage mal Steuersatz.",
                        where,
                        amount,
                        computed,
                    )
                )
    vat = dec(t.get("vat"))
    amounts = [dec(g.get("amount")) for g in groups]
    if groups and all(a is not None for a in amounts):
        computed = sum((a for a in amounts if a is not None), Decimal(0))
        if vat is not None and _off(vat, computed):
            out.append(
                _calc(
                    "WM-CALC-5",
                    "VAT total (BT-110) does not equal the sum of VAT per rate (BT-117)",
                    "Die Umsatzsteuer gesamt (BT-110) ist nicht die Summe der Steuerbeträge "
                    "je Satz.",
                    "totals.vat",
                    vat,
                    computed,
                )
            )
    gross = dec(t.get("gross"))
    if gross is not None and net is not None:
        computed = net + (vat or 0)
        if _off(gross, computed):
            out.append(
                _calc(
                    "WM-CALC-6",
                    "Gross total (BT-112) does not equal net total plus VAT total",
                    "Der Bruttobetrag (BT-112) ist nicht Nettobetrag plus Umsatzsteuer.",
                    "totals.gross",
                    gross,
                    computed,
                )
            )
    due = dec(t.get("due"))
    if due is not None and gross is not None:
        computed = gross - (dec(t.get("prepaid")) or 0) + (dec(t.get("rounding")) or 0)
        if _off(due, computed):
            out.append(
                _calc(
                    "WM-CALC-7",
                    "Amount due (BT-115) does not equal gross minus prepaid plus rounding",
                    "Der Zahlbetrag (BT-115) ist nicht Bruttobetrag abzüglich Anzahlungen "
                    "zuzüglich Rundung.",
                    "totals.due",
                    due,
                    computed,
                )
            )
            if "extension" in str(data.get("customization_id") or "").lower():
                # XRechnung Extension allows third-party payments (BG-DEX-09) in the due amount.
                out[-1]["level"] = "warning"
    return out


def _law(ident: str, text: str, de: str, where: str, level: str = "error") -> Finding:
    return _finding("§ 14 UStG", ident, text, de, where, level)


def ustg14(data: Data) -> list[Finding]:
    """What § 14 Abs. 4 UStG (or § 33 UStDV up to 250 EUR) asks of an invoice."""
    out: list[Finding] = []
    seller = data.get("seller") or {}
    buyer = data.get("buyer") or {}
    rep = data.get("seller_tax_representative") or {}
    gross = dec((data.get("totals") or {}).get("gross"))
    small = gross is not None and abs(gross) <= SMALL_AMOUNT
    if not seller.get("name"):
        out.append(
            _law(
                "WM-UStG-1",
                "Supplier name is missing",
                "Der vollständige Name des leistenden Unternehmers fehlt.",
                "seller.name",
            )
        )
    if not (seller.get("city") and (seller.get("street") or seller.get("postal_code"))):
        out.append(
            _law(
                "WM-UStG-2",
                "Supplier address is incomplete",
                "Die vollständige Anschrift des leistenden Unternehmers fehlt.",
                "seller.address",
            )
        )
    if not small:
        if not buyer.get("name") or not buyer.get("city"):
            out.append(
                _law(
                    "WM-UStG-3",
                    "Recipient name or address is missing",
                    "Name und Anschrift des Leistungsempfängers fehlen.",
                    "buyer",
                )
            )
        if not (seller.get("vat_id") or seller.get("tax_number") or rep.get("vat_id")):
            out.append(
                _law(
                    "WM-UStG-4",
                    "Supplier tax number or VAT id is missing",
                    "Die Steuernummer oder USt-IdNr. des leistenden Unternehmers fehlt.",
                    "seller.vat_id",
                )
            )
        if not data.get("number"):
            out.append(
                _law(
                    "WM-UStG-6", "Invoice number is missing", "Die Rechnungsnummer fehlt.", "number"
                )
            )
    if not data.get("issue_date"):
        out.append(
            _law(
                "WM-UStG-5", "Invoice date is missing", "Das Ausstellungsdatum fehlt.", "issue_date"
            )
        )
    lines = data.get("lines") or []
    if not lines or any(not (li.get("name") or li.get("description")) for li in lines):
        out.append(
            _law(
                "WM-UStG-7",
                "Quantity and kind of the supply are not stated",
                "Menge und Art der Lieferung bzw. Umfang und Art der Leistung fehlen.",
                "lines",
            )
        )
    has_date = data.get("delivery_date") or data.get("period_start") or data.get("period_end")
    if not has_date and not all(li.get("period_start") or li.get("period_end") for li in lines):
        out.append(
            _law(
                "WM-UStG-8",
                "Date of supply or service period is not stated",
                "Der Zeitpunkt der Lieferung oder Leistung (Leistungsdatum oder -zeitraum) fehlt; "
                "er darf nur fehlen, wenn er dem Rechnungsdatum entspricht und das vermerkt ist.",
                "delivery_date",
                "warning",
            )
        )
    groups = data.get("vat") or []
    if not groups or any(g.get("basis") is None for g in groups):
        out.append(
            _law(
                "WM-UStG-9",
                "Net amount per VAT rate is missing",
                "Das nach Steuersätzen aufgeschlüsselte Entgelt fehlt.",
                "vat",
            )
        )
    if any(
        g.get("amount") is None or (g.get("rate") is None and g.get("category") != "O")
        for g in groups
    ):
        out.append(
            _law(
                "WM-UStG-10",
                "VAT rate or VAT amount per rate is missing",
                "Steuersatz und Steuerbetrag je Steuersatz fehlen.",
                "vat",
            )
        )
    for g in groups:
        if g.get("category") in ("E", "AE", "K", "G", "O") and not (
            g.get("exemption_reason") or g.get("exemption_code")
        ):
            out.append(
                _law(
                    "WM-UStG-11",
                    "No reason given why no VAT is charged",
                    "Es fehlt der Hinweis auf die Steuerbefreiung bzw. die Steuerschuldnerschaft "
                    "des Leistungsempfängers.",
                    f"vat[{g.get('category')}]",
                )
            )
    return out
