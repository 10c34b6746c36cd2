"""Database backends of the portal."""
