"""HTML and JSON views of the participation app; they call :mod:`..actions` to change data."""
