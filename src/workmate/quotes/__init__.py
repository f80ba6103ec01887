"""Quotes (Angebote): their own number series, accept/decline/expire, and billing them as an
invoice, down-payment invoices and a final invoice that deducts the down payments."""
