"""Permission aliases for banking. Booking and undoing go through payments, so they need the
payments permission as well as the banking one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.uploads import Upload, upload_permission

BankingRead = Annotated[Principal, Depends(require("banking", "read"))]
BankingWrite = Annotated[Principal, Depends(require("banking", "write"))]
BankingDelete = Annotated[Principal, Depends(require("banking", "delete"))]
PaymentsWrite = Annotated[Principal, Depends(require("payments", "write"))]
PaymentsDelete = Annotated[Principal, Depends(require("payments", "delete"))]
InvoicesRead = Annotated[Principal, Depends(require("invoices", "read"))]
CrmRead = Annotated[Principal, Depends(require("crm", "read"))]
# Upload routes: no connection or row lock while the body streams (workmate.uploads).
BankingUpload = Annotated[Upload, Depends(upload_permission("banking", "write"), scope="function")]
