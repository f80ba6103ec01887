"""Permission aliases of the dashboards module (each route names one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

DashboardsRead = Annotated[Principal, Depends(require("dashboards", "read"))]
DashboardsWrite = Annotated[Principal, Depends(require("dashboards", "write"))]
DashboardsManage = Annotated[Principal, Depends(require("dashboards", "manage"))]
