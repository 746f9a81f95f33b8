"""Options several subcommands share."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError


def add_root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=Path("."), metavar="DIR",
                   help="project root (holds releases/policy.yaml); default: current directory")


def root_of(args: argparse.Namespace) -> Path:
    root: Path = args.root
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    return root.resolve()


def write_out(text: str, out: Path | None) -> None:
    if out is None:
        import sys
        sys.stdout.write(text)
        return
    from ..atomic import write_text
    write_text(out, text)
