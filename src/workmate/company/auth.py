"""Permission aliases for company settings: everyone who reads invoices may read the seller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

SettingsRead = Annotated[Principal, Depends(require("invoices", "read"))]
SettingsWrite = Annotated[Principal, Depends(require("admin_panel", "access"))]
