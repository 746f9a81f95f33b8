"""Statement excerpts for messages (positions live in :mod:`fes_docs.positions`)."""

from __future__ import annotations


def clip(text: str, limit: int = 200) -> str:
    """One-line excerpt of a statement for messages: whitespace folded, long text cut with an ellipsis."""
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"
