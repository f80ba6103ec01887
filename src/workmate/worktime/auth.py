"""Permissions of the working-time routes (module `worktime`, see auth/permissions.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

WorkRead = Annotated[Principal, Depends(require("worktime", "read"))]
WorkWrite = Annotated[Principal, Depends(require("worktime", "write"))]
WorkApprove = Annotated[Principal, Depends(require("worktime", "approve"))]
WorkManage = Annotated[Principal, Depends(require("worktime", "manage"))]
WorkConfigure = Annotated[Principal, Depends(require("worktime", "configure"))]
