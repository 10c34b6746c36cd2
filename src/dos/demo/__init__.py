"""The demo region: Dortmund and Schwerte, loaded by ``dos demo`` (idempotent)."""
