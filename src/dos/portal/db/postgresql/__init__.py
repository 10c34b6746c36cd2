"""PostgreSQL backend keeping the portal in its own schema (see base.py)."""
