"""The policy's flyway: and dry_run: blocks: read leniently, checked by the schema, defaults as Flyway's."""

from __future__ import annotations

from fes_docs.document import Document
from fes_docs.model import Policy
from fes_docs.schema import default_policy, policy_schema
from fes_docs.schema_check import schema_findings

BASE = {
    "environments": ["local", "production"],
    "owner_roles": ["engineering"],
    "flags": ["f"],
    "checklist": [{"id": "db-backup", "title": "Backup"}],
}


def test_defaults_are_flyways() -> None:
    policy = default_policy()
    assert policy.flyway.placeholder_prefix == "${" and policy.flyway.placeholder_suffix == "}"
    assert policy.flyway.table == "flyway_schema_history" and policy.flyway.schema == "public"
    assert policy.flyway.placeholders == {} and policy.flyway.baseline_version is None
    assert (policy.dry_run.statement_timeout_s, policy.dry_run.lock_timeout_s) == (300, 30)


def test_blocks_are_read() -> None:
    data = {
        **BASE,
        "flyway": {
            "placeholders": {"owner": "app", "n": 3, "on": True},
            "baseline_version": 5,
            "schemas": ["app", "audit"],
            "mixed": True,
            "placeholder_prefix": "#[",
        },
        "dry_run": {"statement_timeout_s": 5, "roles": ["app_rw"], "extensions": ["pgcrypto"], "database": "app"},
    }
    policy = Policy.from_data(data)
    assert policy.flyway.placeholders == {"owner": "app", "n": "3", "on": "true"}
    assert policy.flyway.baseline_version == "5" and policy.flyway.schema == "app" and policy.flyway.mixed
    assert policy.flyway.placeholder_prefix == "#["
    assert policy.dry_run.statement_timeout_s == 5 and policy.dry_run.roles == ("app_rw",)
    assert schema_findings(Document("p.yaml", data), policy_schema()) == []


def test_wrong_types_are_schema_errors_and_defaults_in_the_model() -> None:
    data = {
        **BASE,
        "flyway": {"mixed": "yes", "placeholders": {"x": [1]}},
        "dry_run": {"lock_timeout_s": 0, "roles": ["bad name; DROP"], "surprise": 1},
    }
    policy = Policy.from_data(data)
    assert policy.flyway.mixed is False and policy.flyway.placeholders == {}
    assert policy.dry_run.lock_timeout_s == 30 and policy.dry_run.roles == ("bad name; DROP",)
    rules = {f.rule for f in schema_findings(Document("p.yaml", data), policy_schema())}
    assert rules == {"FES010", "FES011"}
