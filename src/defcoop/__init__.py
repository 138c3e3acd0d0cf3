"""defcoop: defense cooperation and exchanges, from official texts to a verified record."""

__version__ = "0.1.0"
