"""Folder names of release pages and the wording shared by the pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fes_docs.check import Result
from fes_docs.render.context import MISSING, SIGNED, Site, slugify
from fes_docs.signoffs import NOT_YET, release_digest, signoff_states


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("2026-03-phase-2-pdf-lifecycle", "2026-03-phase-2-pdf-lifecycle"),
        ("Release 4.2 (hotfix)", "release-4.2-hotfix"),
        ("../../etc/passwd", "etc-passwd"),
        ("...", "release"),
        ("<script>", "script"),
        ("ÜBER#1?x=y", "ber-1-x-y"),
    ],
)
def test_slugify(key: str, slug: str) -> None:
    assert slugify(key) == slug


@given(st.text())
def test_slug_is_always_a_safe_relative_folder_name(key: str) -> None:
    slug = slugify(key)
    assert slug and not slug.startswith(".") and slug not in ("..", ".")
    assert all((c.isascii() and c.isalnum()) or c in "-_." for c in slug)


def test_each_release_gets_a_distinct_folder(hostile_result: Result) -> None:
    site = Site(hostile_result)
    assert len(set(site.slugs.values())) == len(site.releases)
    assert "flags" not in site.slugs.values()


def test_signoff_states(project_result: Result) -> None:
    site = Site(project_result)
    by_id = {r.key: r for r in site.releases}
    alpha = by_id["2026-01-alpha"]
    # The page's state is validate's: bound only when the digest matches the record as it stands.
    expected = {st.signoff.role: st.state for st in signoff_states(alpha)}["product"]
    assert site.signoff_state(alpha, "product") == expected
    assert (expected == SIGNED) == any(
        s.role == "product" and s.digest == release_digest(alpha) for s in alpha.signoffs
    )
    assert site.signoff_state(by_id["2026-03-gamma"], "product") == MISSING
    assert site.signoff_state(by_id["2026-02-beta"], "product") == NOT_YET
