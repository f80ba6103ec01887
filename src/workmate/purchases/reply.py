"""A ready-made reply to the supplier naming what is wrong with their invoice (German, English)."""

from __future__ import annotations

from datetime import date
from typing import Any

MAX_ITEMS = 30


def _when(value: Any, lang: str) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return day.strftime("%d.%m.%Y") if lang == "de" else day.isoformat()


def _items(findings: list[dict[str, Any]], lang: str) -> list[str]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        if f.get("level") != "error":
            continue
        text = f.get("meaning_de") if lang == "de" else f.get("text")
        key = (str(f.get("id")), str(text))
        if key in seen:
            continue
        seen.add(key)
        where = f" ({f['location']})" if f.get("location") and f.get("rules") == "XSD" else ""
        out.append(f"- [{f.get('id')}] {text}{where}")
    if len(out) > MAX_ITEMS:
        more = len(out) - MAX_ITEMS
        out = [*out[:MAX_ITEMS], f"- … {more} weitere" if lang == "de" else f"- … {more} more"]
    return out


def reply(
    lang: str,
    *,
    data: dict[str, Any] | None,
    findings: list[dict[str, Any]],
    filename: str,
    company: str | None,
) -> str | None:
    """The letter, or None when nothing is wrong."""
    items = _items(findings, lang)
    if not items:
        return None
    data = data or {}
    number = data.get("number")
    issued = _when(data.get("issue_date"), lang) if data.get("issue_date") else None
    sign = company or ("Ihr Kunde" if lang == "de" else "Your customer")
    if lang == "de":
        what = f"Ihre Rechnung Nr. {number}" if number else f"Ihre Rechnung ({filename})"
        if issued:
            what += f" vom {issued}"
        return "\n".join(
            [
                "Sehr geehrte Damen und Herren,",
                "",
                f"{what} haben wir erhalten. Bei der Prüfung nach den Regeln der EN 16931 "
                "(und, wo angegeben, der XRechnung) sowie nach § 14 UStG sind uns folgende "
                "Mängel aufgefallen:",
                "",
                *items,
                "",
                "Bitte senden Sie uns eine berichtigte Rechnung als E-Rechnung (XRechnung oder "
                "ZUGFeRD/Factur-X). Bis dahin können wir die Rechnung nicht wie gestellt "
                "buchen und keinen Vorsteuerabzug daraus geltend machen.",
                "",
                "Mit freundlichen Grüßen",
                sign,
            ]
        )
    what = f"your invoice no. {number}" if number else f"your invoice ({filename})"
    if issued:
        what += f" of {issued}"
    return "\n".join(
        [
            "Dear Sir or Madam,",
            "",
            f"We have received {what}. Checking it by the rules of EN 16931 (and, where it "
            "says so, XRechnung) and of § 14 of the German VAT Act, we found the following:",
            "",
            *items,
            "",
            "Please send us a corrected invoice as an e-invoice (XRechnung or ZUGFeRD/Factur-X). "
            "Until then we cannot book the invoice as issued or deduct input VAT from it.",
            "",
            "Kind regards",
            sign,
        ]
    )
