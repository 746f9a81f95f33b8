"""``fes-docs render``: write the site's pages as Markdown files, for any generator (Zensical, TechDocs …).

The same pages the MkDocs plugin serves from memory, written to ``--out``. Writing is atomic per file
and skips files whose content is unchanged, so a watching generator only rebuilds what changed.
Stale pages of releases that no longer exist are not deleted: render into a folder of its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import write_text
from ..check import check_project
from ..errors import UsageError
from ..project import RELEASES_DIR, load_project
from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "render", help="write the runbooks, rollback pages and dashboard as Markdown files (and releases.json)"
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write the pages into (created if missing), e.g. docs/releases",
    )
    add_root(p)
    p.add_argument(
        "--releases-dir",
        default=RELEASES_DIR,
        metavar="DIR",
        help="folder of the records and policy.yaml, relative to the root (default: releases)",
    )
    p.add_argument("--strict-warnings", action="store_true", help="warnings fail the run too (exit 1)")
    p.set_defaults(run=run)


def write_pages(out: Path, pages: dict[str, str]) -> int:
    """Write ``pages`` under ``out``; returns how many files changed."""
    changed = 0
    for rel_path, text in sorted(pages.items()):
        target = out / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        write_text(target, text)
        changed += 1
    return changed


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    out: Path = args.out
    try:
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} exists and is not a folder")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise UsageError(f"--out {str(out)[:200]} cannot be used: {exc.strerror or exc}") from None
    from ..render import site_files  # start-up: each subcommand imports its core on use (issue 14)

    result = check_project(load_project(root, releases_dir=args.releases_dir))
    pages = site_files(result)
    try:
        changed = write_pages(out, pages)
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    for f in result.errors:
        print(f"{f.loc.file}:{f.loc.line}:{f.loc.column}: error {f.rule} {f.message}", file=sys.stderr)
    print(
        f"fes-docs: wrote {len(pages)} pages to {out} ({changed} changed); "
        f"{len(result.errors)} error(s), {len(result.warnings)} warning(s)",
        file=sys.stderr,
    )
    return result.exit_code(args.strict_warnings)
