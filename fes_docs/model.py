"""Typed views of the policy and of release records.

Records are built *leniently* from already-loaded data: a wrong type becomes ``None``/empty here
(the schema stage reports it, located), so one bad field never stops the semantic rules from
checking everything else in the same file. Every object keeps its ``path`` into the source
document, which is how a rule turns "this flag" into ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .dates import parse_datetime
from .document import Document, PathKey
from .findings import Loc, Waiver, did_you_mean, key_path
from .flyway_config import FlywayConfig
from .policy_settings import DryRunPolicy, Freeze, dry_run_policy, flyway_config, freezes

STATUSES = ("draft", "planned", "approved", "in-progress", "released", "rolled-back", "cancelled")
_RANK = {"draft": 0, "planned": 1, "approved": 2, "in-progress": 3, "released": 4, "rolled-back": 4}
ROLLBACK_ROLE = "rollback"
#: What a ``progress:`` entry records of an environment: the artifact is deployed there, and then its
#: post-deployment validation (§7) passed. Either counts as the environment done for the next one's gate.
PROGRESS_STEPS = ("deployed", "validated")
DEFAULT_POLICY: dict[str, Any] = {
    "environments": ["local", "test", "staging", "production"],
    "owner_roles": ["engineering", "database", "on_call", "product"],
    "checklist": [
        {"id": "db-backup", "title": "Database backup/snapshot completed"},
        {"id": "flyway-dry-run", "title": "Flyway migration dry-run validated in lower environment"},
        {"id": "openapi-docs-updated", "title": "OpenAPI and docs updated"},
        {"id": "alerting-dashboards", "title": "Alerting dashboards prepared for new modules"},
        {"id": "rollback-owner", "title": "Rollback owner assigned for deployment window"},
    ],
    "flags": [
        "features.enable-step-windows",
        "features.enable-pdf-lifecycle",
        "features.enable-question-bank",
        "features.enable-notification-rule-engine",
    ],
    "openapi": "service/openapi.yaml",
    "migrations_dir": "service/db/migration",
    "backfill_dry_run_rows": 1_000_000,
    "sql_dialect": "postgres",
    "max_sql_bytes": 5_000_000,
}

T = TypeVar("T")


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _bool(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


def _map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _records(d: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of list ``key`` with their index (the index is their path); others are schema errors."""
    return [(i, item) for i, item in enumerate(_list(d.get(key))) if isinstance(item, dict)]


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


# How each list item's fields are read, in the dataclass's field order (its path comes last).
_CHECKLIST = (("id", _str), ("done", _bool), ("evidence", _opt_str))
_MIGRATION = (("file", _str), ("change", _str), ("idempotent", _bool), ("checksum", _int))
_BACKFILL = (
    ("name", _str),
    ("repeatable", _bool),
    ("batch_size", _int),
    ("estimated_rows", _int),
    ("dry_run", _bool),
    ("sql", _str),
    ("dry_run_sql", _str),
)
_SIGNOFF = (("role", _str), ("by", _str), ("date", _opt_str), ("digest", _str))
_API_BREAK = (("endpoint", _str), ("change", _str), ("reason", _str), ("consumers_notified", _bool))
_PROGRESS = (("environment", _str), ("step", _str), ("at", _opt_str), ("by", _str))


def _build(
    cls: Callable[..., T], item: dict[str, Any], fields: tuple[tuple[str, Callable[[Any], Any]], ...], path: PathKey
) -> T:
    """One typed item from a mapping, leniently: a wrong type reads as None (the schema reports it)."""
    return cls(*(read(item.get(key)) for key, read in fields), path)


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


@dataclass(frozen=True)
class ChecklistSpec:
    id: str
    title: str


@dataclass(frozen=True)
class Person:
    """One entry of the policy's ``people:``: a list of addresses, or a mapping with a pager and a phone."""

    emails: tuple[str, ...] = ()
    pager: str | None = None
    phone: str | None = None


def _person(value: Any) -> Person:
    if isinstance(value, dict):
        mail = value.get("email")
        emails = [mail] if isinstance(mail, str) else [e for e in _list(mail) if isinstance(e, str)]
        return Person(tuple(emails), _str(value.get("pager")), _str(value.get("phone")))
    return Person(tuple(e for e in _list(value) if isinstance(e, str)))


@dataclass(frozen=True)
class Operations:
    """How a flag is switched and an artifact deployed: command templates the rollback page fills in."""

    flag_off: str | None = None  # "{flag}" is replaced by the flag's name
    deploy: str | None = None  # "{version}" is replaced by the artifact version


@dataclass
class Policy:
    """Project-wide settings; the guide's defaults where the file is silent."""

    environments: list[str]
    owner_roles: list[str]
    checklist: list[ChecklistSpec]
    flags: list[str]
    openapi: str | None
    migrations_dir: str | None
    backfill_dry_run_rows: int
    sql_dialect: str
    #: name -> e-mail addresses, whichever form ``people:`` uses (the list or the mapping).
    people: dict[str, list[str]]
    #: A migration larger than this is a finding, not parsed: bounded work per file (issue 11).
    max_sql_bytes: int = 5_000_000
    #: The last Flyway version applied before the project adopted fes-docs, as written (see fes_docs/legacy.py).
    adopted_at_version: str | None = None
    #: How Flyway is configured (placeholders, baseline, schemas …) and the dry run's bounds and environment.
    flyway: FlywayConfig = field(default_factory=FlywayConfig)
    dry_run: DryRunPolicy = field(default_factory=DryRunPolicy)
    doc: Document | None = None
    #: The whole entry of each person: addresses, pager, phone.
    contacts: dict[str, Person] = field(default_factory=dict)
    operations: Operations = field(default_factory=Operations)
    #: The change calendar: when nothing deploys, per environment (FES021, ``fes-docs gate``).
    freezes: tuple[Freeze, ...] = ()

    @property
    def checklist_ids(self) -> list[str]:
        return [c.id for c in self.checklist]

    def unknown_person(self, name: str) -> str | None:
        """Why ``name`` cannot own or sign (not under ``people:``), or None; no ``people:`` accepts anyone."""
        if not self.people or name in self.people:
            return None
        return f"{name!r} is not listed under people: in the policy{did_you_mean(name, self.people)}"

    @property
    def production(self) -> str:
        """The last environment is the one that takes incremental steps."""
        return self.environments[-1] if self.environments else "production"

    @classmethod
    def from_data(cls, data: Any, doc: Document | None = None) -> Policy:
        d = _map(data)

        def pick(key: str) -> Any:
            value = d.get(key)
            return DEFAULT_POLICY.get(key) if value is None else value

        checklist = [
            ChecklistSpec(str(c.get("id")), str(c.get("title", c.get("id"))))
            for c in _list(pick("checklist"))
            if isinstance(c, dict) and isinstance(c.get("id"), str)
        ]
        contacts = {str(k): _person(v) for k, v in _map(d.get("people")).items()}
        people = {k: list(p.emails) for k, p in contacts.items()}
        ops = _map(d.get("operations"))
        return cls(
            environments=[e for e in _list(pick("environments")) if isinstance(e, str)],
            owner_roles=[r for r in _list(pick("owner_roles")) if isinstance(r, str)],
            checklist=checklist,
            flags=[f for f in _list(pick("flags")) if isinstance(f, str)],
            openapi=_str(d["openapi"]) if "openapi" in d else _str(DEFAULT_POLICY["openapi"]),  # null: no spec
            migrations_dir=_str(pick("migrations_dir")),
            backfill_dry_run_rows=_int(pick("backfill_dry_run_rows")) or 1_000_000,
            sql_dialect=_str(pick("sql_dialect")) or "postgres",
            people=people,
            max_sql_bytes=_int(pick("max_sql_bytes")) or 5_000_000,
            adopted_at_version=_str(d.get("adopted_at_version")),  # quoted: YAML reads 2.10 as 2.1, 2_4 as 24
            flyway=flyway_config(d.get("flyway")),
            dry_run=dry_run_policy(d.get("dry_run")),
            doc=doc,
            contacts=contacts,
            operations=Operations(_str(ops.get("flag_off")), _str(ops.get("deploy"))),
            freezes=freezes(d.get("freezes")),
        )


@dataclass
class ChecklistItem:
    id: str | None
    done: bool | None
    evidence: str | None
    path: PathKey


@dataclass
class MigrationRef:
    file: str | None
    change: str | None
    idempotent: bool | None
    checksum: int | None
    path: PathKey


@dataclass
class Backfill:
    name: str | None
    repeatable: bool | None
    batch_size: int | None
    estimated_rows: int | None
    dry_run: bool | None
    sql: str | None
    dry_run_sql: str | None
    path: PathKey


@dataclass
class Flag:
    name: str | None
    rollout: dict[str, Any]
    path: PathKey

    def percent(self, env: str) -> int:
        """A plain environment's percentage; production's is its last step; absent means 0."""
        value = self.rollout.get(env)
        if isinstance(value, list):
            steps = [v for v in value if _int(v) is not None]
            return int(steps[-1]) if steps else 0
        return _int(value) or 0

    def steps(self, env: str) -> list[int]:
        value = self.rollout.get(env)
        if isinstance(value, list):
            return [v for v in value if _int(v) is not None]
        return [v] if (v := _int(value)) else []

    @property
    def enabled(self) -> bool:
        """Raised above 0 % in some environment: only such a flag is part of the release (FES204)."""
        return any(self.percent(env) > 0 or any(s > 0 for s in self.steps(env)) for env in self.rollout)


@dataclass
class SignOff:
    role: str | None
    by: str | None
    date: str | None
    digest: str | None
    path: PathKey


@dataclass
class Progress:
    """One step of a release's rollout as it happened: ``environment`` reached ``step`` at ``at``, by ``by``.

    Written by ``fes-docs gate --record``; ``fes-docs gate`` lets an environment go only after every earlier
    one has an entry. History, like incidents: it is outside the sign-off digest.
    """

    environment: str | None
    step: str | None
    at: str | None
    by: str | None
    path: PathKey


@dataclass
class Action:
    title: str | None
    status: str | None
    path: PathKey


@dataclass
class Incident:
    id: str | None
    actions: list[Action]
    path: PathKey


@dataclass
class ApiBreak:
    """One declared breaking API change (``api: breaking:``): the pull request's gate accepts a breaking change
    of ``change`` (a change rule's id or name) at ``endpoint`` only when a record it changed declares it."""

    endpoint: str | None
    change: str | None
    reason: str | None
    consumers_notified: bool | None
    path: PathKey


@dataclass
class WaiverRef:
    waiver: Waiver
    path: PathKey


@dataclass
class Release:
    """One release record; ``doc`` is where it came from."""

    doc: Document
    id: str | None
    title: str | None
    phase: int | None
    status: str | None
    window_start: str | None
    window_end: str | None
    artifact_version: str | None
    last_known_good: str | None
    owners: dict[str, str]
    checklist: list[ChecklistItem]
    migrations: list[MigrationRef]
    backfills: list[Backfill]
    flags: list[Flag]
    endpoints: list[tuple[str, PathKey]]
    validation: dict[str, Any]
    rollback_database: str | None
    snapshot: str | None
    signoffs: list[SignOff]
    incidents: list[Incident]
    reattempt_of: str | None
    waivers: list[WaiverRef]
    progress: list[Progress] = field(default_factory=list)
    api_breaking: list[ApiBreak] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: The entries of the project's baseline (``.fes-docs/baseline.yaml``) that name this record, as written:
    #: they count in its sign-off digest (:func:`fes_docs.signoffs.release_digest`). Set by the check stage.
    baseline: list[Any] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def stem(self) -> str:
        name = self.doc.file.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0]

    @property
    def key(self) -> str:
        """The id used to refer to this release in reports even when ``id`` is broken."""
        return self.id or self.stem

    def loc(self, *path: str | int) -> Loc:
        """Where ``path``'s value is, and (as the location's subject) its key path, for the fingerprint."""
        p = self.doc.pos(path)
        return Loc(self.doc.file, p.line, p.column, key_path(self.doc.data, path))

    def key_loc(self, *path: str | int) -> Loc:
        p = self.doc.key_pos(path)
        return Loc(self.doc.file, p.line, p.column, key_path(self.doc.data, path))

    def missing_loc(self, *path: str | int) -> Loc:
        """Where to report something missing inside ``path``: the key that opens it, whatever its YAML style;
        when the whole section is absent, the ``status`` line (the status is what makes it required)."""
        if self.doc.has_key(path):
            return self.key_loc(*path)
        where = self.key_loc("status") if self.doc.has_key(("status",)) else self.loc()
        return replace(where, subject=key_path(self.doc.data, path))  # about what is missing, not the status

    @property
    def rank(self) -> int:
        """Position in the status order; -1 for cancelled/unknown (exempt from completeness)."""
        return _RANK.get(self.status or "", -1)

    @property
    def from_approved(self) -> bool:
        return self.rank >= _RANK["approved"]

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def checklist_item(self, item_id: str) -> ChecklistItem | None:
        return next((c for c in self.checklist if c.id == item_id), None)

    @classmethod
    def from_doc(cls, doc: Document) -> Release:
        d = _map(doc.data)
        window = _map(d.get("window"))
        artifact = _map(d.get("artifact"))
        rollback = _map(d.get("rollback"))
        owners = {str(k): v for k, v in _map(d.get("owners")).items() if isinstance(v, str) and v.strip()}
        return cls(
            doc=doc,
            id=_str(d.get("id")),
            title=_str(d.get("title")),
            phase=_int(d.get("phase")),
            status=_str(d.get("status")),
            window_start=_str(window.get("start")),
            window_end=_str(window.get("end")),
            artifact_version=None if artifact.get("version") is None else str(artifact.get("version")),
            last_known_good=None if artifact.get("last_known_good") is None else str(artifact.get("last_known_good")),
            owners=owners,
            checklist=[_build(ChecklistItem, c, _CHECKLIST, ("checklist", i)) for i, c in _records(d, "checklist")],
            migrations=[_build(MigrationRef, m, _MIGRATION, ("migrations", i)) for i, m in _records(d, "migrations")],
            backfills=[_build(Backfill, b, _BACKFILL, ("backfills", i)) for i, b in _records(d, "backfills")],
            flags=[Flag(_str(f.get("name")), _map(f.get("rollout")), ("flags", i)) for i, f in _records(d, "flags")],
            endpoints=[(e, ("endpoints", i)) for i, e in enumerate(_list(d.get("endpoints"))) if isinstance(e, str)],
            validation=_map(d.get("validation")),
            rollback_database=_str(rollback.get("database")),
            snapshot=_str(rollback.get("snapshot")),
            signoffs=[_build(SignOff, s, _SIGNOFF, ("signoffs", i)) for i, s in _records(d, "signoffs")],
            incidents=[
                Incident(
                    _str(inc.get("id")),
                    [
                        Action(_str(a.get("title")), _str(a.get("status")), ("incidents", i, "actions", j))
                        for j, a in enumerate(_list(inc.get("actions")))
                        if isinstance(a, dict)
                    ],
                    ("incidents", i),
                )
                for i, inc in enumerate(_list(d.get("incidents")))
                if isinstance(inc, dict)
            ],
            reattempt_of=_str(d.get("reattempt_of")),
            waivers=[
                WaiverRef(
                    Waiver(
                        str(w.get("rule", "")),
                        str(w.get("reason") or "").strip(),
                        None if w.get("until") is None else str(w.get("until")),
                        _str(w.get("approved_by")),
                        _str(w.get("fingerprint")),
                    ),
                    ("waivers", i),
                )
                for i, w in _records(d, "waivers")
            ],
            progress=[_build(Progress, p, _PROGRESS, ("progress", i)) for i, p in _records(d, "progress")],
            api_breaking=[
                _build(ApiBreak, b, _API_BREAK, ("api", "breaking", i))
                for i, b in _records(_map(d.get("api")), "breaking")
            ],
        )


def deploy_order(releases: Iterable[Release]) -> list[Release]:
    """The order releases deploy in (so their Flyway versions must ascend): by window start, then id.

    A release with no readable window, or a cancelled one, has no place in the order. Used by the
    version-order rule and by the dry run, which applies migrations in this order.
    """
    dated = []
    for rel in releases:
        start = parse_datetime(rel.window_start) if rel.window_start else None
        if start is None or rel.cancelled:
            continue
        dated.append((start.isoformat() if start.tzinfo else start.isoformat() + "+00:00", rel.key, rel))
    return [r for _, _, r in sorted(dated, key=lambda t: (t[0], t[1]))]
