"""The readers on every sample file (tests/banking/samples, see SOURCE.md there), on German CSV
exports, and on hostile files: XML bombs, foreign entities, ZIP bombs and path tricks."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from tests.factories.banking import SAMPLES, camt, entry, zipped
from workmate.banking import keys
from workmate.banking.formats import archive, csv_export, mt940
from workmate.banking.formats import camt as camt_reader
from workmate.banking.formats.common import FormatError
from workmate.banking.formats.read import detect, read


def adds_up(statement: object) -> bool:
    opening, closing = statement.opening, statement.closing  # type: ignore[attr-defined]
    total = sum((e.amount for e in statement.entries), Decimal(0))  # type: ignore[attr-defined]
    return opening is not None and closing is not None and opening + total == closing


# What ../shared/bank/README.md says about each sample (copied to samples/SOURCE.md).
CAMT = {
    "camt053.v2.minimal.xml": [False],
    "camt053.v2.multi.statement.xml": [True, True],
    "camt053.v2.all-balance-types.xml": [False],
    "camt053.v2.with-party-ids.xml": [False],
    "camt053.v8.xml": [False],
}
MT940 = {
    "jejik-sparkasse.sta": [True, True],
    "jejik-volksbankenraiffeisenbanken.sta": [True] * 8,
    "jejik-commerzbank.sta": [False],
    "jejik-lbbw.sta": [True],
    "betterplace-sepa_snippet.sta": [True, False],
}


def test_every_sample_is_covered() -> None:
    files = {p.name for p in (SAMPLES / "camt053").glob("*.xml")}
    files |= {p.name for p in (SAMPLES / "mt940").glob("*.sta")}
    assert files == set(CAMT) | set(MT940) | {"betterplace-sepa_mt9401.sta"}


@pytest.mark.parametrize(("name", "balances"), CAMT.items())
def test_camt_samples(name: str, balances: list[bool]) -> None:
    data = (SAMPLES / "camt053" / name).read_bytes()
    assert detect(data) == "camt053"
    statements = camt_reader.parse(data)
    assert [adds_up(s) for s in statements] == balances
    for s in statements:
        assert s.account
        assert s.entries
        assert all(e.currency == "EUR" for e in s.entries)


def test_camt_v8_reads_parties_references_and_codes() -> None:
    [statement] = camt_reader.parse((SAMPLES / "camt053" / "camt053.v8.xml").read_bytes())
    first = statement.entries[0]
    assert first.counterparty_iban == "NL56AGDH9619008421"
    assert first.counterparty_name == "NAME NAME"
    assert first.bank_reference == "AAAASESS-FP-CN_98765/01"
    assert first.booking_code == "PMNT-RCDT-BOOK"


@pytest.mark.parametrize(("name", "balances"), MT940.items())
def test_mt940_samples(name: str, balances: list[bool]) -> None:
    data = (SAMPLES / "mt940" / name).read_bytes()
    assert detect(data) == "mt940"
    assert [adds_up(s) for s in mt940.parse(data)] == balances


def test_mt940_multi_part_statements_chain_their_intermediate_balances() -> None:
    statements = mt940.parse((SAMPLES / "mt940" / "betterplace-sepa_mt9401.sta").read_bytes())
    assert len(statements) == 26
    by_account: dict[str, list[object]] = {}
    for s in statements:
        by_account.setdefault(s.account or "", []).append(s)
    for parts in by_account.values():
        total = sum(sum((e.amount for e in p.entries), Decimal(0)) for p in parts)  # type: ignore[attr-defined]
        opening, closing = parts[0].opening, parts[-1].closing  # type: ignore[attr-defined]
        assert opening + total == closing


def test_mt940_german_86_subfields() -> None:
    """?00 posting text, ?20-?29 purpose (SVWZ+), ?30 BIC, ?31 IBAN, ?32/?33 name, GVC."""
    statements = mt940.parse(
        (SAMPLES / "mt940" / "jejik-volksbankenraiffeisenbanken.sta").read_bytes()
    )
    first = statements[0].entries[0]
    assert first.booking_code == "166"
    assert first.booking_text == "UEBERWEISUNG"
    assert first.counterparty_name == "Olivia Dorn"
    assert first.counterparty_iban == "DE40500105174675974588"
    assert first.counterparty_bic == "HEISDE66"
    assert (first.purpose or "").startswith("einfach so fuer euch")
    commerz = mt940.parse((SAMPLES / "mt940" / "jejik-commerzbank.sta").read_bytes())[0].entries[0]
    assert commerz.booking_text == "SEPA-LASTSCHR. RETOURE CORE"
    assert commerz.end_to_end_id == "A1.200080779.400143254.4961336"
    assert commerz.creditor_id == "DE41EON00000129793"
    sparkasse = mt940.parse((SAMPLES / "mt940" / "jejik-sparkasse.sta").read_bytes())
    assert sparkasse[1].entries[0].counterparty_name == "Max Mustermann"
    assert sparkasse[0].account == "87052000/123456789"


class TestHostileXml:
    def test_external_entities_are_not_resolved(self) -> None:
        evil = (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>'
        )
        with pytest.raises(FormatError, match="DOCTYPE"):
            camt_reader.parse(evil)

    def test_billion_laughs_is_refused(self) -> None:
        lol = (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha">'
            + b"".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                for i in range(9)
            )
            + b']><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&j;</Document>'
        )
        with pytest.raises(FormatError):
            camt_reader.parse(lol)

    def test_schema_invalid_camt_is_refused_with_the_line(self) -> None:
        data = camt([entry("10.00", "x")]).replace(b"<Sts>", b"<Bogus/><Sts>", 1)
        with pytest.raises(FormatError, match="schema: line"):
            camt_reader.parse(data)

    def test_unsupported_version_names_the_supported_ones(self) -> None:
        data = camt([entry("10.00", "x")]).replace(b"camt.053.001.08", b"camt.053.001.04")
        with pytest.raises(FormatError, match=r"camt\.053\.001\.02, camt\.053\.001\.08"):
            camt_reader.parse(data)

    def test_not_xml(self) -> None:
        with pytest.raises(FormatError):
            camt_reader.parse(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'>")


class TestZip:
    def test_members_are_read_in_name_order(self) -> None:
        one = camt([entry("1.00", "a", date(2026, 3, 2))], opening="0.00")
        two = camt([entry("2.00", "b", date(2026, 3, 3))], opening="1.00")
        parsed = read(zipped({"b.xml": two, "a.xml": one, "__MACOSX/._a.xml": b"junk"}))
        assert parsed.format == "zip"
        assert [s.entries[0].amount for s in parsed.statements] == [
            Decimal("1.00"),
            Decimal("2.00"),
        ]

    def test_zip_bomb_is_stopped_by_real_bytes(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("bomb.xml", b"<" + b"0" * (50 * 1024 * 1024))
        with pytest.raises(FormatError, match="ZIP bomb"):
            archive.members(buffer.getvalue())

    @pytest.mark.parametrize("name", ["../evil.xml", "/etc/x.xml", "a/../../b.xml", "C:\\x.xml"])
    def test_path_tricks_are_refused(self, name: str) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(zipfile.ZipInfo(name), b"x")
        with pytest.raises(FormatError, match="unsafe path"):
            archive.members(buffer.getvalue())

    def test_nested_zip_and_links_are_refused(self) -> None:
        with pytest.raises(FormatError, match="ZIP inside a ZIP"):
            archive.members(zipped({"inner.zip": zipped({"a.xml": b"x"})}))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            info = zipfile.ZipInfo("link.xml")
            info.external_attr = 0o120777 << 16
            z.writestr(info, "/etc/passwd")
        with pytest.raises(FormatError, match="link"):
            archive.members(buffer.getvalue())

    def test_damaged_zip(self) -> None:
        with pytest.raises(FormatError, match="damaged"):
            archive.members(b"PK\x03\x04" + b"\x00" * 100)


SPARKASSE = (
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Glaeubiger ID";"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";'
    '"Lastschrift Ursprungsbetrag";"Auslagenersatz Ruecklastschrift";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";'
    '"Waehrung";"Info"\n'
    '"DE89370400440532013000";"05.03.26";"05.03.26";"GUTSCHR. UEBERWEISUNG";'
    '"RE-2026-00042 Danke";"";"";"NOTPROVIDED";"";"";"";"Müller Bau GmbH";'
    '"DE02120300000000202051";"BYLADEM1001";"1.234,56";"EUR";"Umsatz gebucht"\n'
    '"DE89370400440532013000";"04.03.26";"04.03.26";"FOLGELASTSCHRIFT";"Strom März";'
    '"DE98ZZZ09999999999";"M-1";"";"";"";"";"Stadtwerke";"DE12500105170648489890";'
    '"INGDDEFFXXX";"-89,90";"EUR";"Umsatz gebucht"\n'
)
VOLKSBANK = (
    "Bezeichnung Auftragskonto;IBAN Auftragskonto;BIC Auftragskonto;Bankname Auftragskonto;"
    "Buchungstag;Valutadatum;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;"
    "BIC (SWIFT-Code) Zahlungsbeteiligter;Buchungstext;Verwendungszweck;Betrag;Waehrung;"
    "Saldo nach Buchung;Bemerkung;Kategorie;Steuerrelevant;Glaeubiger ID;Mandatsreferenz\n"
    "Geschäftskonto;DE89370400440532013000;GENODEF1XXX;VR Bank;06.03.2026;06.03.2026;"
    "Schmidt AG;DE02120300000000202051;BYLADEM1001;Gutschrift;RE-2026-00043;500,00;EUR;"
    "1.500,00;;;;;\n"
    "Geschäftskonto;DE89370400440532013000;GENODEF1XXX;VR Bank;05.03.2026;05.03.2026;"
    "Telekom;DE12500105170648489890;INGDDEFFXXX;Lastschrift;Rechnung 03/26;-45,00;EUR;"
    "1.000,00;;;;DE98ZZZ09999999999;M-2\n"
)
DEUTSCHE_BANK = (
    "Umsätze Girokonto;Zeitraum: 01.03.2026 - 31.03.2026\n"
    "Letzter Kontostand;;;;1.000,00;EUR\n\n"
    "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN;BIC;"
    "Kundenreferenz;Mandatsreferenz ;Gläubiger ID;Fremde Gebühren;Betrag;Abweichender "
    "Empfänger;Anzahl der Aufträge;Anzahl der Schecks;Soll;Haben;Währung\n"
    "07.03.2026;07.03.2026;SEPA-Überweisung;Weber KG;RE-2026-00044;"
    "DE02120300000000202051;BYLADEM1001;;;;;;;;;;2.380,00;EUR\n"
    "06.03.2026;06.03.2026;SEPA-Lastschrift;Versicherung;Beitrag;DE12500105170648489890;"
    "INGDDEFFXXX;;M-3;DE98ZZZ09999999999;;;;;;-120,00;;EUR\n"
    "Kontostand;31.03.2026;;;3.260,00;EUR\n"
)
ING = (
    "Umsatzanzeige;Datei erstellt am: 31.03.2026 10:00\n\n"
    "IBAN;DE89 3704 0044 0532 0130 00\nKontoname;Girokonto\nBank;ING\n"
    "Zeitraum;01.03.2026 - 31.03.2026\nSaldo;1.119,00;EUR\n\n"
    "Buchung;Wertstellungsdatum;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;"
    "Währung;Betrag;Währung\n"
    "08.03.2026;08.03.2026;Klein OHG;Gutschrift;RE-2026-00045;1.119,00;EUR;119,00;EUR\n"
    "02.03.2026;02.03.2026;Miete GbR;Lastschrift;Miete März;1.000,00;EUR;-500,00;EUR\n"
)
DKB = (
    '"Girokonto";"DE89370400440532013000"\n""\n"Kontostand vom 31.03.2026:";"1.000 €"\n""\n'
    '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempfänger*in";'
    '"Verwendungszweck";"Umsatztyp";"IBAN";"Betrag (€)";"Gläubiger-ID";"Mandatsreferenz";'
    '"Kundenreferenz"\n'
    '"09.03.26";"09.03.26";"Gebucht";"Fischer GmbH";"Nordlicht";"RE-2026-00046";"Eingang";'
    '"DE02120300000000202051";"714,00";"";"";""\n'
    '"09.03.26";"09.03.26";"Vorgemerkt";"Nordlicht";"Amazon";"Bestellung";"Ausgang";'
    '"DE12500105170648489890";"-25,99";"";"";""\n'
)
N26 = (
    '"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference",'
    '"Account Name","Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n'
    '2026-03-10,2026-03-10,"Becker Design","DE02120300000000202051",Credit Transfer,'
    '"RE-2026-00047",Main Account,1190.00,,,\n'
)
COMMERZBANK = (
    "Buchungstag;Wertstellung;Umsatzart;Buchungstext;Betrag;Währung;Auftraggeberkonto;"
    "Bankleitzahl Auftraggeberkonto;IBAN Auftraggeberkonto;Kategorie\n"
    "11.03.2026;11.03.2026;Gutschrift;Hofmann e.K. RE-2026-00048 End-to-End-Ref.: "
    "NOTPROVIDED;595,00;EUR;0532013000;37040044;DE89370400440532013000;Sonstiges\n"
)


@pytest.mark.parametrize(
    ("preset", "text", "encoding", "expected"),
    [
        ("sparkasse", SPARKASSE, "cp1252", ("1234.56", "Müller Bau GmbH", "RE-2026-00042 Danke")),
        ("volksbank", VOLKSBANK, "utf-8-sig", ("500.00", "Schmidt AG", "RE-2026-00043")),
        ("deutsche_bank", DEUTSCHE_BANK, "cp1252", ("2380.00", "Weber KG", "RE-2026-00044")),
        ("ing", ING, "cp1252", ("119.00", "Klein OHG", "RE-2026-00045")),
        ("dkb", DKB, "utf-8-sig", ("714.00", "Fischer GmbH", "RE-2026-00046")),
        ("n26", N26, "utf-8", ("1190.00", "Becker Design", "RE-2026-00047")),
        ("commerzbank", COMMERZBANK, "cp1252", ("595.00", None, "Hofmann e.K. RE-2026-00048")),
    ],
)
def test_csv_exports_of_german_banks(
    preset: str, text: str, encoding: str, expected: tuple[str, str | None, str]
) -> None:
    statements, found = csv_export.parse(text.encode(encoding), None)
    assert found == preset
    [statement] = statements
    credits = [e for e in statement.entries if e.amount > 0]
    amount, name, purpose = expected
    assert credits[0].amount == Decimal(amount)
    assert credits[0].counterparty_name == name
    assert (credits[0].purpose or "").startswith(purpose)
    assert all(e.booking_date.year == 2026 for e in statement.entries)
    # Oldest first, whatever order the export had.
    days = [e.booking_date for e in statement.entries]
    assert days == sorted(days)


def test_csv_running_balance_gives_opening_and_closing() -> None:
    [statement], _ = csv_export.parse(VOLKSBANK.encode("utf-8"), None)
    assert statement.opening == Decimal("1045.00")
    assert statement.closing == Decimal("1500.00")
    assert not any(n.code == "running_balance_breaks" for n in statement.notes)


def test_csv_pending_rows_are_left_out_and_said() -> None:
    [statement], _ = csv_export.parse(DKB.encode("utf-8-sig"), None)
    assert len(statement.entries) == 1
    assert [n.code for n in statement.notes] == ["pending_skipped", "no_balances"]


def test_unknown_csv_names_its_columns_and_a_mapping_reads_it() -> None:
    data = b"Datum;Text;Summe;Name\n01.03.2026;RE-2026-00049;1.000,50;Acme\n"
    with pytest.raises(FormatError, match="Datum, Text, Summe, Name"):
        csv_export.parse(data, None)
    mapping = {
        "booking_date": "Datum",
        "purpose": "Text",
        "amount": "Summe",
        "counterparty_name": "Name",
    }
    [statement], preset = csv_export.parse(data, mapping)
    assert preset is None
    assert statement.entries[0].amount == Decimal("1000.50")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.234,56", "1234.56"), ("-1.234,56", "-1234.56"), ("12,00-", "-12.00"), ("+5,5 €", "5.5")],
)
def test_german_amounts(value: str, expected: str) -> None:
    columns = csv_export.Columns(booking_date="x", amount="y")
    assert csv_export._amount(value, columns) == Decimal(expected)


def test_keys_are_stable_and_count_true_duplicates() -> None:
    import uuid

    account = uuid.uuid4()
    coffee = entry("-3.50", "Kaffee", counterparty_name="Café")
    first = keys.keys(account, [coffee, coffee])
    assert first[0] != first[1]
    assert keys.keys(account, [coffee, coffee]) == first
    # Wrapped differently by another export: the same transaction.
    rewrapped = entry("-3.50", "Kaf fee", counterparty_name="CAFÉ")
    assert keys.keys(account, [rewrapped]) == first[:1]
    referenced = entry("10.00", "x", bank_reference="REF-1")
    assert keys.keys(account, [referenced])[0].startswith("r:")
    # A reference reused for the same day and amount is no reference.
    assert all(k.startswith("h:") for k in keys.keys(account, [referenced, referenced]))


def test_amounts_beyond_any_statement_are_refused() -> None:
    with pytest.raises(FormatError, match="larger than any bank statement"):
        read(camt([entry("99999999999.00", "x")]))
