"""Measure fes-docs at scale: validate cold and warm, a schema-only peer baseline, the site build, peak memory.

Usage: ``python3 benchmarks/run.py [--releases 1000] [--big 10000] [--runs 5] [--skip-build]``.
Writes a table to stdout and ``benchmarks/out/results.json``. Every timing is the median of ``--runs``
fresh processes (wall clock); peak memory is the child's max RSS from ``wait4``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

OUT = Path(__file__).parent / "out"
PY = sys.executable


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, max RSS in MB, exit code) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err[-2000:]}")
    return wall, usage.ru_maxrss // 1024, code


def median(
    cmd: list[str], cwd: Path, runs: int, before: object = None, env: dict[str, str] | None = None
) -> tuple[float, int, int]:
    walls, rss, code = [], 0, 0
    for _ in range(runs):
        if callable(before):
            before()
        wall, mb, code = timed(cmd, cwd, env)
        walls.append(wall)
        rss = max(rss, mb)
    return statistics.median(walls), rss, code


def clear_cache(root: Path) -> None:
    from fes_docs.cache import Cache

    shutil.rmtree(Cache(root).folder, ignore_errors=True)


def plain_site(root: Path, dest: Path) -> Path:
    """The same pages pre-rendered to Markdown, in an MkDocs project with the same theme and nav, no plugin."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "docs").mkdir(parents=True)
    shutil.copy(root / "docs" / "index.md", dest / "docs" / "index.md")
    subprocess.run(
        [PY, "-m", "fes_docs", "render", "--root", str(root), "--out", str(dest / "docs" / "releases")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = (root / "mkdocs.yml").read_text().replace("plugins: [fes-docs]\n", "plugins: [search]\n")
    config = config.replace("plugins: [search, fes-docs]\n", "plugins: [search]\n")
    nav = ["nav:", "  - Home: index.md", "  - Releases:", "      - releases/index.md"]
    for page in sorted((dest / "docs" / "releases").glob("*.md")):
        if page.name != "index.md":
            nav.append(f"      - releases/{page.name}")
    (dest / "mkdocs.yml").write_text(config + "\n".join(nav) + "\n")
    return dest


def plugin_config(root: Path) -> None:
    text = (root / "mkdocs.yml").read_text().replace("plugins: [fes-docs]\n", "plugins: [search, fes-docs]\n")
    (root / "mkdocs.yml").write_text(text)


def bench(n: int, runs: int, build: bool, work: Path) -> dict[str, object]:
    root = generate(work / f"project-{n}", n)
    subprocess.run(
        [PY, "-m", "fes_docs", "schema", "--write", "--root", str(root)], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run([PY, str(Path(__file__).parent / "sign_all.py"), str(root)], check=True)
    validate = [PY, "-m", "fes_docs", "validate", "--root", str(root)]
    row: dict[str, object] = {"releases": n}
    cold, cold_rss, code = median(validate, root, runs, before=lambda: clear_cache(root))
    row.update(validate_cold_s=round(cold, 3), validate_cold_rss_mb=cold_rss, validate_exit=code)
    timed(validate, root)  # fill the cache
    warm, warm_rss, _ = median(validate, root, runs)
    row.update(validate_warm_s=round(warm, 3), validate_warm_rss_mb=warm_rss)
    files = sorted(str(p) for p in (root / "releases").glob("*.yaml") if p.name != "policy.yaml")
    cj = shutil.which("check-jsonschema")
    if cj:
        peer, _, _ = median(
            [cj, "--schemafile", str(root / "releases/schema/release.schema.json"), *files], root, max(1, runs // 2)
        )
        row["check_jsonschema_s"] = round(peer, 3)
    if build:
        plugin_config(root)
        with_plugin, build_rss, _ = median(
            [PY, "-m", "mkdocs", "build", "-q", "-d", str(work / "site-plugin")],
            root,
            max(1, runs // 2),
            before=lambda: clear_cache(root),
        )
        plain = plain_site(root, work / f"plain-{n}")
        without, _, _ = median(
            [PY, "-m", "mkdocs", "build", "-q", "-d", str(work / "site-plain")], plain, max(1, runs // 2)
        )
        row.update(
            build_plugin_s=round(with_plugin, 3),
            build_plain_s=round(without, 3),
            build_ratio=round(with_plugin / without, 3),
            build_rss_mb=build_rss,
        )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--big", type=int, default=10000, help="second size, for linear growth and memory (0: skip)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fes-docs-bench"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [bench(args.releases, args.runs, not args.skip_build, args.work)]
    if args.big:
        rows.append(bench(args.big, max(1, args.runs // 2), not args.skip_build, args.work))
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "rows": rows,
    }
    if len(rows) == 2:
        a, b = rows
        result["growth_10x"] = {
            k: round(float(b[k]) / float(a[k]), 2)  # type: ignore[arg-type]
            for k in ("validate_cold_s", "validate_warm_s", "build_plugin_s")
            if k in a and k in b
        }
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    keys = sorted({k for r in rows for k in r})
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |")
    if "growth_10x" in result:
        print("growth for 10x releases:", result["growth_10x"])


if __name__ == "__main__":
    main()
