"""Sign-offs bound to content: a signature approves the record as it was signed, not as it is now.

The digest, what it covers and the states live in :mod:`fes_docs.signoffs`; FES706 (who committed the sign-off)
needs git, so ``validate --verify-git`` emits it and it is only catalogued here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model import Release
from ..project import Project
from ..signoffs import FES706_HINT, signoff_states
from . import Hit, emitted_rule, release_rule


def _command(rel: Release, role: str | None, by: str | None) -> str:
    return f"`fes-docs sign {rel.key} --role {role or 'ROLE'} --by {by or 'NAME'}`"


def _who(role: str | None, by: str | None) -> str:
    return f"{role or '?'} sign-off by {by or '?'}"


@release_rule(
    "FES704",
    "Sign-off bound to the content",
    "§8",
    severity="warning",
    hint="sign with `fes-docs sign RELEASE --role ROLE --by NAME`: it records a digest of the "
    "record, so the sign-off expires when the record changes",
    integrity=True,
)
def unbound_signoff(project: Project, rel: Release) -> Iterator[Hit]:
    """A sign-off without a `digest` is accepted, but nothing tells whether the record changed after it."""
    for st in signoff_states(rel):
        if st.state == "unbound":
            s = st.signoff
            yield Hit(
                rel.loc(*s.path),
                f"{_who(s.role, s.by)} is not bound to the content (no digest)",
                hint=f"re-sign it so it expires when the record changes: {_command(rel, s.role, s.by)}",
            )


@release_rule(
    "FES705",
    "Sign-off is current",
    "§8",
    hint="review the change, then re-sign: `fes-docs sign RELEASE --role ROLE --by NAME`",
    integrity=True,
)
def stale_signoff(project: Project, rel: Release) -> Iterator[Hit]:
    """A sign-off's digest matches the record as it stands; stale is an error from `approved` on."""
    severity: Severity | None = None if rel.from_approved else "warning"
    for st in signoff_states(rel):
        s = st.signoff
        if st.state == "stale":
            since = f" since {s.date}" if s.date else ""
            yield Hit(
                rel.loc(*s.path, "digest"),
                f"{_who(s.role, s.by)} is stale{since}: the record has changed in substance after it was signed",
                severity=severity,
                hint=f"review what changed (`fes-docs diff`), then re-sign: {_command(rel, s.role, s.by)}",
            )
        elif st.state == "malformed":
            yield Hit(
                rel.loc(*s.path, "digest"),
                f"{_who(s.role, s.by)} has a digest fes-docs did not write ({s.digest!r}), so it proves nothing",
                severity=severity,
            )


emitted_rule(
    "FES706",
    "Sign-off committed by its signer",
    "§8",
    "With `validate --verify-git`, every commit that last changed a line of a sign-off entry (its role, "
    "by, date and digest alike) was authored by one of the signer's addresses under the policy's `people:`.",
    hint=FES706_HINT,
)
