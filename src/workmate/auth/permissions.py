"""The permission vocabulary: every module and the actions it knows, in one place.

A role's `permissions` JSON maps a module to a list of its actions, e.g.
{"crm": ["read", "write"], "admin_panel": ["access"]}. Anything not listed is denied.

Actions:
- read / write / delete: the usual, on the module's objects the caller may see.
- manage: act on other employees' objects where a module is personal by default
  (time entries, reminders, dashboards); without it an employee sees only their own.
- confidential: read confidential documents of other owners.
- access: enter an area (admin_panel: employees' roles, departments, settings, audit log).
- submit: hand in received invoices and receipts (purchases); without read, see only one's own.
- approve: decide for the employees of the departments one leads (worktime: absences,
  months, break deductions); with manage, for everyone.
- configure: the company's rules of a module (worktime: settings, locking months).
- system: operations (background jobs, backups, metrics); Admin only by default.
"""

from __future__ import annotations

from typing import Any

MODULES: dict[str, tuple[str, ...]] = {
    "crm": ("read", "write", "delete"),
    "projects": ("read", "write", "delete"),
    "time_entries": ("read", "write", "delete", "manage"),
    "invoices": ("read", "write", "delete"),
    "payments": ("read", "write", "delete"),
    # Bank accounts, statement import, matching (write: import, confirm; delete: undo a match).
    "banking": ("read", "write", "delete"),
    "expenses": ("read", "write", "delete"),
    "purchases": ("read", "write", "delete", "submit"),
    "documents": ("read", "write", "delete", "confidential"),
    "reminders": ("read", "write", "delete", "manage"),
    "dashboards": ("read", "write", "manage"),
    "chat": ("read", "write"),
    "employees": ("read", "write", "delete"),
    "reports": ("read",),
    "admin_panel": ("access",),
    "worktime": ("read", "write", "approve", "manage", "configure"),
    # Operations: background jobs (read: look; write: retry), backups, metrics.
    "system": ("read", "write"),
}


def everything() -> dict[str, list[str]]:
    return {module: list(actions) for module, actions in MODULES.items()}


# The spec's three seed roles. The spec's example JSON is the floor; each role gets what it
# needs to do its job in the whole system (e.g. an Employee must read and write their own
# time, reminders and dashboard).
SEED_ROLES: dict[str, dict[str, list[str]]] = {
    "Admin": everything(),
    "Manager": {
        "crm": ["read", "write"],
        "projects": ["read", "write"],
        "time_entries": ["read", "write", "manage"],
        "invoices": ["read", "write"],
        "payments": ["read", "write"],
        "banking": ["read", "write"],
        "expenses": ["read", "write"],
        "purchases": ["read", "write", "submit"],
        "documents": ["read", "write"],
        "reminders": ["read", "write", "delete"],
        "dashboards": ["read", "write"],
        "chat": ["read", "write"],
        "employees": ["read"],
        "reports": ["read"],
        "worktime": ["read", "write", "approve"],
    },
    "Employee": {
        "crm": ["read"],
        "projects": ["read"],
        "time_entries": ["read", "write", "delete"],
        "purchases": ["submit"],
        "documents": ["read", "write"],
        "reminders": ["read", "write", "delete"],
        "dashboards": ["read", "write"],
        "chat": ["read", "write"],
        "worktime": ["read", "write"],
    },
}

SEED_DEPARTMENTS = ("Sales", "Development", "Management")


class PermissionError_(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def validate_permissions(data: Any) -> dict[str, list[str]]:
    """Check a role's JSON against the vocabulary; return it normalised (sorted, no dupes)."""
    if not isinstance(data, dict):
        raise PermissionError_("permissions must be an object of module -> actions", "permissions")
    result: dict[str, list[str]] = {}
    for module, actions in data.items():
        field = f"permissions.{module}"
        if module not in MODULES:
            known = ", ".join(MODULES)
            raise PermissionError_(f"unknown module {module!r}; known: {known}", field)
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise PermissionError_(f"{module} must be a list of action names", field)
        unknown = sorted(set(actions) - set(MODULES[module]))
        if unknown:
            allowed = ", ".join(MODULES[module])
            raise PermissionError_(
                f"unknown action {unknown[0]!r} for {module}; allowed: {allowed}", field
            )
        if actions:
            result[module] = sorted(set(actions), key=MODULES[module].index)
    return result


def allows(permissions: dict[str, Any], module: str, action: str) -> bool:
    actions = permissions.get(module)
    return isinstance(actions, list) and action in actions
