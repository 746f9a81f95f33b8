"""Declared API changes (``api: breaking:``): the record's side of the pull request's API gate.

The gate itself (FES840, FES841) needs the base revision, so it runs in ``validate --changed-since``
(:mod:`fes_docs.apigate`), not here; these entries catalogue it, so its findings can be looked up
like any other. What a record alone can be checked for runs here, on every ``validate``: that each
declaration names an endpoint and a change rule that exist, and that consumers were told before the
release is approved.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import did_you_mean
from ..model import Release
from ..project import Project
from . import Hit, emitted_rule, release_rule

emitted_rule(
    "FES840",
    "Breaking API changes are declared",
    "§3.3",
    "In a pull request (`validate --changed-since BASE`), every breaking change `fes-docs api-diff BASE` finds in "
    "the spec is declared under `api: breaking:` by a release record the pull request changes; located at the "
    "spec's line.",
    hint="declare it in the record of the release that ships it (api: breaking: [{endpoint, change, reason, "
    "consumers_notified}]), or make the change compatible",
)
emitted_rule(
    "FES841",
    "Docs-updated tick with undeclared API breaks",
    "§3.3",
    "`openapi-docs-updated` may not be ticked in a record the pull request changes while a breaking API change "
    "of the pull request is undeclared (FES840).",
    hint="declare the breaking changes (api: breaking:) first, then tick openapi-docs-updated",
)


@release_rule(
    "FES842",
    "API change declarations are well-formed",
    "§3.3",
    hint="name the change by its rule id or name as `fes-docs api-diff` prints it (e.g. FES851)",
)
def declarations(project: Project, rel: Release) -> Iterator[Hit]:
    """Each `api: breaking:` entry names a change rule that can break clients, and its consumers are notified
    (a warning before approval, an error from `approved` on)."""
    if not rel.api_breaking:
        return
    from ..apidiff import CHANGE_RULES, rule_named  # start-up: only records that declare API changes pay

    for entry in rel.api_breaking:
        if entry.change is not None:
            found = rule_named(entry.change)
            if found is None:
                names = [r.name for r in CHANGE_RULES.values()] + list(CHANGE_RULES)
                yield Hit(
                    rel.loc(*entry.path, "change"),
                    f"{entry.change[:80]!r} is no API change rule{did_you_mean(entry.change, names)}",
                )
            elif found.level == "info":
                yield Hit(
                    rel.loc(*entry.path, "change"),
                    f"{found.id} {found.name} is a compatible change: it needs no declaration",
                    severity="warning",
                )
        if entry.consumers_notified is False:
            yield Hit(
                rel.loc(*entry.path, "consumers_notified"),
                f"consumers of {entry.endpoint or 'this endpoint'} are not notified of this breaking change yet",
                severity="error" if rel.from_approved else "warning",
                hint="tell the API's consumers, then set consumers_notified: true",
            )
