"""The widgets a dashboard can hold, the permission each needs, and the layout rules.

A layout is `{"widgets": [{"id", "x", "y", "w", "h"}, ...]}` on a 12-column grid: integers,
inside the grid, at least one cell large, each widget at most once, no two overlapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workmate.errors import Invalid

COLUMNS = 12
# Deep enough for every widget stacked at its tallest; keeps stored layouts small.
MAX_ROWS = 200
MAX_HEIGHT = 24
PLACEMENT_KEYS = frozenset({"id", "x", "y", "w", "h"})


@dataclass(frozen=True, slots=True)
class Widget:
    id: str
    title: str
    module: str  # the permission module whose `read` the widget's data needs
    w: int  # default size
    h: int


WIDGETS: dict[str, Widget] = {
    w.id: w
    for w in (
        Widget("crm-stats", "Kunden", "crm", 4, 2),
        Widget("my-timer", "Laufender Timer", "time_entries", 4, 2),
        Widget("my-hours-week", "Meine Stunden diese Woche", "time_entries", 4, 3),
        Widget("my-reminders", "Meine Erinnerungen", "reminders", 4, 4),
        Widget("receivables", "Offene Posten", "invoices", 4, 2),
        Widget("revenue-month", "Umsatz pro Monat", "invoices", 8, 4),
        Widget("expenses-category", "Ausgaben nach Kategorie", "expenses", 4, 4),
        Widget("recent-customers", "Neue Kunden", "crm", 6, 4),
        Widget("project-timeline", "Projekte", "projects", 6, 4),
    )
}

Can = Callable[[str, str], bool]


def usable(can: Can) -> list[Widget]:
    """The widgets whose data the holder of these permissions may read, in display order."""
    return [w for w in WIDGETS.values() if can(w.module, "read")]


def default_layout(can: Can) -> dict[str, Any]:
    """Every usable widget at its default size, packed row by row (so never overlapping);
    the role's permissions decide which widgets appear."""
    placed: list[dict[str, int | str]] = []
    x = y = row_height = 0
    for widget in usable(can):
        if x + widget.w > COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        placed.append({"id": widget.id, "x": x, "y": y, "w": widget.w, "h": widget.h})
        x += widget.w
        row_height = max(row_height, widget.h)
    return {"widgets": placed}


def visible_layout(layout: dict[str, Any], can: Can) -> dict[str, Any]:
    """A stored layout without widgets the owner may no longer use (their role changed)."""
    widgets = layout.get("widgets") if isinstance(layout, dict) else None
    if not isinstance(widgets, list):
        return {"widgets": []}
    keep = {w.id for w in usable(can)}
    return {"widgets": [w for w in widgets if isinstance(w, dict) and w.get("id") in keep]}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_layout(layout: Any, can: Can) -> dict[str, Any]:
    """The layout, normalised, or Invalid (422) naming the offending widget."""
    base = "layout_json"
    if not isinstance(layout, dict) or set(layout) != {"widgets"}:
        raise Invalid('layout_json must be {"widgets": [...]}', field=base)
    widgets = layout["widgets"]
    if not isinstance(widgets, list):
        raise Invalid("layout_json.widgets must be a list", field=f"{base}.widgets")
    placed: list[dict[str, Any]] = []
    for index, item in enumerate(widgets):
        field = f"{base}.widgets.{index}"
        if not isinstance(item, dict):
            raise Invalid(f"widget {index} must be an object with id, x, y, w, h", field=field)
        wid = item.get("id")
        name = f"widget {wid!r}" if isinstance(wid, str) else f"widget {index}"
        if set(item) != PLACEMENT_KEYS:
            raise Invalid(f"{name} needs exactly the keys id, x, y, w, h", field=field)
        if not isinstance(wid, str) or wid not in WIDGETS:
            known = ", ".join(WIDGETS)
            raise Invalid(f"{name} is not a known widget; known: {known}", field=f"{field}.id")
        for key in ("x", "y", "w", "h"):
            if not _is_int(item[key]):
                raise Invalid(f"{name}: {key} must be an integer", field=f"{field}.{key}")
        x, y, w, h = item["x"], item["y"], item["w"], item["h"]
        if w < 1 or h < 1:
            key = "w" if w < 1 else "h"
            raise Invalid(f"{name}: w and h must be at least 1", field=f"{field}.{key}")
        if x < 0 or y < 0:
            key = "x" if x < 0 else "y"
            raise Invalid(f"{name}: x and y cannot be negative", field=f"{field}.{key}")
        if x + w > COLUMNS:
            raise Invalid(
                f"{name} reaches column {x + w}, beyond the {COLUMNS}-column grid", field=field
            )
        if h > MAX_HEIGHT or y + h > MAX_ROWS:
            raise Invalid(f"{name} is too tall or too low on the page", field=field)
        if any(p["id"] == wid for p in placed):
            raise Invalid(f"{name} appears twice", field=f"{field}.id")
        widget = WIDGETS[wid]
        if not can(widget.module, "read"):
            module = widget.module.replace("_", " ")
            raise Invalid(
                f"{name} shows {module} data, which this role may not read", field=f"{field}.id"
            )
        for other in placed:
            if (
                x < other["x"] + other["w"]
                and other["x"] < x + w
                and y < other["y"] + other["h"]
                and other["y"] < y + h
            ):
                raise Invalid(f"{name} overlaps widget {other['id']!r}", field=field)
        placed.append({"id": wid, "x": x, "y": y, "w": w, "h": h})
    return {"widgets": placed}
