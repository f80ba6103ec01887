"""Permission aliases for invoice documents: reading an invoice includes its documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

InvoicesRead = Annotated[Principal, Depends(require("invoices", "read"))]
