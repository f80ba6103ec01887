"""Permission aliases for invoices."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

InvoicesRead = Annotated[Principal, Depends(require("invoices", "read"))]
InvoicesWrite = Annotated[Principal, Depends(require("invoices", "write"))]
InvoicesDelete = Annotated[Principal, Depends(require("invoices", "delete"))]
