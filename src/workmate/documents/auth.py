"""Permission aliases of the documents module (each route names one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.uploads import Upload, upload_permission

DocumentsRead = Annotated[Principal, Depends(require("documents", "read"))]
DocumentsWrite = Annotated[Principal, Depends(require("documents", "write"))]
DocumentsDelete = Annotated[Principal, Depends(require("documents", "delete"))]

# The module whose read permission a linked object needs (employees: or the employee self).
LINK_MODULE_PERMISSION = {
    "customer": "crm",
    "project": "projects",
    "invoice": "invoices",
    "employee": "employees",
    "expense": "expenses",
}


def readable_links(who: Principal) -> list[str]:
    """The kinds of linked objects whose module the caller may read."""
    return [kind for kind, module in LINK_MODULE_PERMISSION.items() if who.can(module, "read")]


def may_link(who: Principal, kind: str, target: object) -> bool:
    return kind in readable_links(who) or (kind == "employee" and target == who.employee_id)


# Upload routes: no connection or row lock while the body streams (workmate.uploads).
DocumentsUpload = Annotated[
    Upload, Depends(upload_permission("documents", "write"), scope="function")
]
