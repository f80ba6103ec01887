"""HTTP routes for dashboards (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from workmate.dashboards.auth import DashboardsManage, DashboardsRead, DashboardsWrite
from workmate.dashboards.schemas import DashboardRead, DashboardUpdate, WidgetData, WidgetInfo
from workmate.dashboards.service import dashboard_service
from workmate.db import SessionDep

router = APIRouter(prefix="/dashboards", tags=["dashboards"])


@router.get("/me", response_model=DashboardRead)
async def get_my_dashboard(who: DashboardsRead, db: SessionDep) -> DashboardRead:
    """The caller's dashboard; the role's default layout while none is saved."""
    return await dashboard_service.get(db, who)


@router.put("/me", response_model=DashboardRead)
async def save_my_dashboard(
    data: DashboardUpdate, who: DashboardsWrite, db: SessionDep
) -> DashboardRead:
    """Save the caller's layout (known widgets, 12-column grid, no overlaps) and theme."""
    return await dashboard_service.save(db, who, data)


@router.get("/widgets", response_model=list[WidgetInfo])
async def list_widgets(who: DashboardsRead) -> list[WidgetInfo]:
    """The widgets the caller's role may show."""
    return dashboard_service.available(who)


@router.get("/widgets/{widget_id}", response_model=WidgetData)
async def widget_data(widget_id: str, who: DashboardsRead, db: SessionDep) -> WidgetData:
    """One widget's data for the caller (403 if the role may not read the widget's module)."""
    return await dashboard_service.widget(db, who, widget_id)


@router.get("/{employee_id}", response_model=DashboardRead)
async def get_dashboard(
    employee_id: uuid.UUID, who: DashboardsManage, db: SessionDep
) -> DashboardRead:
    """Another employee's dashboard (dashboards.manage)."""
    return await dashboard_service.get(db, who, employee_id)


@router.put("/{employee_id}", response_model=DashboardRead)
async def save_dashboard(
    employee_id: uuid.UUID, data: DashboardUpdate, who: DashboardsManage, db: SessionDep
) -> DashboardRead:
    """Save another employee's dashboard (dashboards.manage), checked against their role."""
    return await dashboard_service.save(db, who, data, employee_id)
