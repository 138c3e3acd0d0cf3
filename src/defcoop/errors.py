"""Errors with a one-line message that names the file and the reason."""

from __future__ import annotations


class DefcoopError(Exception):
    """Base class: the CLI prints ``str(err)`` on one line and exits non-zero."""


class ReadError(DefcoopError):
    """A file could not be read: unsupported, corrupt, empty, too large, undecodable."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(DefcoopError):
    """The store refused an operation (bad URL, failed migration, stale edit...)."""
