"""Permission aliases for expenses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

ExpensesRead = Annotated[Principal, Depends(require("expenses", "read"))]
ExpensesWrite = Annotated[Principal, Depends(require("expenses", "write"))]
ExpensesDelete = Annotated[Principal, Depends(require("expenses", "delete"))]
