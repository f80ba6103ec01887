"""Permission aliases for exports: the tax advisor's files are reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

ReportsRead = Annotated[Principal, Depends(require("reports", "read"))]
