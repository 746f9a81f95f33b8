"""Time ``fes-docs dry-run`` of a MySQL-dialect project on the throwaway MariaDB (numbers for the notes).

    python benchmarks/dryrun_mysql.py                      # a generated project of 100 migrations
    python benchmarks/dryrun_mysql.py --migrations 300 --runs 3
    python benchmarks/dryrun_mysql.py --folder PATH --policy 'flyway: {placeholder_replacement: false}'

The generated project grows a schema as real ones do: every fifth migration creates a table
(``CREATE TABLE IF NOT EXISTS``), the others add a column (MariaDB's ``ADD COLUMN IF NOT EXISTS``), an index,
seed rows (``INSERT IGNORE``), widen a column (a table copy in the lock report) or update rows — all
re-runnable, so every migration is applied, re-run and snapshotted. The run goes through the real CLI
(server start, sandbox, evidence) and is timed from outside; the evidence's own ``seconds`` leaves the
server's start out. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def generated(root: Path, count: int) -> None:
    """``count`` re-runnable MySQL migrations in ``root/db``."""
    (root / "db").mkdir(parents=True)
    tables: list[str] = []
    for n in range(1, count + 1):
        if n % 5 == 1 or not tables:
            table = f"t{len(tables) + 1}"
            tables.append(table)
            sql = (
                f"CREATE TABLE IF NOT EXISTS {table} (\n  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
                f"  name VARCHAR(64) NOT NULL,\n  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n)"
                " ENGINE=InnoDB;\n"
            )
        else:
            table = tables[n % len(tables)]
            sql = [
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS c{n} INT NULL;\n",
                f"CREATE INDEX IF NOT EXISTS ix_{table}_{n} ON {table} (name);\n",
                f"INSERT IGNORE INTO {table} (id, name) VALUES ({n}, 'seed {n}'), ({n + 10000}, 'seed b');\n",
                f"ALTER TABLE {table} MODIFY COLUMN name VARCHAR({64 + n}) NOT NULL;\n",
                f"UPDATE {table} SET name = UPPER(name) WHERE id = {n};\n",
            ][n % 5]
        (root / "db" / f"V{n}__step_{n}.sql").write_text(sql, encoding="utf-8")


def project(tmp: Path, count: int, folder: Path | None, policy: str | None) -> Path:
    root = tmp / "project"
    (root / "releases").mkdir(parents=True)
    if folder is None:
        generated(root, count)
        dialect = "mariadb"
    else:
        # a copy: fes-docs never follows a link out of the project (a symlinked folder is not read)
        shutil.copytree(folder, root / "db")
        dialect = "mysql"
    text = f"migrations_dir: db\nsql_dialect: {dialect}\n" + (policy + "\n" if policy else "")
    (root / "releases" / "policy.yaml").write_text(text, encoding="utf-8")
    return root


def once(root: Path) -> dict[str, object]:
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", "dry-run", "--format", "json", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    wall = time.perf_counter() - began
    if proc.returncode == 2:
        return {"error": proc.stderr.strip()}
    report = json.loads(proc.stdout)["dry_run"]
    migrations = report["migrations"]
    return {
        "wall_s": round(wall, 2),
        "engine_s": report["seconds"],
        "statuses": dict(Counter(m["status"] for m in migrations)),
        "idempotent": sum(1 for m in migrations if m.get("idempotent") is True),
        "not_idempotent": sum(1 for m in migrations if m.get("idempotent") is False),
        "failed": [f"{m['script']}: {m['error']['message'][:120]}" for m in migrations if m["status"] == "failed"],
        "apply_s": round(sum(m["seconds"] for m in migrations), 2),
        "rebuilt_before": report.get("environment", {}).get("rebuilt_before", []),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--migrations", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--folder", type=Path, help="a real MySQL Flyway folder instead of the generated project")
    ap.add_argument("--policy", help="one more YAML line for the policy (flyway:, dry_run:)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fes-docs-bench-my-") as tmp:
        root = project(Path(tmp), args.migrations, args.folder, args.policy)
        results = [once(root) for _ in range(args.runs)]
    for r in results:
        print(json.dumps(r))
    walls = [float(r["wall_s"]) for r in results if "wall_s" in r]  # type: ignore[arg-type]
    if walls:
        print(f"median wall {statistics.median(walls):.2f} s over {len(walls)} run(s)")


if __name__ == "__main__":
    main()
