"""What every page needs to know about the checked project, computed once per render.

Pages are plain functions of a :class:`Site`; the Site decides the things more than one page must
agree on: the order of releases, each release's folder name (its URL), which findings show on which
page, and how a sign-off or checklist state is worded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..check import RecordOwner, Result
from ..dates import parse_datetime
from ..findings import Finding, Summary
from ..model import Flag, Release, deploy_order
from ..project import POLICY_FILE, Project
from ..signoffs import NOT_REQUIRED, NOT_YET, DisplayState, role_state
from ..sql.flyway import parse_name

# Pages every site has, in nav order: (nav title, path relative to the pages folder).
OVERVIEW_PAGES: tuple[tuple[str, str], ...] = (
    ("Dashboard", "index.md"),
    ("Feature flags", "flags.md"),
    ("Migrations", "migrations.md"),
    ("Rules", "rules.md"),
    ("Project findings", "problems.md"),
)
_RESERVED = frozenset(path.rsplit(".", 1)[0] for _, path in OVERVIEW_PAGES)

# How each sign-off state (:mod:`fes_docs.signoffs`, the one definition) reads on a page. Plain text with
# marks every system font has (no emoji): the dashboard must read the same printed. Only a sign-off
# bound to the record as it stands reads "signed".
SIGNED, MISSING = "bound", "missing"
SIGN_TEXT: dict[DisplayState, str] = {
    "bound": "✓ signed",
    "stale": "✗ **stale** (record changed since signing)",
    "unbound": "⚠ **unbound** (no digest: re-sign)",
    "malformed": "✗ **malformed digest**",
    "missing": "✗ **missing**",
    NOT_YET: "not required yet",
    NOT_REQUIRED: "not required",
}


def slugify(key: str) -> str:
    """A folder name that is safe in a URL, a file system (case-insensitive ones too) and a Markdown link."""
    out = []
    for ch in key.lower():
        out.append(ch if (ch.isascii() and ch.isalnum()) or ch in "-_." else "-")
    # Parts made only of dots are dropped, so "../x" can never name a parent folder.
    slug = "-".join(part for part in "".join(out).split("-") if part.strip(".")).strip(".")
    return slug or "release"


def _release_order(rel: Release) -> tuple[bool, int, str, str, str]:
    return (rel.phase is None, rel.phase or 0, rel.window_start or "", rel.key, rel.file)


def window_start(rel: Release) -> datetime | None:
    """The window's start as an aware time (no offset reads as UTC), or None when it does not read."""
    when = parse_datetime(rel.window_start) if rel.window_start else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def window_order(releases: Sequence[Release]) -> list[Release]:
    """Releases by window start (offsets honoured), then id and file; those without a readable window last."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(releases, key=lambda r: ((start := window_start(r)) is None, start or far, r.key, r.file))


def _next_up(by_window: list[Release]) -> Release | None:
    dated = [r for r in by_window if window_start(r) is not None and not r.cancelled]
    for wanted in (("in-progress",), ("approved", "planned", "draft")):
        for rel in dated:
            if rel.status in wanted:
                return rel
    return None


@dataclass
class Site:
    """The checked project plus the decisions shared by all pages."""

    result: Result
    releases: list[Release] = field(init=False)
    slugs: dict[str, str] = field(init=False)  # release file -> folder name
    findings_by_file: dict[str, list[Finding]] = field(init=False)  # release file -> its findings
    unplaced: list[Finding] = field(init=False)  # findings no release page shows
    order: list[Release] = field(init=False)  # the deploy order (fes_docs.model.deploy_order)
    by_window: list[Release] = field(init=False)  # the dashboard's and the timeline's order (window_order)
    # The release in its window (``in-progress``) or, failing that, the next one to deploy: the first in
    # window order that is approved, planned or a draft. No clock is read: the records say it.
    next_up: Release | None = field(init=False)
    # Indexes of the questions every release's pages ask about all the others (who went out after it,
    # who owns a flag, which release has a key): built once, so a page costs the same whatever the
    # number of releases, and a site of n releases renders in O(n), not O(n²).
    _position: dict[int, int] = field(init=False, repr=False)  # id(release) -> its index in `order`
    _deployed: list[Release] = field(init=False, repr=False)  # released ones, in `order`
    _by_key: dict[str | None, list[Release]] = field(init=False, repr=False)
    _raisers: dict[str | None, list[Release]] = field(init=False, repr=False)  # flag -> not-cancelled raisers
    _owners: dict[str | None, Release] = field(init=False, repr=False)  # flag -> last released raiser
    _reattempts: dict[str, list[Release]] = field(init=False, repr=False)  # key -> its re-attempts
    _states: dict[tuple[int, str], DisplayState] = field(init=False, repr=False)  # (id, role) -> state

    def __post_init__(self) -> None:
        self.releases = sorted(self.result.project.releases, key=_release_order)
        self.order = deploy_order(self.releases)
        self.by_window = window_order(self.releases)
        self.next_up = _next_up(self.by_window)
        self._position = {id(rel): i for i, rel in enumerate(self.order)}
        self._deployed = [r for r in self.order if r.status == "released"]
        self._by_key, self._raisers, self._reattempts, self._owners, self._states = {}, {}, {}, {}, {}
        for rel in self.releases:
            self._by_key.setdefault(rel.key, []).append(rel)
            if rel.reattempt_of is not None:
                self._reattempts.setdefault(rel.reattempt_of, []).append(rel)
            if not rel.cancelled:
                for name in dict.fromkeys(f.name for f in rel.flags if f.enabled):
                    self._raisers.setdefault(name, []).append(rel)
        for rel in self._deployed:
            for flag in rel.flags:
                if flag.enabled:
                    self._owners[flag.name] = rel
        taken = set(_RESERVED)
        self.slugs = {}
        for rel in sorted(self.releases, key=lambda r: (r.key, r.file)):
            base = slugify(rel.key)
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            self.slugs[rel.file] = slug
        owner = RecordOwner(self.releases)
        self.findings_by_file = {rel.file: [] for rel in self.releases}
        self.unplaced = []
        for f in self.result.findings:
            home = owner(f)  # the same answer waivers were credited by
            if home is None:
                self.unplaced.append(f)
            else:
                self.findings_by_file[home.file].append(f)

    # -- per release -----------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.result.project

    def findings(self, rel: Release) -> list[Finding]:
        return self.findings_by_file.get(rel.file, [])

    def blocking(self, rel: Release) -> int:
        return Summary.of(self.findings(rel)).errors

    def warnings(self, rel: Release) -> int:
        return Summary.of(self.findings(rel)).warnings

    def slug(self, rel: Release) -> str:
        return self.slugs[rel.file]

    def by_key(self, key: str | None) -> Release | None:
        matches = self._by_key.get(key, [])
        return matches[0] if len(matches) == 1 else None

    def title(self, rel: Release) -> str:
        return rel.title if rel.title and rel.title.strip() else rel.key

    def signoff_state(self, rel: Release, role: str) -> DisplayState:
        """:func:`fes_docs.signoffs.role_state`, asked once per release and role (several pages show it)."""
        key = (id(rel), role)
        if key not in self._states:
            self._states[key] = role_state(rel, role)
        return self._states[key]

    def checklist_progress(self, rel: Release) -> tuple[int, int]:
        policy_ids = self.project.policy.checklist_ids
        done = {c.id for c in rel.checklist if c.done is True and c.id in policy_ids}
        return len(done), len(policy_ids)

    def migration_version(self, name: str | None) -> str | None:
        if not name:
            return None
        mf = self.project.migrations.get(name)
        parsed = mf.name if mf is not None else parse_name(name.rsplit("/", 1)[-1])
        return parsed.version_text

    def raw(self, rel: Release, *path: str | int) -> Any:
        """A value straight from the record, for fields the typed model does not carry (incident summary)."""
        node: Any = rel.doc.data
        for key in path:
            if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
            elif isinstance(key, str) and isinstance(node, dict):
                node = node.get(key)
            else:
                return None
        return node

    # -- across releases: who owns a flag now, which release is current ---------------------------
    def deployed(self) -> list[Release]:
        """Released records in the order they went out (:func:`fes_docs.model.deploy_order`)."""
        return list(self._deployed)

    def current(self) -> Release | None:
        """The release now in production: the last released one."""
        return self._deployed[-1] if self._deployed else None

    def went_out_after(self, later: Release, rel: Release) -> bool:
        """``later`` has a place in the deploy order after ``rel`` (False when either has none)."""
        a, b = self._position.get(id(later)), self._position.get(id(rel))
        return a is not None and b is not None and a > b

    def superseded_by(self, rel: Release) -> Release | None:
        """The release in production now, when it was released after ``rel`` (else None)."""
        current = self.current()
        return current if current is not None and self.went_out_after(current, rel) else None

    def flag_raisers(self, name: str) -> list[Release]:
        """Every release (not cancelled) that raises flag ``name`` somewhere, in page order."""
        return list(self._raisers.get(name, []))

    def flag_owner(self, name: str) -> Release | None:
        """The current owner of a flag: the last released release that raises it."""
        return self._owners.get(name)

    def reattempts(self, rel: Release) -> list[Release]:
        return [r for r in self._reattempts.get(rel.key, []) if r is not rel]

    def unloaded_files(self) -> list[str]:
        """Release files with findings but no record: they failed to load, so no page exists for them."""
        folder = self.project.releases_dir.rstrip("/") + "/"
        files = {rel.file for rel in self.releases}
        return sorted(
            {
                f.loc.file
                for f in self.unplaced
                if f.loc.file.startswith(folder)
                and "/" not in f.loc.file[len(folder) :]
                and f.loc.file.endswith((".yaml", ".yml"))
                and f.loc.file not in files
                and f.loc.file != folder + POLICY_FILE
            }
        )


def rollout_text(flag: Flag, env: str, production: bool) -> str:
    """How far a flag goes in one environment, worded the same on every page."""
    if production:
        steps = flag.steps(env)
        return " → ".join(str(s) for s in steps) + "\u00a0%" if steps else "off"
    pct = flag.percent(env)
    return f"{pct}\u00a0%" if pct else "off"
