"""Backup and restore of a whole company (database and stored files): see archive.py."""
