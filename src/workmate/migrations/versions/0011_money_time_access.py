"""Fixes of issue 13 (money, time, access).

- invoice_lines.chosen_vat_rate: the rate the user chose survives any switch of the invoice's
  VAT treatment; vat_rate stays the effective rate (the chosen one on a regular invoice, else
  0). Existing lines get their stored rate as the chosen one (a rate already lost by a switch
  cannot be recovered). A line written without a chosen rate takes its vat_rate (trigger), and
  an invoice is issued only when every line's rate follows its treatment.
- Line discounts by EN 16931: allowance = round(gross x percent), net = gross - allowance
  (gross = round(quantity x price)). A trigger refuses any other net on an invoice's line
  (credit notes copy their original's lines as issued); draft lines are recomputed, with
  their drafts' totals. Issued invoices stay as issued.
- A time entry billed on a draft cannot change or be deleted (only its invoice_id may: binding,
  and unbinding when the draft is deleted), so the draft never disagrees with its entries.

Revision ID: 0011
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHOSEN_RATE_DEFAULT = """
CREATE FUNCTION wm_invoice_line_chosen_rate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.chosen_vat_rate := COALESCE(NEW.chosen_vat_rate, NEW.vat_rate);
    RETURN NEW;
END $$;
---
CREATE TRIGGER wm_invoice_line_chosen_rate BEFORE INSERT ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION wm_invoice_line_chosen_rate();
"""

# Issuing freezes the lines: their effective rate must follow the treatment at that moment.
ISSUE_RATES = """
CREATE FUNCTION wm_invoice_issue_rates() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad integer;
BEGIN
    SELECT position INTO bad FROM invoice_lines
     WHERE invoice_id = NEW.id
       AND vat_rate <> CASE WHEN NEW.vat_treatment = 'regular' THEN chosen_vat_rate ELSE 0 END
     ORDER BY position LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % carries a VAT rate that does not follow the treatment %',
            bad, NEW.vat_treatment USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
---
CREATE TRIGGER wm_invoice_issue_rates BEFORE UPDATE OF status ON invoices
    FOR EACH ROW WHEN (OLD.status = 'draft' AND NEW.status <> 'draft')
    EXECUTE FUNCTION wm_invoice_issue_rates();
"""

NET = (
    "round(quantity * unit_price, 2)"
    " - round(round(quantity * unit_price, 2) * discount_percent / 100, 2)"
)

LINE_NET = f"""
CREATE FUNCTION wm_invoice_line_net() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    expected numeric;
BEGIN
    expected := (SELECT {NET} FROM (SELECT NEW.quantity AS quantity,
                 NEW.unit_price AS unit_price, NEW.discount_percent AS discount_percent) l);
    IF NEW.net_amount <> expected
       AND (SELECT kind FROM invoices WHERE id = NEW.invoice_id) = 'invoice' THEN
        RAISE EXCEPTION 'line %: net amount must be % (quantity x price less the rounded '
            'discount)', NEW.position, expected USING ERRCODE = 'WM422';
    END IF;
    RETURN NEW;
END $$;
---
CREATE TRIGGER wm_invoice_line_net BEFORE INSERT OR UPDATE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION wm_invoice_line_net();
"""

DRAFT_ENTRY_GUARD = """
CREATE FUNCTION wm_time_entry_draft_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.invoice_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM invoices WHERE id = OLD.invoice_id AND status = 'draft')
       AND (TG_OP = 'DELETE'
            OR to_jsonb(NEW) - '{invoice_id,updated_at,duration}'::text[]
               IS DISTINCT FROM to_jsonb(OLD) - '{invoice_id,updated_at,duration}'::text[]) THEN
        RAISE EXCEPTION 'time entry is billed on draft invoice %; delete that draft to change '
            'the entry, then bill it again', OLD.invoice_id USING ERRCODE = 'WM409';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
---
CREATE TRIGGER wm_time_entry_draft_guard BEFORE UPDATE OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION wm_time_entry_draft_guard();
"""


def upgrade() -> None:
    _chosen_vat_rate()
    _line_net()
    _run(DRAFT_ENTRY_GUARD)


def downgrade() -> None:
    op.execute("DROP TRIGGER wm_time_entry_draft_guard ON time_entries")
    op.execute("DROP FUNCTION wm_time_entry_draft_guard()")
    op.execute("DROP TRIGGER wm_invoice_line_net ON invoice_lines")
    op.execute("DROP FUNCTION wm_invoice_line_net()")
    op.execute("DROP TRIGGER wm_invoice_issue_rates ON invoices")
    op.execute("DROP FUNCTION wm_invoice_issue_rates()")
    op.execute("DROP TRIGGER wm_invoice_line_chosen_rate ON invoice_lines")
    op.execute("DROP FUNCTION wm_invoice_line_chosen_rate()")
    op.drop_constraint(op.f("ck_invoice_lines_effective_vat_rate"), "invoice_lines", type_="check")
    op.drop_constraint(op.f("ck_invoice_lines_chosen_vat_rate"), "invoice_lines", type_="check")
    op.drop_column("invoice_lines", "chosen_vat_rate")


def _chosen_vat_rate() -> None:
    op.add_column("invoice_lines", sa.Column("chosen_vat_rate", sa.Numeric(precision=5, scale=2)))
    # Lines of issued invoices are frozen by a trigger; filling the new column is no change
    # of what was issued, so the user triggers are off for this one statement.
    op.execute("ALTER TABLE invoice_lines DISABLE TRIGGER USER")
    op.execute("UPDATE invoice_lines SET chosen_vat_rate = vat_rate")
    op.execute("ALTER TABLE invoice_lines ENABLE TRIGGER USER")
    op.alter_column("invoice_lines", "chosen_vat_rate", nullable=False)
    op.create_check_constraint(
        op.f("ck_invoice_lines_chosen_vat_rate"), "invoice_lines", "chosen_vat_rate IN (0, 7, 19)"
    )
    op.create_check_constraint(
        op.f("ck_invoice_lines_effective_vat_rate"),
        "invoice_lines",
        "vat_rate = chosen_vat_rate OR vat_rate = 0",
    )
    _run(CHOSEN_RATE_DEFAULT, ISSUE_RATES)


def _line_net() -> None:
    # Draft lines with the old arithmetic get the new net, their drafts new totals.
    op.execute(
        f"""UPDATE invoice_lines l SET net_amount = {NET}
              FROM invoices i
             WHERE i.id = l.invoice_id AND i.status = 'draft'"""
    )
    op.execute(
        """UPDATE invoices i SET net_total = t.net, tax_total = t.tax, total = t.net + t.tax
             FROM (SELECT invoice_id, sum(net) AS net, sum(tax) AS tax
                     FROM (SELECT invoice_id, sum(net_amount) AS net,
                                  round(sum(net_amount) * vat_rate / 100, 2) AS tax
                             FROM invoice_lines GROUP BY invoice_id, vat_rate) r
                    GROUP BY invoice_id) t
            WHERE i.id = t.invoice_id AND i.status = 'draft'"""
    )
    _run(LINE_NET)


def _run(*scripts: str) -> None:
    for script in scripts:
        for statement in script.split("---"):
            op.execute(statement)
