"""The meaning of official rules in plain German.

The CEN rules (BR-*, BR-CO-*, BR-S-*, ...) state their message in English only. The common
ones are translated here (TRANSLATED); the KoSIT rules (BR-DE-*) are German already and are
shown as written; any other rule falls back to its official English text, marked as such.
"""

from __future__ import annotations

from typing import Any

TRANSLATED: dict[str, str] = {
    "BR-01": "Die Spezifikationskennung (BT-24) fehlt.",
    "BR-02": "Die Rechnungsnummer (BT-1) fehlt.",
    "BR-03": "Das Rechnungsdatum (BT-2) fehlt.",
    "BR-04": "Der Rechnungstyp (BT-3) fehlt.",
    "BR-05": "Die Rechnungswährung (BT-5) fehlt.",
    "BR-06": "Der Name des Verkäufers (BT-27) fehlt.",
    "BR-07": "Der Name des Käufers (BT-44) fehlt.",
    "BR-08": "Die Anschrift des Verkäufers (BG-5) fehlt.",
    "BR-09": "Der Ländercode in der Anschrift des Verkäufers (BT-40) fehlt.",
    "BR-10": "Die Anschrift des Käufers (BG-8) fehlt.",
    "BR-11": "Der Ländercode in der Anschrift des Käufers (BT-55) fehlt.",
    "BR-12": "Die Summe der Positionsbeträge (BT-106) fehlt.",
    "BR-13": "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) fehlt.",
    "BR-14": "Der Gesamtbetrag mit Umsatzsteuer (BT-112) fehlt.",
    "BR-15": "Der Zahlbetrag (BT-115) fehlt.",
    "BR-16": "Die Rechnung hat keine einzige Rechnungsposition (BG-25).",
    "BR-17": "Der Name des Zahlungsempfängers (BT-59) fehlt, obwohl ein abweichender "
    "Zahlungsempfänger angegeben ist.",
    "BR-21": "Eine Rechnungsposition hat keine Positionsnummer (BT-126).",
    "BR-22": "Eine Rechnungsposition hat keine Menge (BT-129).",
    "BR-23": "Eine Rechnungsposition hat keine Mengeneinheit (BT-130).",
    "BR-24": "Eine Rechnungsposition hat keinen Nettobetrag (BT-131).",
    "BR-25": "Eine Rechnungsposition hat keine Artikelbezeichnung (BT-153).",
    "BR-26": "Eine Rechnungsposition hat keinen Nettopreis (BT-146).",
    "BR-27": "Der Nettopreis einer Position (BT-146) ist negativ.",
    "BR-29": "Das Ende des Rechnungszeitraums liegt vor seinem Beginn.",
    "BR-30": "Das Ende des Positionszeitraums liegt vor seinem Beginn.",
    "BR-31": "Ein Nachlass auf Belegebene hat keinen Betrag (BT-92).",
    "BR-32": "Ein Nachlass auf Belegebene hat keine Umsatzsteuerkategorie (BT-95).",
    "BR-33": "Ein Nachlass auf Belegebene hat keinen Grund (BT-97/BT-98).",
    "BR-36": "Ein Zuschlag auf Belegebene hat keinen Betrag (BT-99).",
    "BR-37": "Ein Zuschlag auf Belegebene hat keine Umsatzsteuerkategorie (BT-102).",
    "BR-38": "Ein Zuschlag auf Belegebene hat keinen Grund (BT-104/BT-105).",
    "BR-41": "Ein Nachlass auf Positionsebene hat keinen Betrag (BT-136).",
    "BR-42": "Ein Nachlass auf Positionsebene hat keinen Grund (BT-139/BT-140).",
    "BR-43": "Ein Zuschlag auf Positionsebene hat keinen Betrag (BT-141).",
    "BR-44": "Ein Zuschlag auf Positionsebene hat keinen Grund (BT-144/BT-145).",
    "BR-45": "Eine Umsatzsteueraufschlüsselung hat keine Bemessungsgrundlage (BT-116).",
    "BR-46": "Eine Umsatzsteueraufschlüsselung hat keinen Steuerbetrag (BT-117).",
    "BR-47": "Eine Umsatzsteueraufschlüsselung hat keine Steuerkategorie (BT-118).",
    "BR-48": "Eine Umsatzsteueraufschlüsselung hat keinen Steuersatz (BT-119).",
    "BR-49": "Die Zahlungsart (BT-81) fehlt.",
    "BR-50": "Bei Überweisung fehlt die Kontonummer/IBAN des Zahlungsempfängers (BT-84).",
    "BR-52": "Ein rechnungsbegründendes Dokument hat keine Kennung (BT-122).",
    "BR-53": "Der Umsatzsteuerbetrag in Buchungswährung (BT-111) fehlt, obwohl eine "
    "abweichende Steuerwährung angegeben ist.",
    "BR-54": "Eine Artikeleigenschaft hat keinen Namen oder keinen Wert.",
    "BR-55": "Ein Verweis auf eine vorausgegangene Rechnung hat keine Nummer (BT-25).",
    "BR-56": "Der Steuervertreter des Verkäufers hat keine USt-IdNr. (BT-63).",
    "BR-57": "Die Lieferanschrift hat keinen Ländercode (BT-80).",
    "BR-61": "Bei Überweisung fehlt die Kontokennung (IBAN, BT-84).",
    "BR-62": "Die elektronische Adresse des Verkäufers (BT-34) hat kein Schema.",
    "BR-63": "Die elektronische Adresse des Käufers (BT-49) hat kein Schema.",
    "BR-64": "Die Artikelkennung nach Standard (BT-157) hat kein Schema.",
    "BR-65": "Die Artikelklassifizierung (BT-158) hat kein Schema.",
    "BR-CO-3": "Steuerfälligkeitsdatum (BT-7) und Code für das Steuerfälligkeitsdatum (BT-8) "
    "schließen einander aus.",
    "BR-CO-4": "Jede Rechnungsposition braucht eine Umsatzsteuerkategorie (BT-151).",
    "BR-CO-5": "Code und Text für den Grund eines Nachlasses müssen dasselbe bedeuten.",
    "BR-CO-9": "Die USt-IdNr. muss mit einem Ländercode beginnen.",
    "BR-CO-10": "Die Summe der Positionsbeträge (BT-106) stimmt nicht mit der Summe der "
    "Positionen (BT-131) überein.",
    "BR-CO-11": "Die Summe der Nachlässe auf Belegebene (BT-107) stimmt nicht.",
    "BR-CO-12": "Die Summe der Zuschläge auf Belegebene (BT-108) stimmt nicht.",
    "BR-CO-13": "Der Nettobetrag (BT-109) ist nicht Summe der Positionen abzüglich Nachlässe "
    "zuzüglich Zuschläge.",
    "BR-CO-14": "Die Umsatzsteuer gesamt (BT-110) ist nicht die Summe der Steuerbeträge je "
    "Kategorie (BT-117).",
    "BR-CO-15": "Der Bruttobetrag (BT-112) ist nicht Nettobetrag (BT-109) plus Umsatzsteuer "
    "(BT-110).",
    "BR-CO-16": "Der Zahlbetrag (BT-115) ist nicht Bruttobetrag (BT-112) abzüglich "
    "Anzahlungen (BT-113) zuzüglich Rundung (BT-114).",
    "BR-CO-17": "Der Steuerbetrag einer Kategorie (BT-117) ist nicht Bemessungsgrundlage "
    "mal Steuersatz, kaufmännisch gerundet.",
    "BR-CO-18": "Die Rechnung braucht mindestens eine Umsatzsteueraufschlüsselung (BG-23).",
    "BR-CO-19": "Ein angegebener Leistungszeitraum braucht Beginn oder Ende.",
    "BR-CO-20": "Ein angegebener Positionszeitraum braucht Beginn oder Ende.",
    "BR-CO-21": "Ein Nachlass auf Belegebene braucht einen Grund als Text oder Code.",
    "BR-CO-22": "Ein Zuschlag auf Belegebene braucht einen Grund als Text oder Code.",
    "BR-CO-23": "Ein Nachlass auf Positionsebene braucht einen Grund als Text oder Code.",
    "BR-CO-24": "Ein Zuschlag auf Positionsebene braucht einen Grund als Text oder Code.",
    "BR-CO-25": "Bei positivem Zahlbetrag muss ein Fälligkeitsdatum (BT-9) oder eine "
    "Zahlungsbedingung (BT-20) angegeben sein.",
    "BR-CO-26": "Der Verkäufer braucht eine Kennung, eine Registernummer oder eine USt-IdNr.",
    "BR-S-01": "Positionen mit Normalsatz (S) brauchen eine Umsatzsteueraufschlüsselung der "
    "Kategorie S.",
    "BR-S-02": "Bei Positionen mit Normalsatz (S) fehlt die USt-IdNr. bzw. Steuernummer des "
    "Verkäufers.",
    "BR-S-05": "Der Steuersatz einer Position mit Normalsatz (S) muss größer als null sein.",
    "BR-S-08": "Die Bemessungsgrundlage der Kategorie S passt nicht zu den Positionen, "
    "Nachlässen und Zuschlägen dieses Satzes.",
    "BR-S-09": "Der Steuerbetrag der Kategorie S ist nicht Bemessungsgrundlage mal Steuersatz.",
    "BR-S-10": "Eine Aufschlüsselung mit Normalsatz (S) darf keinen Befreiungsgrund haben.",
    "BR-Z-08": "Die Bemessungsgrundlage der Kategorie Z (Nullsatz) stimmt nicht.",
    "BR-Z-09": "Der Steuerbetrag der Kategorie Z (Nullsatz) muss null sein.",
    "BR-E-08": "Die Bemessungsgrundlage der Kategorie E (steuerbefreit) stimmt nicht.",
    "BR-E-09": "Der Steuerbetrag der Kategorie E (steuerbefreit) muss null sein.",
    "BR-E-10": "Bei steuerbefreiten Umsätzen (E) fehlt der Befreiungsgrund (BT-120/BT-121).",
    "BR-AE-02": "Bei Steuerschuldnerschaft des Leistungsempfängers (AE) fehlen die "
    "Steuernummern von Verkäufer und Käufer.",
    "BR-AE-08": "Die Bemessungsgrundlage der Kategorie AE (Reverse Charge) stimmt nicht.",
    "BR-AE-09": "Der Steuerbetrag der Kategorie AE (Reverse Charge) muss null sein.",
    "BR-AE-10": "Bei Reverse Charge (AE) fehlt der Hinweis auf die Steuerschuldnerschaft "
    "des Leistungsempfängers.",
    "BR-K-02": "Bei innergemeinschaftlicher Lieferung (K) fehlen die USt-IdNr. von Verkäufer "
    "und Käufer.",
    "BR-K-08": "Die Bemessungsgrundlage der Kategorie K (innergemeinschaftlich) stimmt nicht.",
    "BR-K-09": "Der Steuerbetrag der Kategorie K (innergemeinschaftlich) muss null sein.",
    "BR-K-10": "Bei innergemeinschaftlicher Lieferung (K) fehlt der Befreiungshinweis.",
    "BR-O-08": "Die Bemessungsgrundlage der Kategorie O (nicht steuerbar) stimmt nicht.",
    "BR-O-09": "Der Steuerbetrag der Kategorie O (nicht steuerbar) muss null sein.",
    "BR-CL-01": "Der Rechnungstyp (BT-3) ist kein Code der Liste UNTDID 1001.",
    "BR-CL-03": "Der Währungscode ist kein Code nach ISO 4217.",
    "BR-CL-04": "Die Rechnungswährung (BT-5) ist kein Code nach ISO 4217.",
    "BR-CL-10": "Das Schema einer Kennung ist kein Code der Liste ISO 6523 ICD.",
    "BR-CL-13": "Das Schema der Artikelklassifizierung ist kein Code der Liste UNTDID 7143.",
    "BR-CL-14": "Der Ländercode ist kein Code nach ISO 3166-1.",
    "BR-CL-16": "Die Zahlungsart (BT-81) ist kein Code der Liste UNTDID 4461.",
    "BR-CL-17": "Die Steuerkategorie ist kein Code der Liste UNCL 5305.",
    "BR-CL-18": "Die Steuerkategorie ist kein Code der Liste UNCL 5305.",
    "BR-CL-19": "Der Grund des Nachlasses ist kein Code der Liste UNTDID 5189.",
    "BR-CL-20": "Der Grund des Zuschlags ist kein Code der Liste UNTDID 7161.",
    "BR-CL-21": "Die Artikelkennung hat kein gültiges Schema (ISO 6523 ICD).",
    "BR-CL-23": "Die Mengeneinheit ist kein Code nach UN/ECE Empfehlung 20/21.",
    "BR-CL-25": "Das Schema der elektronischen Adresse ist kein Code der EAS-Liste.",
    "PEPPOL-EN16931-R001": "Die Prozesskennung (BT-23) fehlt.",
    "PEPPOL-EN16931-R010": "Die elektronische Adresse des Käufers (BT-49) fehlt.",
    "PEPPOL-EN16931-R020": "Die elektronische Adresse des Verkäufers (BT-34) fehlt.",
    "PEPPOL-EN16931-R040": "Ein Nachlass oder Zuschlag ist nicht Basisbetrag mal Prozentsatz.",
    "PEPPOL-EN16931-R053": "Es darf nur ein Umsatzsteuer-Gesamtbetrag in Rechnungswährung "
    "angegeben sein.",
    "PEPPOL-EN16931-R120": "Der Positionsbetrag ist nicht Menge mal Preis plus Zuschläge "
    "minus Nachlässe.",
    "XSD": "Das Dokument entspricht nicht dem XML-Schema seiner Syntax.",
    "INPUT": "Die Datei konnte nicht als E-Rechnung gelesen werden.",
}


def meaning(finding: dict[str, Any]) -> tuple[str, str]:
    """(German meaning, where it comes from: translated | official_de | official_en)."""
    ident = str(finding.get("id", ""))
    if ident in TRANSLATED:
        return TRANSLATED[ident], "translated"
    if ident.startswith(("BR-DE-", "BR-DEX-", "BR-TMP-")):
        return str(finding.get("text", "")), "official_de"
    return str(finding.get("text", "")), "official_en"


def annotate(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every finding its German meaning (kept when a check already wrote one)."""
    for f in findings:
        if "meaning_de" not in f:
            f["meaning_de"], f["meaning_source"] = meaning(f)
        else:
            f.setdefault("meaning_source", "translated")
    return findings
