"""What changed in a record since a stale sign-off was given.

A stale sign-off's digest names the content its signer saw; git has that content, in some earlier version
of the record. The version whose canonical digest equals the sign-off's is found (the newest first, at most
:data:`MAX_VERSIONS` looked at), and the covered keys that differ from today's are listed, so a page can say
"changed since signing: flags[0].rollout.production" instead of only "stale".

Reading is bounded and never fails a build: outside a git work tree, with a shallow history, or when no
version matches, the answer is None and the page says the content is not in the history.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import UsageError
from .gitutil import git, prefix_in_repository, show_bytes, toplevel
from .loader import MAX_BYTES, load_bytes
from .signoffs import canonical_content, digest_of

#: Earlier versions of a record looked at for the signed content.
MAX_VERSIONS = 32
#: Changed keys named; the rest are counted.
MAX_NAMED = 8

_MISSING = object()


@lru_cache(maxsize=256)  # a digest's content never changes: one history walk per stale sign-off and build
def signed_data(root: Path, file: str, digest: str) -> Any | None:
    """The record ``file`` (relative to ``root``) as it was when a sign-off with ``digest`` was given."""
    try:
        top = toplevel(root)
        prefix = prefix_in_repository(root)
        path = file if str(prefix) == "." else (prefix / file).as_posix()
        revs = git(top, "log", f"--max-count={MAX_VERSIONS}", "--format=%H", "--", path, check=False).split()
    except (UsageError, OSError, ValueError):
        return None
    for rev in revs:
        data = show_bytes(top, rev, path, MAX_BYTES)
        if data is None:
            continue
        doc, _ = load_bytes(data, file)
        if doc is not None and digest_of(doc.data) == digest:
            return doc.data
    return None


def changed_keys(signed: Any, now: Any) -> list[str]:
    """The covered keys whose values differ (``flags[0].rollout.production``), at most :data:`MAX_NAMED`
    and then "and N more"."""
    out: list[str] = []
    _diff(canonical_content(signed), canonical_content(now), "", out)
    return out[:MAX_NAMED] + ([f"and {len(out) - MAX_NAMED} more"] if len(out) > MAX_NAMED else [])


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            x, y = a.get(key, _MISSING), b.get(key, _MISSING)
            if x != y:
                _diff(x, y, f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                _diff(x, y, f"{path}[{i}]", out)
    else:
        out.append(path or "(the whole record)")
