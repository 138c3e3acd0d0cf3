"""Readers: files on disk -> ``Document`` (decoded text + metadata). Owned by the read stage."""
