"""Random secrets for sessions and tokens; only their SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "wm_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_token() -> str:
    """A personal API token: recognisable prefix + 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    # A fast hash is right here: the secret has 256 bits of entropy, nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()
