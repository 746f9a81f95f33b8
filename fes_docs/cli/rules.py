"""``fes-docs rules``: the rule catalogue, as text or Markdown."""

from __future__ import annotations

import argparse

from ..catalogue import catalogue_markdown, catalogue_text, change_rules_markdown, change_rules_text


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="print the rule catalogue")
    p.add_argument("--format", choices=["text", "markdown"], default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        print(catalogue_markdown() + "\n## API change rules\n\n" + change_rules_markdown(), end="")
    else:
        print(catalogue_text() + change_rules_text(), end="")
    return 0
