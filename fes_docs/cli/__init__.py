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

from .. import __version__
from ..errors import FesDocsError
from . import api_diff, baseline, codeowners, diff, dryrun, gate, init, new, render, rules, schema, sign, validate

COMMANDS = (validate, baseline, init, new, sign, gate, diff, api_diff, codeowners, rules, schema, dryrun, render)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line and exit 2, instead of argparse's usage dump."""
        self.exit(2, f"fes-docs: usage error: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fes-docs", description="Release records checked against the FES migration and rollback guide.")
    p.add_argument("--version", action="version", version=f"fes-docs {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        module.add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
