"""Permission aliases for reminders; personal unless the caller holds reminders.manage."""

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

RemindersRead = Annotated[Principal, Depends(require("reminders", "read"))]
RemindersWrite = Annotated[Principal, Depends(require("reminders", "write"))]
RemindersDelete = Annotated[Principal, Depends(require("reminders", "delete"))]


def sees_all(who: Principal) -> bool:
    return who.can("reminders", "manage")
