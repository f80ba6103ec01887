"""Permission aliases for projects."""

from typing import Annotated

from fastapi import Depends

from workmate.auth.deps import require
from workmate.auth.principal import Principal

ProjectsRead = Annotated[Principal, Depends(require("projects", "read"))]
ProjectsWrite = Annotated[Principal, Depends(require("projects", "write"))]
ProjectsDelete = Annotated[Principal, Depends(require("projects", "delete"))]
