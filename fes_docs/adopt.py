"""``fes-docs init``: what an existing project already says, found so a first policy can say it too.

A team adopting fes-docs has a Flyway folder, perhaps a spec, and flags in its Spring configuration; asking
them to type all of that again into ``releases/policy.yaml`` is how a first run starts wrong. :func:`survey`
looks, :mod:`fes_docs.adopt_policy` writes the policy from what it found, with the highest migration version
as ``adopted_at_version`` so that day one is green and only new migrations are judged (:mod:`fes_docs.legacy`).

It runs on trees nobody has vetted, so it looks the way a validate run reads (:class:`~fes_docs.inputs.
ProjectInputs`: contained in the root, each read size-limited), and more cautiously still: the walk never
follows a symbolic link (a link is listed, not entered), skips build output and hidden folders, and stops
after :data:`MAX_FOLDERS` folders; what it could not look at is said in :attr:`Survey.notes`.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from .flyway_files import config_files, raw_settings
from .inputs import InputError, ProjectInputs
from .spring_files import CONFIG_NAME, read_settings, relaxed, resolved
from .sql.flyway import parse_name, version_key

#: Folders looked into at most, and how deep: a project's sources, not a disk.
MAX_FOLDERS = 20_000
MAX_DEPTH = 16
#: What no project keeps its own migrations, spec or configuration in (build output, dependencies, tools).
SKIPPED = frozenset({"node_modules", "target", "build", "out", "dist", "bin", "obj", "venv", "__pycache__", "site"})
#: Bytes read of a migration to tell its dialect, and how many migrations are read for it.
SNIFF_BYTES, SNIFF_FILES = 1_000_000, 40
MAX_SPEC_BYTES, MAX_SPECS = 50_000_000, 20
#: Flags taken from the configuration at most (each becomes a line of the policy and of a record's schema).
MAX_FLAGS = 1_000

_JDBC = {
    "postgresql": "postgres",
    "pgsql": "postgres",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "h2": "h2",
    "sqlserver": "tsql",
    "jtds": "tsql",
    "oracle": "oracle",
    "sqlite": "sqlite",
}
_FOLDER_DIALECT = {**_JDBC, "postgres": "postgres", "pg": "postgres", "mssql": "tsql", "tsql": "tsql"}
#: What a migration's text shows of its dialect (each pattern counts once per file).
_MARKERS = {
    "postgres": re.compile(
        r"::|\bjsonb\b|\bbigserial\b|\bserial\b|\bconcurrently\b|\$\$|\btimestamptz\b|\bilike\b", re.I
    ),
    "mysql": re.compile(r"`|\bengine\s*=|\bauto_increment\b|\bunsigned\b|\bdefault\s+charset\b|\btinyint\b", re.I),
    "tsql": re.compile(r"\[dbo\]|\bnvarchar\b|\bidentity\s*\(|^\s*go\s*$", re.I | re.M),
    "oracle": re.compile(r"\bvarchar2\b|\bnumber\s*\(|\bsysdate\b", re.I),
}
_SPEC_NAME = re.compile(r"^(?:openapi|swagger|api-docs)(?:[._-][A-Za-z0-9_.-]*)?\.(?:ya?ml|json)$", re.I)
_SPEC_HEAD = re.compile(r"""^\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)
_FLAG_SEGMENTS = frozenset(
    {"feature", "features", "feature-flags", "featureflags", "feature-toggles", "toggles", "flags"}
)
_NOT_FLAGS = ("spring.", "management.", "logging.", "server.", "springdoc.")
_BOOL = {"true", "false"}


@dataclass
class Survey:
    """What :func:`survey` found, each with where it was found (the policy's comments and the printout say so)."""

    migrations_dir: str | None = None
    migrations_from: str = ""
    other_folders: list[str] = field(default_factory=list)
    versioned: int = 0  # versioned migrations in migrations_dir
    adopted: str | None = None  # the highest version, as its file writes it
    adopted_file: str | None = None
    dialect: str | None = None
    dialect_from: str = ""
    openapi: str | None = None
    other_specs: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    flags_from: list[str] = field(default_factory=list)
    #: The policy's ``flyway:`` settings Spring gives (``spring.flyway.*``) and no flyway.conf does.
    flyway: dict[str, object] = field(default_factory=dict)
    flyway_from: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


#: Each Spring configuration file (project-relative) with its settings.
Spring = dict[str, dict[str, str]]


@dataclass
class _Tree:
    folders: dict[str, dict[str, str]]  # folder -> its entries (name -> file | dir | link | other)
    notes: list[str]

    def files(self, pattern: re.Pattern[str]) -> list[str]:
        return sorted(
            f"{d}/{n}" if d else n
            for d, es in self.folders.items()
            for n, k in es.items()
            if k == "file" and pattern.match(n)
        )


def _walk(inputs: ProjectInputs) -> _Tree:
    """The project's folders breadth first, in name order; links are never entered, build output never looked at."""
    folders: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    links = 0
    queue: deque[tuple[str, int]] = deque([("", 0)])
    while queue:
        if len(folders) >= MAX_FOLDERS:
            notes.append(f"stopped looking after {MAX_FOLDERS:,} folders; name what was not found in the policy")
            break
        folder, depth = queue.popleft()
        entries = inputs.list_entries(folder or ".")
        folders[folder] = entries
        for name, kind in sorted(entries.items()):
            links += kind == "link"
            if kind == "dir" and depth < MAX_DEPTH and not name.startswith(".") and name not in SKIPPED:
                queue.append((f"{folder}/{name}" if folder else name, depth + 1))
    if links:
        notes.append(f"{links} symbolic link(s) not followed")
    return _Tree(folders, notes)


_TEST = re.compile(r"(?:^|/)(?:src/(?:test|it|integration-?test)\w*|test|tests)(?:/|$)", re.I)


def _is_test(path: str) -> bool:
    """Under a test source tree: its migrations, spec and configuration are the tests', not the service's."""
    return bool(_TEST.search(path))


def _resources(tree: _Tree) -> list[str]:
    """Each module's ``src/main/resources`` (the root of Spring's classpath: ``classpath:db/migration``)."""
    return sorted(f for f in tree.folders if f == "src/main/resources" or f.endswith("/src/main/resources"))


def _location(text: str, resources: list[str]) -> list[str]:
    """The project folders a Flyway location names (``filesystem:sql``; ``classpath:db/migration`` in every module)."""
    kind, sep, path = text.strip().partition(":")
    if not sep:
        kind, path = "classpath", text.strip()
    path = path.strip().strip("/").removeprefix("./")
    if not path or ".." in path.split("/") or "{" in path or "*" in path:
        return []
    if kind == "filesystem":
        return [path]
    return [f"{r}/{path}" for r in resources] if kind == "classpath" else []


def _versioned_below(tree: _Tree, folder: str) -> int:
    """Versioned migrations under ``folder`` as far as the walk saw (Flyway scans a location's sub-folders too)."""
    return sum(
        1
        for d, es in tree.folders.items()
        if d == folder or d.startswith(folder + "/")
        for n, k in es.items()
        if k == "file" and parse_name(n).kind == "versioned"
    )


def _migrations(inputs: ProjectInputs, tree: _Tree, spring: Spring, settings: dict[str, str], found: Survey) -> None:
    resources = _resources(tree)
    candidates: list[tuple[int, str, str]] = []  # (priority, folder, where it was named)
    conf = ", ".join(config_files(inputs, None))
    for loc in settings.get("locations", "").split(","):
        candidates += [(0, f, f"{conf} (flyway.locations)") for f in _location(loc, resources)]
    for rel, values in spring.items():
        module = rel.rpartition("/")[0]
        for key, value in values.items():
            if relaxed(key) == "spring.flyway.locations":
                own = [module] if module.endswith("src/main/resources") else resources
                candidates += [
                    (1, f, f"{rel} (spring.flyway.locations)") for v in value.split(",") for f in _location(v, own)
                ]
    candidates += [(2, f"{r}/db/migration", "Spring Boot's default location") for r in resources]
    tops = [
        d
        for d in tree.folders
        if any(k == "file" and parse_name(n).kind == "versioned" for n, k in tree.folders[d].items())
    ]
    candidates += [
        (3, d, "the folder with Flyway migrations") for d in tops if not any(d.startswith(t + "/") for t in tops)
    ]
    best = {c[1]: c for c in reversed(sorted(candidates))}  # each folder once, as its strongest source names it
    ranked = sorted(best.values(), key=lambda c: (_is_test(c[1]), c[0], -_versioned_below(tree, c[1]), c[1]))
    present = [c for c in ranked if c[1] in tree.folders and _versioned_below(tree, c[1])]
    found.notes += [
        f"{named} names {f}, which is not in the project" for p, f, named in ranked if p < 2 and f not in tree.folders
    ]
    if not present:
        return
    _, found.migrations_dir, found.migrations_from = present[0]
    found.other_folders = [c[1] for c in present[1:] if not c[1].startswith(present[0][1] + "/")]
    versions = [
        (version_key(n.version), n.version_text or "", rel)
        for rel in inputs.list_tree(present[0][1], ".sql")
        if (n := parse_name(rel.rsplit("/", 1)[-1])).kind == "versioned" and n.version is not None
    ]
    found.versioned = len(versions)
    if versions:
        _, found.adopted, found.adopted_file = max(versions)


def _dialect(inputs: ProjectInputs, spring: Spring, settings: dict[str, str], found: Survey) -> None:
    urls = [("flyway.url", settings.get("url", ""))]
    urls += [
        (f"{rel} ({key})", value)
        for rel, values in spring.items()
        for key, value in values.items()
        if relaxed(key).endswith(("datasource.url", "flyway.url", "r2dbc.url"))
    ]
    named = [
        (where, d)
        for where, url in urls
        if (m := re.match(r"(?:jdbc|r2dbc):(\w+):", resolved(url))) and (d := _JDBC.get(m.group(1).lower()))
    ]
    real = [n for n in named if n[1] != "h2"] or named  # H2 is most often the tests' database, not production's
    if real:
        found.dialect, found.dialect_from = real[0][1], f"the URL in {real[0][0]}"
        return
    folder = found.migrations_dir or ""
    for part in reversed(folder.lower().split("/")):
        if part in _FOLDER_DIALECT:
            found.dialect, found.dialect_from = _FOLDER_DIALECT[part], f"the folder name {folder}"
            return
    scores = dict.fromkeys(_MARKERS, 0)
    for rel in inputs.list_tree(folder, ".sql")[:SNIFF_FILES] if folder else []:
        try:
            text = inputs.read_bytes(f"{folder}/{rel}", SNIFF_BYTES).decode("utf-8", "replace")
        except InputError:
            continue
        for dialect, pattern in _MARKERS.items():
            scores[dialect] += len(set(m.group().lower() for m in pattern.finditer(text)))
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "postgres"))
    if best[1] and sorted(scores.values())[-2] * 3 < best[1]:
        found.dialect, found.dialect_from = best[0], f"the SQL of {folder}"


def _spec(inputs: ProjectInputs, tree: _Tree, found: Survey) -> None:
    specs = []
    for rel in sorted(tree.files(_SPEC_NAME), key=_spec_rank)[:MAX_SPECS]:
        try:
            head = inputs.read_bytes(rel, MAX_SPEC_BYTES)[:65_536].decode("utf-8", "replace")
        except InputError as exc:
            found.notes.append(f"{rel} not read: {exc.problem.message}")
            continue
        if _SPEC_HEAD.search(head):
            specs.append(rel)
    if specs:
        found.openapi, found.other_specs = specs[0], specs[1:]


def _spec_rank(rel: str) -> tuple[bool, int, str]:
    """The service's own spec first: outside the tests, nearest the root."""
    return _is_test(rel), rel.count("/"), rel


def _spring(inputs: ProjectInputs, tree: _Tree, found: Survey) -> Spring:
    """Each Spring configuration file outside the tests, the base ``application.*`` before its profiles."""
    out: dict[str, dict[str, str]] = {}
    names = [r for r in tree.files(CONFIG_NAME) if not _is_test(r)]
    for rel in sorted(names, key=lambda r: (r.rpartition("/")[0], "-" in r.rpartition("/")[2], r)):
        settings, problem = read_settings(inputs, rel)
        if problem:
            found.notes.append(problem)
        out[rel] = settings
    return out


def _flags(spring: Spring, found: Survey) -> None:
    flags: set[str] = set()
    for rel, values in spring.items():
        mine = {k for k, v in values.items() if _is_flag(k, v)}
        if mine:
            flags |= mine
            found.flags_from.append(rel)
    found.flags = sorted(flags)[:MAX_FLAGS]
    if len(flags) > MAX_FLAGS:
        found.notes.append(f"{len(flags):,} flag-like properties: the first {MAX_FLAGS:,} (by name) are in the policy")


def _is_flag(key: str, value: str) -> bool:
    """A boolean property under a flag-ish name (``features.enable-x``, ``togglz.features.X.enabled``): the line
    the rollback page writes with ``=false`` is then the one that switches it off."""
    if resolved(value).lower() not in _BOOL or key.startswith(_NOT_FLAGS) or len(key) > 200:
        return False
    return any(p in _FLAG_SEGMENTS for p in key.lower().split(".")[:-1])  # the last part is the flag's own name


#: ``spring.flyway.*`` keys (relaxed) -> the policy's ``flyway:`` keys they give.
_SPRING_FLYWAY = {
    "schemas": "schemas",
    "defaultschema": "default_schema",
    "table": "table",
    "baselineversion": "baseline_version",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,62}$")


def _spring_flyway(spring: Spring, settings: dict[str, str], found: Survey) -> None:
    """What Spring tells Flyway that a validate run would not read (it reads flyway.conf, not Spring's files)."""
    conf = {relaxed(k) for k in settings}
    placeholders: dict[str, str] = {}
    for rel, values in spring.items():
        used = False
        for key, value in values.items():
            short = relaxed(key).removeprefix("spring.flyway.")
            if short == relaxed(key) or short in conf:
                continue
            name = key.split("placeholders.", 1)[-1]
            if short.startswith("placeholders.") and name not in placeholders:
                placeholders[name] = resolved(value)
                used = True
            elif short in _SPRING_FLYWAY and _SPRING_FLYWAY[short] not in found.flyway:
                text = resolved(value)
                if short == "schemas":
                    names = [s.strip() for s in text.split(",") if _NAME.match(s.strip())]
                    if names:
                        found.flyway["schemas"] = names
                elif short == "baselineversion" and re.fullmatch(r"[0-9]+(?:[._][0-9]+)*", text):
                    found.flyway["baseline_version"] = text
                elif _NAME.match(text):
                    found.flyway[_SPRING_FLYWAY[short]] = text
                used = True
        if used:
            found.flyway_from.append(rel)
    if placeholders:
        found.flyway["placeholders"] = dict(sorted(placeholders.items()))


def survey(inputs: ProjectInputs) -> Survey:
    """Everything :mod:`fes_docs.adopt_policy` writes, found in the project ``inputs`` reads."""
    tree = _walk(inputs)
    found = Survey(notes=list(tree.notes))
    spring = _spring(inputs, tree, found)
    settings = raw_settings(inputs)  # flyway.conf / flyway.toml at the root or in conf/
    _migrations(inputs, tree, spring, settings, found)
    _dialect(inputs, spring, settings, found)
    _spec(inputs, tree, found)
    _flags(spring, found)
    _spring_flyway(spring, settings, found)
    return found
