"""Small factory functions, one module per domain: make_x(db, **overrides)."""
