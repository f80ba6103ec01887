"""Permissions of the organisation routes.

Reading the organisation needs employees.read; changing employees employees.write/delete;
departments and roles shape everyone's rights and are an admin area (admin_panel.access).
"""

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

EmployeesRead = Annotated[Principal, Depends(require("employees", "read"))]
EmployeesWrite = Annotated[Principal, Depends(require("employees", "write"))]
EmployeesDelete = Annotated[Principal, Depends(require("employees", "delete"))]
OrgAdmin = Annotated[Principal, Depends(require("admin_panel", "access"))]
