"""The README's command-line block is true: it names only commands and options the parser
has, and every command the parser has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from entrypoints.cli import parser

README = Path(__file__).resolve().parents[2] / "README.md"


def _block() -> list[str]:
    """The lines of the fenced block under `## Command line`."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Command line\n", 1)[1]
    found = re.search(r"```\n(.*?)```", section, re.S)
    assert found, "no fenced block under ## Command line"
    return found[1].splitlines()


def _commands(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every command, a nested one as `token create`."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub)
                found.update({f"{name} {n}": s for n, s in nested.items()} or {name: sub})
    return found


def _documented() -> dict[str, set[str]]:
    """Command → the options the block shows it with (the shared remark line included)."""
    commands = _commands(parser())
    shown: dict[str, set[str]] = {}
    for line in _block():
        usage = line.split("#", 1)[0]
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage))
        remark = re.match(r"\s*\(([a-z, ]+) also take (.*)\)", usage)
        if remark:  # "(timeline, kronieken, search, history also take --server URL …)"
            for name in re.findall(r"[a-z-]+", remark[1].replace(" also", "")):
                shown.setdefault(name, set()).update(options)
            continue
        words = usage.split()
        assert words and words[0] == "wijkarchief", f"not a command line: {line!r}"
        name = " ".join(words[1:3]) if " ".join(words[1:3]) in commands else words[1]
        shown.setdefault(name, set()).update(options)
    return shown


def test_every_command_and_option_in_the_readme_exists() -> None:
    commands = _commands(parser())
    shown = _documented()
    assert "timeline" in shown and "--as-of" in shown["timeline"]  # the block was read
    for name, options in shown.items():
        assert name in commands, f"README names `wijkarchief {name}`, which does not exist"
        missing = options - set(commands[name]._option_string_actions)
        assert not missing, f"README shows `{name}` with {sorted(missing)}, which it lacks"


def test_every_command_of_the_parser_is_in_the_readme() -> None:
    assert sorted(_commands(parser())) == sorted(_documented())
