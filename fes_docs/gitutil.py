"""The little git the tool needs, via the git command line (no library: CI images all have git).

Every file name git hands over is read NUL-separated (``-z``): without it git C-quotes names with
non-ASCII bytes, quotes, backslashes or newlines, and a gate that parsed those lines would silently miss
the very files an attacker named that way. Names are decoded like the names ``os.scandir`` gives the
rest of the tool (:func:`os.fsdecode`), so a changed file compares equal to the file a finding names.
Text output (blame, commit messages) is decoded as UTF-8 with replacement: a commit with a name in
another encoding must not crash the gate.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from .errors import UsageError


def git_bytes(root: Path, *args: str, check: bool = True) -> bytes:
    """``git args`` run in ``root``; its raw standard output (raises UsageError when ``check`` and it fails)."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise UsageError(f"git {' '.join(args)} failed: {err}")
    return proc.stdout


def git(root: Path, *args: str, check: bool = True) -> str:
    """``git args`` run in ``root``; its standard output as text."""
    return git_bytes(root, *args, check=check).decode("utf-8", "replace")


def git_names(root: Path, *args: str) -> list[str]:
    """The NUL-separated file names a ``-z`` git command prints, decoded as the file system does."""
    return [os.fsdecode(name) for name in git_bytes(root, *args).split(b"\0") if name]


_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(name: str) -> str:
    """A path as git prints it where no ``-z`` exists (``git blame``'s ``previous``): C-quoted in double
    quotes when it holds quotes, backslashes, control or non-ASCII bytes, else verbatim."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 >= len(body):
            out += c.encode("utf-8", "surrogateescape")
            i += 1
        elif body[i + 1] in _C_ESCAPES:
            out.append(_C_ESCAPES[body[i + 1]])
            i += 2
        elif body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out += c.encode()
            i += 1
    return os.fsdecode(bytes(out))


def toplevel(root: Path) -> Path:
    return Path(git(root, "rev-parse", "--show-toplevel").strip())


def prefix_in_repository(root: Path) -> PurePosixPath:
    """``root`` relative to its repository's top level (``.`` at the top); git's names are relative to that."""
    try:
        return PurePosixPath(root.resolve().relative_to(toplevel(root).resolve()).as_posix())
    except ValueError:
        raise UsageError(f"{root} is not inside its git repository's work tree") from None


def changed_files(root: Path, base: str) -> set[str]:
    """Files changed between ``base`` and the working tree (committed, staged, unstaged or untracked),
    relative to ``root``; a renamed file is there under both names (the old one deleted, the new one new)."""
    git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    prefix = prefix_in_repository(root)
    names = git_names(root, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, "--")
    names += git_names(root, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
    out = set()
    for name in names:  # git's names: relative to the top level, `/`-separated, never `..`
        path = PurePosixPath(name)
        if prefix == PurePosixPath("."):
            out.add(path.as_posix())
        elif path.is_relative_to(prefix):
            out.add(path.relative_to(prefix).as_posix())
    return out


def show_bytes(root: Path, rev: str, path: str, max_bytes: int) -> bytes | None:
    """The blob at ``rev:path`` (``path`` relative to the top level), or None if absent or over ``max_bytes``."""
    spec = f"{rev}:{path}"
    size = git(root, "cat-file", "-s", spec, check=False).strip()
    if not size.isdigit() or int(size) > max_bytes:
        return None
    data = git_bytes(root, "cat-file", "blob", spec, check=False)
    return data if data or size == "0" else None
