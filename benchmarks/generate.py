"""Write a deterministic synthetic fes-docs project: N releases (~3 KB each), N migrations, an OpenAPI spec.

The spec stays the same whatever N is (releases reuse its modules' endpoints), so growing N measures how
the tool scales with the number of records, not with the spec. ``--spec big`` (the default) writes a 2 MB
spec of ~2,000 modules; ``--spec small`` one of 20 modules (~20 KB), so the records' share of a run is
measured without the spec's (``openapi_vs_rs.py`` measures that).

The sign-offs are written without a digest (hand-style: each is an FES704 warning, four per record);
``sign_all.py`` binds them for the clean path.

Every record is valid (the benchmark measures the clean path a CI run takes every push), so
``fes-docs validate`` on the output exits 0.

Usage: ``python3 benchmarks/generate.py OUT [--releases N] [--spec big|small]``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
FLAGS = [
    "features.enable-step-windows",
    "features.enable-pdf-lifecycle",
    "features.enable-question-bank",
    "features.enable-notification-rule-engine",
]
POLICY = (
    """\
# yaml-language-server: $schema=schema/policy.schema.json
environments: [local, test, staging, production]
owner_roles: [engineering, database, on_call, product]
checklist:
  - {id: db-backup,            title: Database backup/snapshot completed}
  - {id: flyway-dry-run,       title: Flyway migration dry-run validated in lower environment}
  - {id: openapi-docs-updated, title: OpenAPI and docs updated}
  - {id: alerting-dashboards,  title: Alerting dashboards prepared for new modules}
  - {id: rollback-owner,       title: Rollback owner assigned for deployment window}
flags:
"""
    + "".join(f"  - {f}\n" for f in FLAGS)
    + """\
openapi: service/openapi.yaml
migrations_dir: service/db/migration
backfill_dry_run_rows: 1000000
"""
)


def migration_sql(i: int, rng: random.Random) -> str:
    table = f"module_{i}_item"
    stmts = [
        f"-- migration {i}: module {i} storage\n"
        f"CREATE TABLE IF NOT EXISTS {table} (\n    id bigint PRIMARY KEY,\n"
        f"    owner_id bigint,\n    payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,\n"
        f"    created_at timestamptz NOT NULL DEFAULT now()\n);"
    ]
    for j in range(rng.randint(2, 9)):
        kind = j % 3
        if kind == 0:
            stmts.append(f"CREATE INDEX IF NOT EXISTS {table}_c{j}_idx ON {table} (owner_id, created_at);")
        elif kind == 1:
            stmts.append(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS note_{j} text;")
        else:
            stmts.append(f"INSERT INTO {table} (id, owner_id) VALUES ({j}, {i}) ON CONFLICT DO NOTHING;")
    return "\n".join(stmts) + "\n"


def release_yaml(i: int, start: datetime, rng: random.Random, n_modules: int) -> str:
    rid = f"{start:%Y-%m-%d}-release-{i:05d}"
    p = rng.sample(PEOPLE, 5)
    flag = FLAGS[i % len(FLAGS)]
    end = start + timedelta(hours=3)
    prod = sorted(rng.sample([5, 10, 25, 50, 75], 2)) + [100]
    return f"""\
# yaml-language-server: $schema=schema/release.schema.json
# Synthetic release {i} for benchmarks: the shape of a real FES parity release.
id: {rid}
title: "Release {i}: module {i} parity"
phase: {1 + i % 9}
status: released
window: {{start: {start:%Y-%m-%dT%H:%M:%SZ}, end: {end:%Y-%m-%dT%H:%M:%SZ}}}
artifact: {{version: "5.{i}.0", last_known_good: "5.{i - 1 if i else 0}.0"}}
owners: {{engineering: {p[0]}, database: {p[1]}, on_call: {p[2]}, product: {p[3]}, rollback: {p[4]}}}
checklist:
  - {{id: db-backup, done: true, evidence: "snapshot fes-prod-{start:%Y-%m-%d}-pre-5.{i}.0"}}
  - {{id: flyway-dry-run, done: true, evidence: "https://ci.fes.example.org/pipelines/{100000 + i}"}}
  - {{id: openapi-docs-updated, done: true, evidence: "https://git.fes.example.org/mr/{2000 + i}"}}
  - {{id: alerting-dashboards, done: true, evidence: "https://grafana.fes.example.org/d/module-{i}"}}
  - {{id: rollback-owner, done: true}}
migrations:
  - {{file: V{i + 1}__module_{i}_storage.sql, change: additive, idempotent: true}}
backfills:
  - name: module_{i}_backfill
    repeatable: true
    batch_size: {rng.choice([500, 1000, 2000, 5000])}
    estimated_rows: {rng.randint(1000, 3_000_000)}
    dry_run: true
    dry_run_sql: "SELECT count(*) FROM module_{i}_item WHERE owner_id IS NULL"
flags:
  - name: {flag}
    rollout: {{local: 100, test: 100, staging: 100, production: {json.dumps(prod)}}}
endpoints:
  - GET /api/v1/modules/{i % n_modules}/items
  - POST /api/v1/modules/{i % n_modules}/items
  - GET /api/v1/modules/{i % n_modules}/items/{{itemId}}
validation:
  health: [/actuator/health, /actuator/health/readiness]
  smoke: ["legacy: submit step form", "legacy: print certificate", "module {i}: create and read an item"]
  slo: {{error_rate_max: 0.01, p95_latency_ms_max: {rng.choice([600, 800, 900])}}}
rollback:
  database: forward-fix
signoffs:
  - {{role: engineering, by: {p[0]}, date: {start - timedelta(days=2):%Y-%m-%d}}}
  - {{role: database, by: {p[1]}, date: {start - timedelta(days=2):%Y-%m-%d}}}
  - {{role: on_call, by: {p[2]}, date: {start - timedelta(days=1):%Y-%m-%d}}}
  - {{role: product, by: {p[3]}, date: {start - timedelta(days=1):%Y-%m-%d}}}
"""


def openapi_yaml(target_bytes: int = 2_000_000) -> tuple[str, int]:
    """A valid spec of about ``target_bytes``; returns it and how many modules it documents."""
    out = [
        "openapi: 3.1.0",
        "info: {title: FES synthetic service, version: 1.0.0}",
        "paths:",
        "  /actuator/health:",
        "    get:",
        "      responses:",
        "        '200': {description: up}",
    ]
    size = sum(len(x) + 1 for x in out)
    i = 0
    while size < target_bytes:
        block = f"""\
  /api/v1/modules/{i}/items:
    get:
      operationId: listModule{i}Items
      parameters:
        - {{name: page, in: query, schema: {{type: integer, minimum: 0}}}}
      responses:
        '200':
          description: items of module {i}
          content:
            application/json:
              schema: {{type: array, items: {{$ref: '#/components/schemas/Item'}}}}
    post:
      operationId: createModule{i}Item
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/Item'}}
      responses:
        '201': {{description: created}}
  /api/v1/modules/{i}/items/{{id}}:
    get:
      operationId: getModule{i}Item
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: integer}}}}
      responses:
        '200':
          description: one item
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item'}}
        '404': {{description: not found}}"""
        out.append(block)
        size += len(block) + 1
        i += 1
    out += [
        "components:",
        "  schemas:",
        "    Item:",
        "      type: object",
        "      properties:",
        "        id: {type: integer}",
        "        payload: {type: object}",
    ]
    return "\n".join(out) + "\n", i


#: Bytes of the generated spec per ``--spec`` choice.
SPEC_BYTES = {"big": 2_000_000, "small": 20_000}


def generate(out: Path, n: int, seed: int = 42, spec_bytes: int = SPEC_BYTES["big"]) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "releases").mkdir(parents=True)
    (out / "service" / "db" / "migration").mkdir(parents=True)
    (out / "releases" / "policy.yaml").write_text(POLICY)
    spec, n_modules = openapi_yaml(spec_bytes)
    start = datetime(2020, 1, 6, 18, tzinfo=UTC)
    for i in range(n):
        when = start + timedelta(hours=12 * i)
        text = release_yaml(i, when, rng, n_modules)
        rid = text.split("\nid: ", 1)[1].split("\n", 1)[0]
        (out / "releases" / f"{rid}.yaml").write_text(text)
        (out / "service" / "db" / "migration" / f"V{i + 1}__module_{i}_storage.sql").write_text(migration_sql(i, rng))
    (out / "service" / "openapi.yaml").write_text(spec)
    (out / "mkdocs.yml").write_text(
        "site_name: Synthetic FES releases\ntheme: {name: material}\n"
        "markdown_extensions: [admonition, tables, attr_list, toc, pymdownx.details, pymdownx.superfences,\n"
        "  {pymdownx.tabbed: {alternate_style: true}}, {pymdownx.tasklist: {custom_checkbox: true}}]\n"
        "plugins: [fes-docs]\n"
    )
    (out / "docs").mkdir()
    (out / "docs" / "index.md").write_text("# Synthetic FES releases\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--spec", choices=sorted(SPEC_BYTES), default="big")
    args = ap.parse_args()
    generate(args.out, args.releases, spec_bytes=SPEC_BYTES[args.spec])
    print(f"wrote {args.releases} releases to {args.out}")


if __name__ == "__main__":
    main()
