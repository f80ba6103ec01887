"""Permission aliases for customers and contacts (module "crm")."""

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

CrmRead = Annotated[Principal, Depends(require("crm", "read"))]
CrmWrite = Annotated[Principal, Depends(require("crm", "write"))]
CrmDelete = Annotated[Principal, Depends(require("crm", "delete"))]
