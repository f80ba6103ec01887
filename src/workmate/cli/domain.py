"""Domain commands, registered on the main app; each domain owns its cli.py."""

from __future__ import annotations

import typer

from workmate.banking import cli as banking
from workmate.customers import cli as customers
from workmate.employees import cli as employees
from workmate.exports import cli as exports
from workmate.invoices import cli as invoices
from workmate.reminders import cli as reminders
from workmate.time_entries import cli as time_entries

GROUPS = (
    ("admin", employees.app),
    ("customers", customers.app),
    ("reminders", reminders.app),
    ("timers", time_entries.app),
    ("invoices", invoices.app),
    ("export", exports.app),
    ("bank", banking.app),
)


def register(app: typer.Typer) -> None:
    for name, group in GROUPS:
        app.add_typer(group, name=name)
