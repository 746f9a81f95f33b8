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
    try:
        if root.is_dir():
            return root.resolve()
    except (OSError, RuntimeError) as exc:  # a name too long, a symbolic link loop
        raise UsageError(f"--root {str(root)[:200]} cannot be used: {getattr(exc, 'strerror', None) or exc}") from None
    raise UsageError(f"--root {root} is not a directory")


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
