"""Options several subcommands share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import write_text
from ..errors import UsageError


def add_root(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="project root (holds releases/policy.yaml); default: current directory",
    )


def root_of(args: argparse.Namespace) -> Path:
    root: Path = args.root
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    return root.resolve()


def write_out(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    write_file(out, text)


def write_file(out: Path, text: str) -> None:
    """An output file the user asked for: parent folders created, written atomically, errors in one line."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text(out, text)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
