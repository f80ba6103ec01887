"""Workmate: backoffice and CRM for small companies."""

__version__ = "0.1.0"
