"""Run ``fes-docs dry-run`` on real Flyway folders, as a team adopting the tool would (numbers for the notes).

    python benchmarks/dryrun_projects.py FOLDER [FOLDER ...] [--policy 'dry_run: {database: app}']

Each folder is copied into a fresh project whose policy is the example's with ``migrations_dir`` pointing
at it and no release records, then ``fes-docs dry-run --format json`` runs through the real CLI (sandbox,
placeholders, callbacks and all). Prints, per folder, how many migrations applied, and why the others did not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1]


def project(folder: Path, tmp: Path, extra: str | None) -> Path:
    root = tmp / folder.name
    (root / "releases").mkdir(parents=True)
    shutil.copytree(folder, root / "db" / "migration")
    policy = (EXAMPLE / "releases" / "policy.yaml").read_text(encoding="utf-8")
    policy = policy.replace("migrations_dir: service/db/migration", "migrations_dir: db/migration")
    if extra:  # what the project declares about production (dry_run:, flyway:), one YAML line
        policy += extra + "\n"
    (root / "releases" / "policy.yaml").write_text(policy, encoding="utf-8")
    return root


def summary(root: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", "dry-run", "--format", "json", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode == 2:
        return {"error": proc.stderr.strip()}
    report = json.loads(proc.stdout)["dry_run"]
    migrations = report["migrations"]
    statuses = Counter(m["status"] for m in migrations)
    not_idempotent = sum(1 for m in migrations if m.get("idempotent") is False)
    failed = [f"{m['script']}: {m['error']['message']}" for m in migrations if m.get("error")]
    return {
        "migrations": len(migrations),
        "statuses": dict(statuses),
        "not idempotent": not_idempotent,
        "first failures": failed[:3],
        "seconds": report["seconds"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--policy", help="a line appended to the policy, e.g. 'dry_run: {database: app}'")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fes-docs-projects-") as tmp:
        for folder in args.folders:
            print(folder, json.dumps(summary(project(folder, Path(tmp), args.policy)), indent=2))


if __name__ == "__main__":
    main()
