"""The runbook's "API changes" section: the breaking changes the release declares (``api: breaking:``).

On the runbook because the people who deploy and the people on call need what API consumers were
told: which endpoint breaks, how, why it is accepted, and whether the consumers know. Empty (no
section) when the release declares none.
"""

from __future__ import annotations

from ..model import Release
from .blocks import page, table
from .escape import inline_code, link, md_escape


def api_changes(rel: Release) -> str:
    if not rel.api_breaking:
        return ""
    rows = []
    for entry in rel.api_breaking:
        notified = {True: "yes", False: "**no**", None: "—"}[entry.consumers_notified]
        rows.append(
            [
                inline_code(entry.endpoint or "?"),
                inline_code(entry.change or "?"),
                md_escape(entry.reason or ""),
                notified,
            ]
        )
    return page(
        "## API changes (§3.3)",
        "Breaking changes this release makes to the API, as declared; `fes-docs validate --changed-since` checks "
        f"them against the spec in the pull request ({link('API change rules', '../rules.md#api-change-rules')}).",
        table(["Endpoint", "Change", "Why it is accepted", "Consumers notified"], rows),
    )
