"""The matcher alone (no database): which proposals, which evidence, what is automatic."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from workmate.banking.matching import Index, Item, Matcher, Tx, mentions, name_similarity, one_edit

A, B = uuid.uuid4(), uuid.uuid4()
IBAN_A = "DE02120300000000202051"


def item(
    number: str, total: str, customer: uuid.UUID = A, name: str = "Müller Bau GmbH", **kw: object
) -> Item:
    amount = Decimal(total)
    return Item(
        uuid.uuid4(),
        number,
        kw.pop("kind", "invoice"),
        customer,
        name,
        amount,
        amount,
        date(2026, 3, 1),
        **kw,
    )  # type: ignore[arg-type]


def tx(
    amount: str,
    text: str,
    name: str | None = "MUELLER BAU",
    iban: str | None = None,
    day: date = date(2026, 3, 10),
) -> Tx:
    return Tx(uuid.uuid4(), day, Decimal(amount), name, iban, text)


def codes(proposal: object) -> list[str]:
    return [e.code for e in proposal.evidence]  # type: ignore[attr-defined]


def test_typo_that_names_another_invoice_is_never_automatic() -> None:
    mine, other = item("RE-2026-00042", "119.00"), item("RE-2026-00024", "50.00", B, "Schmidt AG")
    proposals = Matcher(Index([mine, other])).propose(tx("119.00", "RE-2026-00024"))
    assert not any(p.auto for p in proposals)
    best = proposals[0]
    assert [i.number for i, _ in best.allocations] == ["RE-2026-00042"]
    assert "number_similar" in codes(best)
    assert "numbers_other" in codes(best)


def test_typo_with_a_known_iban_is_automatic() -> None:
    mine = item("RE-2026-00042", "119.00")
    proposals = Matcher(Index([mine], {IBAN_A: {A}})).propose(
        tx("119.00", "RE 2026-00043", iban=IBAN_A)
    )
    assert proposals[0].auto


def test_known_iban_with_two_open_invoices_of_that_amount_waits() -> None:
    first, second = item("RE-2026-00001", "500.00"), item("RE-2026-00002", "500.00")
    proposals = Matcher(Index([first, second], {IBAN_A: {A}})).propose(
        tx("500.00", "Monatsrate", iban=IBAN_A)
    )
    assert len(proposals) == 2
    assert not any(p.auto for p in proposals)


def test_booked_before_the_invoice_date_is_not_automatic() -> None:
    proposals = Matcher(Index([item("RE-2026-00042", "119.00")])).propose(
        tx("119.00", "RE-2026-00042", day=date(2026, 2, 1))
    )
    assert not proposals[0].auto
    assert "date_before" in codes(proposals[0])


def test_a_date_is_no_invoice_number() -> None:
    index = Index([item("RE-2026-00003", "119.00")])
    assert Matcher(index).propose(tx("119.00", "Kartenzahlung 2026-03-05", name="Tankstelle")) != []
    proposals = Matcher(index).propose(tx("119.00", "Kartenzahlung 2026-03-05", name="Tankstelle"))
    assert all("number_reformatted" not in codes(p) for p in proposals)
    assert not any(p.auto for p in proposals)


def test_refund_of_a_credit_note() -> None:
    note = item("GS-2026-00001", "238.00", kind="credit_note")
    proposals = Matcher(Index([note, item("RE-2026-00001", "238.00")])).propose(
        tx("-238.00", "Erstattung GS-2026-00001")
    )
    assert proposals[0].auto
    assert proposals[0].allocations[0][0].kind == "credit_note"


def test_skonto_is_said_and_waits() -> None:
    proposals = Matcher(Index([item("RE-2026-00042", "1000.00")])).propose(
        tx("980.00", "RE-2026-00042 abzgl. 2% Skonto")
    )
    assert "amount_skonto" in codes(proposals[0])
    assert not proposals[0].auto


def test_the_pieces() -> None:
    assert one_edit("202600042", "202600024")
    assert one_edit("202600042", "20260042")
    assert not one_edit("202600042", "202600042")
    assert not one_edit("202600042", "202611142")
    found = {(d, g, whole) for d, g, _, whole in mentions("Rechnung RE 2026-42, RE-2026-00043")}
    assert ("202642", (2026, 42), True) in found
    assert ("202600043", (2026, 43), True) in found
    assert name_similarity("MUELLER BAU GMBH & CO. KG", "Müller Bau GmbH & Co. KG") >= 0.9
    assert name_similarity("Tankstelle", "Müller Bau GmbH") < 0.6


def test_money_out_pays_a_supplier_bill_and_its_evidence_speaks_of_the_supplier() -> None:
    bill = item("2026-4711", "595.00", B, "Holz Schmidt AG", kind="supplier_bill", reference="ER")
    invoice = item("RE-2026-04711", "595.00")  # our own invoice: money in only
    index = Index([bill, invoice], payees={IBAN_A: {B}})
    [best] = Matcher(index).propose(tx("-595.00", "Rg 2026-4711", "HOLZ SCHMIDT", IBAN_A))
    assert best.auto
    assert [i.id for i, _ in best.allocations] == [bill.id]
    assert codes(best)[:2] == ["bill_number_exact", "amount_open"]
    assert "bill_iban_known" in codes(best)
    assert "bill_name_similar" in codes(best)
    assert best.as_json()["allocations"][0]["reference"] == "ER"
    # The supplier's IBAN says nothing about money received.
    incoming = Matcher(index).propose(tx("595.00", "Zahlung", "HOLZ SCHMIDT", IBAN_A))
    assert all(i.kind == "invoice" for p in incoming for i, _ in p.allocations)


def test_a_payee_iban_with_two_bills_of_the_amount_is_not_automatic() -> None:
    one = item("LR-2026-00001", "100.00", B, "Holz Schmidt AG", kind="supplier_bill")
    two = item("LR-2026-00002", "100.00", B, "Holz Schmidt AG", kind="supplier_bill")
    index = Index([one, two], payees={IBAN_A: {B}})
    proposals = Matcher(index).propose(tx("-100.00", "Lieferung", None, IBAN_A))
    assert len(proposals) == 2
    assert not any(p.auto for p in proposals)


def test_a_short_payment_reference_names_nothing() -> None:
    bill = item("LR-1", "80.00", B, "Holz Schmidt AG", kind="supplier_bill")
    bill.payment_reference = "KD 12"
    assert not Index([bill]).by_reference
    bill.payment_reference = "Kunde 4711-0815"
    hits = Index([bill]).hits("Zahlung KUNDE 47110815 Danke", ("supplier_bill",))
    assert hits[bill.id].code == "bill_reference"
