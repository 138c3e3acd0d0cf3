"""Every CLI command (and, once the web app exists, every route) is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from defcoop.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _command_names() -> set[str]:
    group = typer.main.get_group(app)
    names: set[str] = set()
    for name, cmd in group.commands.items():
        names.add(name)
        sub = getattr(cmd, "commands", None)
        if sub:
            names.update(f"{name} {s}" for s in sub)
    return names


def test_every_command_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    documented = set(re.findall(r"^#+\s+`defcoop ([a-z][a-z -]*?)`", doc, flags=re.M))
    missing = _command_names() - documented
    assert not missing, f"commands without a section in docs/cli.md: {sorted(missing)}"


def test_every_command_has_help():
    group = typer.main.get_group(app)
    for name, cmd in group.commands.items():
        assert (cmd.help or "").strip(), f"`defcoop {name}` has no help text"
