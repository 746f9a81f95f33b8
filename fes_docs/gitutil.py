"""The little git the tool needs, via the git command line (no library: CI images all have git)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import UsageError


def git(root: Path, *args: str, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    if check and proc.returncode != 0:
        raise UsageError(f"git {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:] or ['?']}")
    return proc.stdout


def toplevel(root: Path) -> Path:
    return Path(git(root, "rev-parse", "--show-toplevel").strip())


def changed_files(root: Path, base: str) -> set[str]:
    """Files changed between ``base`` and the working tree (committed or not), relative to ``root``."""
    top = toplevel(root)
    git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    names = git(root, "diff", "--name-only", "--no-renames", base, "--").splitlines()
    names += git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    out = set()
    for name in names:
        path = top / name
        try:
            out.add(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    return out
