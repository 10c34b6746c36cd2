"""DOS — the Digital Operating System of a smart-city region."""

__version__ = "0.1.0"
