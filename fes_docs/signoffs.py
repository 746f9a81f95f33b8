"""Sign-off state: whether a sign-off still approves the record as it stands — the one definition.

`validate` (FES704/FES705), the dashboard, the runbook, `releases.json` and `fes-docs diff` all ask
:func:`signoff_states` / :func:`role_state`; none of them decides on its own what "signed" means, so a
page can never show "✓ signed" for a sign-off the gate calls stale.

**The digest.** A sign-off approves the record *as it was signed*. ``fes-docs sign`` writes
``digest: sha256:<hex>``: SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8) of the
parsed record with these parts left out:

* ``signoffs`` — the signatures cannot cover themselves, and one owner signing must not
  invalidate the others;
* ``status`` — the lifecycle moves *because of* the sign-offs (planned → approved → released);
  if it counted, approving a release would make its approval stale;
* ``incidents`` and each migration's pinned ``checksum`` — history written after the release went
  out; both have their own rules (§6.6, pinned checksum), and a released record must not turn red
  because someone recorded what happened;
* ``progress`` — the rollout as it happens (``fes-docs gate --record``): recording that staging is done
  must not unsign the record the production gate then asks to be signed.

Everything else counts, **waivers included**: a waiver accepts a risk on the owners' behalf, so one
added after they signed must be signed again. So do the **baseline entries** naming the record
(``Release.baseline``, :mod:`fes_docs.baseline`): they accept its findings as they are. With any, the
digest is over ``{"record": <canonical content>, "baseline": <the entries, sorted>}``; without, over the
canonical content alone, so every digest signed before baselines existed stays bound. Comments, quoting,
key order and layout do not count (the digest is over parsed data), so reformatting never makes a sign-off
stale.

**States.** A sign-off is ``bound`` (its digest is the record's), ``stale`` (a digest of another
content), ``malformed`` (not a digest fes-docs writes) or ``unbound`` (no digest). A role is one of those,
or ``missing`` (no sign-off, and the record's status needs one), or — for display only, never in
``releases.json`` — ``not required yet`` (before `approved`) and ``not required`` (cancelled, or the
rollback owner, who is named but not asked to sign).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .model import ROLLBACK_ROLE, Release, SignOff

EXCLUDED_KEYS = ("signoffs", "status", "incidents", "progress")
DIGEST_PREFIX = "sha256:"
SignState = Literal["bound", "unbound", "stale", "malformed"]
FES706_HINT = (
    "the signer commits their own sign-off: ask them to run `fes-docs sign` and commit it; "
    "if the address is theirs, add it under `people:` in the policy"
)


# --- the digest -------------------------------------------------------------------------------


def canonical_content(data: Any) -> Any:
    """The part of a record a sign-off covers (see the module docstring for what is left out and why)."""
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in EXCLUDED_KEYS}
    migrations = out.get("migrations")
    if isinstance(migrations, list):  # a new list: the record's own data is never modified
        out["migrations"] = [
            {k: v for k, v in m.items() if k != "checksum"} if isinstance(m, dict) else m for m in migrations
        ]
    return out


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(data: Any, baseline: Sequence[Any] = ()) -> str:
    """What the digest hashes: the canonical content, with the baseline entries naming the record if any."""
    content = canonical_content(data)
    if not baseline:
        return _json(content)
    return _json({"record": content, "baseline": sorted(baseline, key=_json)})


def digest_of(data: Any, baseline: Sequence[Any] = ()) -> str:
    """``sha256:<hex>`` of a parsed record's canonical form (and of the baseline entries naming it)."""
    return DIGEST_PREFIX + hashlib.sha256(canonical_json(data, baseline).encode("utf-8")).hexdigest()


def release_digest(rel: Release) -> str:
    """Computed once per loaded record: several rules and the pages ask for it."""
    cached = rel.extra.get("digest")
    if not isinstance(cached, str):
        cached = rel.extra["digest"] = digest_of(rel.doc.data, rel.baseline)
    return cached


_WELL_FORMED = re.compile(re.escape(DIGEST_PREFIX) + "[0-9a-f]{64}")


def _well_formed(digest: str) -> bool:
    """A digest fes-docs writes: the prefix and 64 lower-case hex digits (asked per sign-off, twice a run)."""
    return _WELL_FORMED.fullmatch(digest) is not None


@dataclass(frozen=True)
class SignOffState:
    """Whether one sign-off still approves the record as it stands."""

    signoff: SignOff
    state: SignState
    current: str  # the record's digest now

    @property
    def stale_since(self) -> str | None:
        """The sign-off date: the record was as signed then, and has changed in substance since."""
        return self.signoff.date if self.state == "stale" else None


def signoff_states(rel: Release) -> list[SignOffState]:
    current = release_digest(rel)
    out = []
    for s in rel.signoffs:
        state: SignState
        if not s.digest:
            state = "unbound"
        elif not _well_formed(s.digest):
            state = "malformed"
        else:
            state = "bound" if s.digest == current else "stale"
        out.append(SignOffState(s, state, current))
    return out


RoleState = Literal["bound", "unbound", "stale", "malformed", "missing"]
DisplayState = RoleState | Literal["not required yet", "not required"]
#: The published values (``releases.json``), in the order a legend lists them.
ROLE_STATES: tuple[RoleState, ...] = ("bound", "unbound", "stale", "malformed", "missing")
NOT_YET: Literal["not required yet"] = "not required yet"
NOT_REQUIRED: Literal["not required"] = "not required"


def role_states(roles: list[str], rel: Release) -> dict[str, RoleState]:
    """Per owner role, the state of its sign-off (the best one, if a role signed twice) or ``missing``."""
    rank = {"bound": 0, "unbound": 1, "stale": 2, "malformed": 3, "missing": 4}
    states: dict[str, RoleState] = {r: "missing" for r in roles}
    for st in signoff_states(rel):
        role = st.signoff.role
        if role is None or (role not in states and role != ROLLBACK_ROLE):
            continue
        if rank[st.state] < rank[states.get(role, "missing")]:
            states[role] = st.state
    return states


def role_state(rel: Release, role: str) -> DisplayState:
    """One role's state as a page shows it: the published state, or why no sign-off is asked for."""
    state = role_states([role], rel)[role]
    if state != "missing":
        return state
    if rel.cancelled or role == ROLLBACK_ROLE:
        return NOT_REQUIRED
    return "missing" if rel.from_approved else NOT_YET
