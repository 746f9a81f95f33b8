"""``fes-docs api-diff BASE [HEAD]``: what changed in the API between two specs, and whether it breaks
clients (exit 1 when a change is breaking, or when a spec cannot be read; 2 for usage errors).

BASE and HEAD are git revisions (HEAD defaults to the working tree; the spec is the policy's
``openapi:`` unless ``--spec`` names another), or two spec files. A file named on the command line is
read from the project when it lies inside it (``$ref``\\ s then stay inside the project), else from
its own folder (``$ref``\\ s then stay inside that folder).
"""

from __future__ import annotations

import argparse
import gc
from datetime import date
from pathlib import Path

from ..apidiff import diff_sides, git_reader, load_side
from ..apidiff.resolve import Side
from ..apireport import REPORTS
from ..errors import UsageError
from ..gitutil import git
from .common import add_root, root_of, write_out


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("api-diff", help="API changes between two OpenAPI specs, breaking ones first (exit 1)")
    p.add_argument("base", metavar="BASE", help="git revision (e.g. origin/main) or a spec file")
    p.add_argument("head", metavar="HEAD", nargs="?", help="git revision or spec file (default: the working tree)")
    add_root(p)
    p.add_argument("--spec", metavar="PATH", help="the spec inside the project (default: the policy's openapi:)")
    p.add_argument("--format", choices=sorted(REPORTS), default="text")
    p.add_argument("--output", "-o", type=Path, help="write the report to a file instead of stdout")
    p.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" for sunset dates in tests
    p.set_defaults(run=run)


def _today(text: str | None) -> date:
    if text is None:
        return date.today()
    from ..dates import parse_date

    found = parse_date(text)
    if found is None:
        raise UsageError(f"--today {text[:40]!r} is not a YYYY-MM-DD date")
    return found


def _file_side(which: str, root: Path, file: Path) -> Side:
    target = file.resolve()
    try:
        rel = target.relative_to(root).as_posix()
        base = root
    except ValueError:
        rel, base = target.name, target.parent
    return load_side("base" if which == "base" else "head", base, rel, str(file))


def _revision(root: Path, rev: str) -> None:
    if not _is_revision(root, rev):
        raise UsageError(f"unknown git revision {rev!r} (and no such file)")


def _ambiguous(root: Path, name: str | None) -> None:
    """Refuse a name that is both a file and a git revision, as git does: a pull request could commit files
    named ``main`` and ``HEAD``, and ``api-diff main HEAD`` would compare those instead of the revisions."""
    if name is not None and Path(name).is_file() and _is_revision(root, name):
        raise UsageError(
            f"{name!r} is both a file and a git revision; write ./{name} for the file or {name}^{{commit}} "
            "for the revision"
        )


def _is_revision(root: Path, rev: str) -> bool:
    return bool(git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip())


def sides(args: argparse.Namespace, root: Path) -> tuple[Side, Side]:
    for name in (args.base, args.head):
        _ambiguous(root, name)
    if Path(args.base).is_file():
        if args.head is None or not Path(args.head).is_file():
            raise UsageError("BASE is a file, so HEAD must be a spec file too")
        return _file_side("base", root, Path(args.base)), _file_side("head", root, Path(args.head))
    from ..project import load_policy, openapi_at  # here: the project layer (its SQL parser, ...) costs 0.1 s

    rel = args.spec or load_policy(root)[0].openapi
    _revision(root, args.base)
    # without --spec, each revision's own policy says where its spec is (a pull request may move it)
    base_rel = args.spec or openapi_at(root, args.base) or rel
    if args.head is not None:
        _revision(root, args.head)
        rel = args.spec or openapi_at(root, args.head) or rel
    if not rel or not base_rel:
        raise UsageError("the policy names no openapi: spec; pass --spec PATH")
    base = load_side("base", root, base_rel, args.base, git_reader(root, args.base))
    if args.head is None:
        return base, load_side("head", root, rel, "the working tree")
    return base, load_side("head", root, rel, args.head, git_reader(root, args.head))


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    today = _today(args.today)
    # Two parsed specs are a few hundred thousand containers in trees, which the cyclic garbage collector
    # would walk again and again while they are built and compared (a tenth of the run, for nothing: a
    # tree holds no cycle). This short process collects once it is done with them.
    gc.disable()
    try:
        base, head = sides(args, root)
        report = diff_sides(base, head, today)
    finally:
        gc.enable()
    write_out(REPORTS[args.format](report), args.output)
    return 0 if report.passed else 1
