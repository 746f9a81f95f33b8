"""``fes-docs rules``: the rule catalogue, as text or Markdown."""

from __future__ import annotations

import argparse

from ..catalogue import catalogue_markdown, catalogue_text


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="print the rule catalogue")
    p.add_argument("--format", choices=["text", "markdown"], default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(catalogue_markdown() if args.format == "markdown" else catalogue_text(), end="")
    return 0
