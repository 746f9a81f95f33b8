"""The ``fes-docs`` command: a thin argparse shell, one module per subcommand (as towncrier does).

Each subcommand module has ``add(subparsers)`` and ``run(args) -> int``; the core does the work.
Exit codes are a contract: 0 clean, 1 errors found, 2 usage error or missing/unreadable policy. A bug
that escapes a subcommand is one line on stderr and exit 2, never a traceback (issue 11, invariant 10).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from .. import __version__
from ..errors import FesDocsError

#: Each subcommand, as typed, and its module, in the order ``--help`` lists them. A run imports only the module of
#: its own subcommand (each imports its core): importing every subcommand's cost each run a tenth of a second.
COMMANDS = {
    "validate": "validate",
    "baseline": "baseline",
    "init": "init",
    "new": "new",
    "sign": "sign",
    "gate": "gate",
    "diff": "diff",
    "api-diff": "api_diff",
    "codeowners": "codeowners",
    "rules": "rules",
    "schema": "schema",
    "dry-run": "dryrun",
    "render": "render",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line and exit 2, instead of argparse's usage dump."""
        self.exit(2, f"fes-docs: usage error: {message} (see --help)\n")


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command``, only that subcommand is registered (and its module imported)."""
    p = _Parser(prog="fes-docs", description="Release records checked against the FES migration and rollback guide.")
    p.add_argument("--version", action="version", version=f"fes-docs {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module in COMMANDS.items():
        if command is None or name == command:
            import_module(f"{__name__}.{module}").add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)  # the only top-level option is --version
    args = parser(command if command in COMMANDS else None).parse_args(words)
    try:
        code: int = args.run(args)
    except FesDocsError as exc:
        print(f"fes-docs: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fes-docs: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the last net: a bug is one line and exit 2, never a traceback
        if os.environ.get("FES_DOCS_TRACEBACK"):
            raise
        print(
            f"fes-docs: internal error: {type(exc).__name__}: {str(exc)[:300]} "
            "(a bug in fes-docs; please report it; FES_DOCS_TRACEBACK=1 shows where)",
            file=sys.stderr,
        )
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
