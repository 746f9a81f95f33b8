"""The real artefacts: the Flyway folder (names, versions, checksums) and the OpenAPI spec."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from ..findings import Loc
from ..legacy import history
from ..model import MigrationRef, Release, deploy_order
from ..project import Project
from ..proving import evidence_file
from ..sql.flyway import parse_name, version_key
from . import Hit, project_rule, release_rule
from .flyway import looks_like_a_migration


@project_rule(
    "FES316",
    "Artefact paths stay inside the project",
    "tool",
    hint="use a path relative to the project root, without `..` leaving it",
)
def paths_inside(project: Project) -> Iterator[Hit]:
    """The policy's migrations folder and every path a record names stay inside the project; nothing outside is read."""
    folder = project.policy.migrations_dir
    if folder and project.inside(folder) is None:
        yield Hit(project.policy_loc("migrations_dir"), f"migrations_dir {folder!r} points outside the project")
    for rel in project.releases:
        for ref in rel.migrations:
            if ref.file and (".." in ref.file.split("/") or ref.file.startswith("/")):
                yield Hit(rel.loc(*ref.path, "file"), f"{ref.file!r} leaves the migrations folder", release=rel.key)
        for b in rel.backfills:
            if b.sql and project.inside(b.sql) is None:
                yield Hit(
                    rel.loc(*b.path, "sql"), f"backfill script {b.sql!r} points outside the project", release=rel.key
                )
        for item in rel.checklist:  # an evidence file outside is never read: the item must not count as evidenced
            cited = evidence_file(item.evidence)
            if cited is not None and project.inside(cited) is None:
                yield Hit(
                    rel.loc(*item.path, "evidence"),
                    f"evidence file {cited!r} points outside the project; it is not read",
                    release=rel.key,
                )


@release_rule(
    "FES310", "Listed migrations exist", "Flyway", hint="check the file name against the policy's migrations_dir"
)
def listed_exists(project: Project, rel: Release) -> Iterator[Hit]:
    """Every migration a release lists exists in the policy's `migrations_dir`."""
    index = project.migrations
    for ref in rel.migrations:
        if not ref.file or ".." in ref.file.split("/") or ref.file.startswith("/"):
            continue  # FES316 reports paths leaving the folder
        if parse_name(ref.file.rsplit("/", 1)[-1]).kind and index.get(ref.file) is None:
            where = f"in {index.folder}" if index.exists else f"({index.folder} does not exist)"
            yield Hit(rel.loc(*ref.path, "file"), f"migration {ref.file} not found {where}")


@release_rule(
    "FES311",
    "Flyway file names",
    "Flyway",
    hint="name versioned migrations V<version>__<description>.sql (R__ repeatable, U undo)",
)
def flyway_name(project: Project, rel: Release) -> Iterator[Hit]:
    """Listed files follow Flyway's naming, or Flyway would silently skip them."""
    for ref in rel.migrations:
        if ref.file:
            parsed = parse_name(ref.file.rsplit("/", 1)[-1])
            if parsed.kind is None:
                yield Hit(rel.loc(*ref.path, "file"), f"{ref.file}: {parsed.problem}")


@project_rule("FES312", "Unique Flyway versions", "Flyway", hint="give each migration its own version")
def unique_versions(project: Project) -> Iterator[Hit]:
    """Versions are unique across the folder (numerically: 1.0 and 1 are the same version)."""
    index = project.migrations
    seen: dict[tuple[tuple[int, ...], str], str] = {}
    for name, mf in sorted(index.files.items()):
        if mf.name.version is None or mf.name.kind is None:
            continue
        key = (version_key(mf.name.version), mf.name.kind)
        if key in seen:
            claims = index.claims.get(name, [])
            loc = claims[0].release.loc(*claims[0].ref.path, "file") if claims else Loc(index.file_label(name))
            # the other file too (where its record lists it): a change to either of them caused this
            first = index.claims.get(seen[key], [])
            yield Hit(
                loc,
                f"{name} has the same version {mf.name.version_text} as {seen[key]}",
                release=claims[0].release.key if claims else None,
                related=(
                    first[0].release.loc(*first[0].ref.path, "file") if first else Loc(index.file_label(seen[key])),
                ),
            )
        else:
            seen[key] = name


@project_rule(
    "FES313",
    "Versions rise with release order",
    "Flyway",
    hint="renumber the migration above every version released before it",
)
def versions_rise(project: Project) -> Iterator[Hit]:
    """The versions a release adds are greater than those of every release before it (by window start, then
    id). A clash is reported in the release that breaks the order, not in those that keep it: the largest
    set of releases whose versions rise is kept (approved and later ones first), so a new release that
    jumps the queue is reported in its own record, never in the settled ones it clashes with."""
    index = project.migrations
    order: list[_Shipped] = []
    for rel in deploy_order(project.releases):
        mine = [(v, ref) for ref in rel.migrations if ref.file and (v := index.version_of(ref.file)) is not None]
        if mine:
            order.append(_Shipped.of(rel, mine))
    kept = _rising(order)
    chain = sorted(kept)
    for i, item in enumerate(order):
        if i in kept:
            continue
        at = bisect_left(chain, i)
        before = order[chain[at - 1]] if at > 0 else None
        after = order[chain[at]] if at < len(chain) else None
        for v, ref in item.versions:
            if before is not None and v <= before.highest[0]:
                other = before.highest[1]
                yield Hit(
                    item.rel.loc(*ref.path, "file"),
                    f"{ref.file} is not above {other.file} of the earlier release {before.rel.key}",
                    release=item.rel.key,
                    related=(before.rel.loc(*other.path, "file"),),
                )
            elif after is not None and v >= after.lowest[0]:
                other = after.lowest[1]
                yield Hit(
                    item.rel.loc(*ref.path, "file"),
                    f"{ref.file} is not below {other.file} of {after.rel.key}, which deploys after this release",
                    hint="renumber the migration below every version of the releases deploying after this one, "
                    "or move this release's window after theirs",
                    release=item.rel.key,
                    related=(after.rel.loc(*other.path, "file"),),
                )


@dataclass(frozen=True)
class _Shipped:
    """A release in deploy order with the Flyway versions it ships (its lowest and highest kept at hand:
    every clash asks for them)."""

    rel: Release
    versions: list[tuple[tuple[int, ...], MigrationRef]]
    lowest: tuple[tuple[int, ...], MigrationRef]
    highest: tuple[tuple[int, ...], MigrationRef]

    @classmethod
    def of(cls, rel: Release, versions: list[tuple[tuple[int, ...], MigrationRef]]) -> _Shipped:
        return cls(rel, versions, min(versions, key=lambda t: t[0]), max(versions, key=lambda t: t[0]))


def _rising(order: list[_Shipped]) -> set[int]:
    """Positions of the heaviest chain of releases whose versions all rise (each one's lowest above the
    previous one's highest); weight: approved-or-later releases first, then the count. Ties keep the earlier
    releases. O(n log n) (a Fenwick tree of the best chain ending at or below each version), so a project
    of many records costs no more than sorting them."""
    keys = sorted({t[0] for item in order for t in (item.lowest, item.highest)})
    size = len(keys)
    tree: list[tuple[int, int, int]] = [(0, 0, 1)] * (size + 1)  # (approved, count, -position); -1: none
    best: list[tuple[int, int, int]] = []
    previous: list[int] = []
    for i, item in enumerate(order):
        q, found = bisect_left(keys, item.lowest[0]), (0, 0, 1)  # chains ending strictly below my lowest
        while q > 0:
            found = max(found, tree[q])
            q -= q & -q
        previous.append(-found[2] if found[2] <= 0 else -1)
        mine = (found[0] + item.rel.from_approved, found[1] + 1, -i)
        best.append(mine)
        u = bisect_left(keys, item.highest[0]) + 1
        while u <= size:
            tree[u] = max(tree[u], mine)
            u += u & -u
    kept: set[int] = set()
    at = -max(best)[2] if best else -1
    while at >= 0:
        kept.add(at)
        at = previous[at]
    return kept


@project_rule(
    "FES314",
    "Every migration belongs to a release",
    "Flyway",
    "warning",
    hint="list the file under `migrations:` of the release that ships it",
)
def orphans(project: Project) -> Iterator[Hit]:
    """A migration file that no release claims (undo files count as claimed with their version; callbacks are
    Flyway's event scripts, not migrations; history, at or below `adopted_at_version`, needs no release). A ``.sql``
    file that is no Flyway name at all is said to be ignored by Flyway: an error when it looks like a migration
    misnamed, a warning otherwise."""
    index = project.migrations
    claimed_versions = {index.version_of(n) for n in index.claims}
    past = history(project)  # applied before fes-docs: no release will ever list them
    for name, mf in sorted(index.files.items()):
        if name in index.claims or mf.name.kind == "callback" or name in past:
            continue
        if mf.name.kind is None:
            yield Hit(
                Loc(index.file_label(name)),
                f"{name}: {mf.name.problem}",
                severity="error" if looks_like_a_migration(name) else "warning",
                hint="rename it as Flyway names migrations if it should run; else move it out of migrations_dir "
                "(Flyway scans the folder and everything under it)",
            )
            continue
        version = mf.name.version
        if mf.name.kind == "undo" and version is not None and version_key(version) in claimed_versions:
            continue
        yield Hit(Loc(index.file_label(name)), f"{name} is not listed by any release")


@release_rule(
    "FES315",
    "Released migrations are not edited",
    "Flyway",
    hint="never edit an applied migration: add a new versioned migration instead",
)
def pinned_checksum(project: Project, rel: Release) -> Iterator[Hit]:
    """A pinned `checksum:` equals the file's Flyway checksum; Flyway's own validate would fail in production."""
    for ref in rel.migrations:
        actual = project.migrations.checksum(ref.file)
        if ref.checksum is not None and actual is not None and ref.checksum != actual:
            yield Hit(
                rel.loc(*ref.path, "checksum"),
                f"{ref.file} changed since it was released: checksum {actual}, pinned {ref.checksum}",
            )


@project_rule("FES801", "OpenAPI spec valid", "§3.3", hint="fix the spec so openapi-spec-validator accepts it")
def spec_valid(project: Project) -> Iterator[Hit]:
    """The policy's OpenAPI spec exists and is a valid OpenAPI 2.0/3.0/3.1 document (`openapi: null`: the service
    has none, and no release may list endpoints)."""
    if project.policy.openapi is None:
        return
    spec = project.spec
    if not spec.exists:
        yield Hit(project.policy_loc("openapi"), f"OpenAPI spec {spec.file} does not exist")
        return
    for p in spec.problems:
        yield Hit(Loc(p.file, p.line, p.column, p.pointer), p.message, severity=p.severity)


@release_rule(
    "FES802",
    "Endpoints exist in the OpenAPI spec",
    "§3.3, §7.3",
    hint="document the operation in the OpenAPI spec (CI fails when OpenAPI is missing)",
)
def endpoints_documented(project: Project, rel: Release) -> Iterator[Hit]:
    """Each endpoint a release lists (`METHOD /path/{param}`) exists in the spec; parameter names may differ."""
    if not rel.endpoints:
        return
    from ..openapi import parse_endpoint  # start-up: loads the spec validator; only records with endpoints pay

    if project.policy.openapi is None:
        yield Hit(
            rel.loc("endpoints"), "this release lists endpoints but the policy names no OpenAPI spec (openapi: null)"
        )
        return
    spec = project.spec
    if not spec.exists or not spec.valid:
        state = "missing" if not spec.exists else "invalid"
        yield Hit(rel.loc("endpoints"), f"this release lists endpoints but the OpenAPI spec {spec.file} is {state}")
        return
    for text, path in rel.endpoints:
        parsed = parse_endpoint(text)
        if parsed is None:
            continue  # the schema reports the format
        if spec.find(*parsed) is None:
            close = spec.suggest(*parsed)
            yield Hit(
                rel.loc(*path),
                f"{text} is not in {spec.file}" + (f"; closest: {close.method} {close.path}" if close else ""),
            )


@release_rule(
    "FES803",
    "Docs-updated tick matches the spec",
    "§3.3",
    hint="untick openapi-docs-updated, or add the missing operations to the spec",
)
def docs_tick_honest(project: Project, rel: Release) -> Iterator[Hit]:
    """`openapi-docs-updated` may be done only when every endpoint of the release is in a valid spec."""
    item = rel.checklist_item("openapi-docs-updated")
    if item is None or not item.done or not rel.endpoints:
        return
    from ..openapi import parse_endpoint  # start-up: loads the spec validator; only records with endpoints pay

    spec = project.spec
    missing = [
        t
        for t, _ in rel.endpoints
        if not spec.valid or ((p := parse_endpoint(t)) is not None and spec.find(*p) is None)
    ]
    if missing:
        yield Hit(
            rel.loc(*item.path, "done"),
            f"openapi-docs-updated is ticked but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not in the spec",
        )
