"""Permissions of the jobs routes: `system.read` to look, `system.write` to retry."""

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

SystemRead = Annotated[Principal, Depends(require("system", "read"))]
SystemWrite = Annotated[Principal, Depends(require("system", "write"))]
