"""Permissions of the time-entry routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

TimeRead = Annotated[Principal, Depends(require("time_entries", "read"))]
TimeWrite = Annotated[Principal, Depends(require("time_entries", "write"))]
TimeDelete = Annotated[Principal, Depends(require("time_entries", "delete"))]
TimeManage = Annotated[Principal, Depends(require("time_entries", "manage"))]
