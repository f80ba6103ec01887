"""The permission each purchases route needs (vocabulary: auth/permissions.py, `purchases`).

read: every received file, supplier, bill, the VAT figures and the archive; write: book,
type in, change and pay bills, manage suppliers; delete: undo a booking without payments;
submit: hand in received files and see one's own (an Employee's receipts).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.uploads import Upload, upload_permission

PurchasesRead = Annotated[Principal, Depends(require("purchases", "read"))]
PurchasesWrite = Annotated[Principal, Depends(require("purchases", "write"))]
PurchasesDelete = Annotated[Principal, Depends(require("purchases", "delete"))]
PurchasesSubmit = Annotated[Principal, Depends(require("purchases", "submit"))]
# Upload routes: no connection or row lock while the body streams (workmate.uploads).
PurchasesUpload = Annotated[
    Upload, Depends(upload_permission("purchases", "submit"), scope="function")
]
