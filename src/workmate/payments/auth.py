"""Permission aliases for payments."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

PaymentsRead = Annotated[Principal, Depends(require("payments", "read"))]
PaymentsWrite = Annotated[Principal, Depends(require("payments", "write"))]
PaymentsDelete = Annotated[Principal, Depends(require("payments", "delete"))]
