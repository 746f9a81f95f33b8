"""Sign-offs: the right people signed the record as it stands."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Release
from ..project import Project
from . import Hit, release_rule


@release_rule(
    "FES701",
    "Sign-off by the role's owner",
    "§8",
    hint="the person signing must be the one named under `owners:` for that role",
    integrity=True,
)
def signed_by_owner(project: Project, rel: Release) -> Iterator[Hit]:
    """Each sign-off's `by` is the owner of its `role`; anyone else's signature is not the owner's approval."""
    for s in rel.signoffs:
        if s.role is None or s.by is None:
            continue
        owner = rel.owners.get(s.role)
        if owner is None:
            yield Hit(rel.loc(*s.path, "role"), f"sign-off for role {s.role!r}, which has no owner in this release")
        elif owner != s.by:
            yield Hit(rel.loc(*s.path, "by"), f"{s.role} sign-off by {s.by!r}, but the {s.role} owner is {owner!r}")


@release_rule(
    "FES702",
    "Every owner role signed",
    "§8",
    hint="ask the missing owners to sign (`fes-docs sign RELEASE --role ROLE --by NAME`)",
    integrity=True,
)
def all_roles_signed(project: Project, rel: Release) -> Iterator[Hit]:
    """From `approved` on, every owner role of the policy has signed; the rollback owner is named, not asked."""
    if not rel.from_approved:
        return
    signed = {s.role for s in rel.signoffs}
    missing = [r for r in project.policy.owner_roles if r not in signed]
    if missing:
        where = rel.missing_loc("signoffs")
        commands = "; ".join(
            f"`fes-docs sign {rel.key} --role {r} --by {rel.owners.get(r) or 'NAME'}`" for r in missing
        )
        yield Hit(
            where,
            f"release is {rel.status} but {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} not signed off",
            hint=f"ask the missing owners to sign: {commands}",
        )
