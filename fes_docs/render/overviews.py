"""Cross-release pages: flags × environments, migrations, the rules reference, project-level findings."""

from __future__ import annotations

from ..catalogue import catalogue_markdown, change_rules_markdown, coverage_markdown
from ..summary import migrations_json
from .blocks import document, table
from .context import Site, rollout_text
from .escape import md_escape
from .findings import admonitions
from .timeline import timeline


def _release_link(site: Site, key: str) -> str:
    rel = site.by_key(key)
    return f"[{md_escape(key)}]({site.slug(rel)}/index.md)" if rel is not None else md_escape(key)


def flags(site: Site) -> str:
    envs = site.project.policy.environments
    policy_flags = site.project.policy.flags
    used = sorted({f.name for rel in site.releases for f in rel.flags if f.name and f.name not in policy_flags})
    blocks = [
        "How far each release rolls out each flag (§2), in promotion order. *off* means 0 %; "
        "production lists its incremental steps. The rollback page of each release has the lines "
        "that turn its flags off.",
        timeline(site),
    ]
    for name in [*policy_flags, *used]:
        title = f"## {md_escape(name)}" + (" (not in the policy)" if name not in policy_flags else "")
        rows = []
        for rel in site.releases:
            for flag in rel.flags:
                if flag.name == name:
                    rows.append(
                        [
                            _release_link(site, rel.key),
                            md_escape(rel.status or "?"),
                            *(rollout_text(flag, env, env == envs[-1]) for env in envs),
                        ]
                    )
        body = (
            table(["Release", "Status", *(md_escape(e) for e in envs)], rows)
            if rows
            else "No release rolls this flag out."
        )
        blocks += [title, body]
    return document("Feature flags", *blocks)


def migrations(site: Site) -> str:
    index = site.project.migrations
    rows = []
    past: list[list[str]] = []
    for m in migrations_json(site.project):
        if m["history"]:
            checksum = "" if m["checksum"] is None else str(m["checksum"])
            past.append([md_escape(m["version"] or ""), md_escape(m["file"]), md_escape(m["type"] or ""), checksum])
            continue
        releases = ", ".join(_release_link(site, k) for k in m["releases"]) or "**none**"
        rows.append(
            [
                md_escape(m["version"] or ""),
                md_escape(m["file"]),
                md_escape(m["type"] or "not a migration"),
                releases,
                md_escape(m["declared_change"] or ""),
                md_escape(m["sql_class"] or ""),
                "" if m["checksum"] is None else str(m["checksum"]),
            ]
        )
    folder = md_escape(index.folder or "(no migrations_dir in the policy)")
    after = " after the adoption point (the history is below)" if past else ""
    blocks = [
        f"Every file in {folder}{after}, in file-name order, with the release that claims it, the change it "
        "declares, the class its SQL shows and the checksum Flyway will record.",
        table(["Version", "File", "Type", "Release", "Declared change", "SQL class", "Checksum"], rows)
        if rows
        else "No migration files after the adoption point."
        if past
        else "No migration files found.",
    ]
    if past:
        blocks += _history(site, past)
    missing = sorted(name for name in index.claims if name not in index.files)
    if missing:
        blocks.append("## Listed but not found")
        blocks.append(
            table(
                ["File", "Listed by"],
                [
                    [md_escape(name), ", ".join(_release_link(site, c.release.key) for c in index.claims[name])]
                    for name in missing
                ],
            )
        )
    return document("Migrations", *blocks)


def _history(site: Site, rows: list[list[str]]) -> list[str]:
    """The section of migrations applied before fes-docs: what Flyway has recorded, nothing the guide judges."""
    point = md_escape(site.project.policy.adopted_at_version or "")
    return [
        "## History (before adoption)",
        f"{len(rows)} migration{'s' if len(rows) != 1 else ''} at or below `adopted_at_version` {point}, listed by "
        "no release, predate fes-docs. Only what Flyway itself checks applies to them (names, unique versions, "
        "placeholders, script configuration); the guide's rules do not. Each checksum is the one Flyway records "
        "in its history table. A release that lists one is judged as usual.",
        table(["Version", "File", "Type", "Checksum"], rows),
    ]


def rules() -> str:
    return document(
        "Rules",
        "Every check fes-docs runs, with the guide section it enforces. A finding's rule id links here.",
        catalogue_markdown("attr_list"),
        "## Guide coverage",
        "How each numbered item of the FES migration and rollback guide is enforced.",
        coverage_markdown(),
        "## API change rules",
        "What `fes-docs api-diff` reports between two versions of the OpenAPI spec, and how it classifies each "
        "change: breaking (an error; in a pull request it must be declared under `api: breaking:` by a release "
        "record the pull request changes), potentially breaking (a warning) or compatible.",
        change_rules_markdown("attr_list"),
    )


def problems(site: Site) -> str:
    blocks = [
        "Findings that belong to no single release page: the policy, the OpenAPI spec, migration files "
        "no release claims, and release files that could not be read."
    ]
    unloaded = site.unloaded_files()
    if unloaded:
        blocks.append("## Release files that failed to load")
        for file in unloaded:
            blocks += [
                f"### {md_escape(file)}",
                admonitions([f for f in site.unplaced if f.loc.file == file], "rules.md"),
            ]
    others = [f for f in site.unplaced if f.loc.file not in set(unloaded)]
    if others:
        blocks += ["## Other findings", admonitions(others, "rules.md")]
    if not site.unplaced:
        blocks.append('!!! success "No project findings"\n\n    Nothing outside the release records needs attention.\n')
    return document("Project findings", *blocks)
