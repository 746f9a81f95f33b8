"""Measure fes-docs at scale: validate cold and warm against a bare libyaml parse, a schema-only peer, the site build.

Usage: ``python3 benchmarks/run.py [--releases 1000] [--big 10000] [--runs 5] [--spec small|big]
[--skip-build] [--skip-peer]``. Writes a table to stdout and ``benchmarks/out/results.json``.

On a shared 2-core machine only ratios measured side by side mean anything, so each size is measured in
rounds of three fresh processes back to back: the **parse baseline** (one Python process that
``yaml.load(..., Loader=yaml.CSafeLoader)``\\ s every file in ``releases/``: the least any tool reading
these records does), ``fes-docs validate`` **cold** (the cache folder deleted first) and **warm** (the same
run again, nothing changed). Reported: the median of each over the rounds, and the median of the rounds'
ratios cold / parse and warm / parse. Peak memory is each child's max RSS (``wait4``).

Two record variants per size: ``bound`` (every sign-off carries its digest, as ``fes-docs sign`` writes it:
the clean path, exit 0) and ``unbound`` (the generator's hand-style sign-offs without a digest: four FES704
warnings per record, the case issue 14 profiles). ``--spec small`` (the default) gives the generated
project a 20 KB OpenAPI spec, so the rows measure the records and their migrations, not the 2 MB spec
(``openapi_vs_rs.py`` measures the spec, ``build.py`` the site build side by side).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from as_installed import keep_bytecode  # noqa: E402
from generate import SPEC_BYTES, generate  # noqa: E402

OUT = Path(__file__).parent / "out"
PY = sys.executable
#: The baseline: a bare libyaml parse of the same release files, in one fresh process.
PARSE = (
    "import pathlib, sys, yaml\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml')):\n"
    "    with p.open('rb') as fh:\n"
    "        yaml.load(fh, Loader=yaml.CSafeLoader)\n"
)


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
    cmd: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None, env: dict[str, str] | None = None
) -> tuple[float, int, int]:
    walls, rss, code = [], 0, 0
    for _ in range(runs):
        if before is not None:
            before()
        wall, mb, code = timed(cmd, cwd, env)
        walls.append(wall)
        rss = max(rss, mb)
    return statistics.median(walls), rss, code


def clear_cache(root: Path) -> None:
    from fes_docs.cache import Cache

    shutil.rmtree(Cache(root).folder, ignore_errors=True)


def side_by_side(root: Path, runs: int) -> dict[str, object]:
    """Parse baseline, cold and warm validate, back to back in each of ``runs`` rounds (see the docstring)."""
    validate = [PY, "-m", "fes_docs", "validate", "--root", str(root)]
    parse = [PY, "-c", PARSE, str(root / "releases")]
    walls: dict[str, list[float]] = {"parse": [], "cold": [], "warm": []}
    rss: dict[str, int] = {"parse": 0, "cold": 0, "warm": 0}
    code = 0
    for _ in range(runs):
        for kind in ("parse", "cold", "warm"):
            if kind == "cold":
                clear_cache(root)
            wall, mb, exit_code = timed(parse if kind == "parse" else validate, root)
            walls[kind].append(wall)
            rss[kind] = max(rss[kind], mb)
            code = exit_code if kind != "parse" else code
    ratio = {k: [w / p for w, p in zip(walls[k], walls["parse"], strict=True)] for k in ("cold", "warm")}
    return {
        "parse_s": round(statistics.median(walls["parse"]), 3),
        "validate_cold_s": round(statistics.median(walls["cold"]), 3),
        "validate_warm_s": round(statistics.median(walls["warm"]), 3),
        "cold_over_parse": round(statistics.median(ratio["cold"]), 2),
        "warm_over_parse": round(statistics.median(ratio["warm"]), 2),
        "parse_rss_mb": rss["parse"],
        "validate_cold_rss_mb": rss["cold"],
        "validate_warm_rss_mb": rss["warm"],
        "validate_exit": code,
        "rounds": {k: [round(w, 3) for w in v] for k, v in walls.items()},
    }


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


def project(n: int, spec: str, bound: bool, work: Path) -> Path:
    """A generated project of ``n`` records; ``bound``: every sign-off signed with its digest."""
    root = generate(work / f"project-{n}-{spec}-{'bound' if bound else 'unbound'}", n, spec_bytes=SPEC_BYTES[spec])
    subprocess.run(
        [PY, "-m", "fes_docs", "schema", "--write", "--root", str(root)], check=True, stdout=subprocess.DEVNULL
    )
    if bound:
        subprocess.run([PY, str(Path(__file__).parent / "sign_all.py"), str(root)], check=True)
    return root


def bench(n: int, runs: int, spec: str, build: bool, peer: bool, work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for bound in (True, False):
        root = project(n, spec, bound, work)
        row: dict[str, object] = {"releases": n, "signoffs": "bound" if bound else "unbound", "spec": spec}
        row.update(side_by_side(root, runs))
        rows.append(row)
        if not bound:
            continue
        files = sorted(str(p) for p in (root / "releases").glob("*.yaml") if p.name != "policy.yaml")
        cj = shutil.which("check-jsonschema")
        if peer and cj:
            schema = str(root / "releases/schema/release.schema.json")
            peer_s = median([cj, "--schemafile", schema, *files], root, max(1, runs // 2))[0]
            row["check_jsonschema_s"] = round(peer_s, 3)
        if build:
            plugin_config(root)
            with_plugin, build_rss, _ = median(
                [PY, "-m", "mkdocs", "build", "-q", "-d", str(work / "site-plugin")],
                root,
                max(1, runs // 2),
                before=functools.partial(clear_cache, root),
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
    return rows


COLUMNS = (
    "releases",
    "signoffs",
    "parse_s",
    "validate_cold_s",
    "cold_over_parse",
    "validate_warm_s",
    "warm_over_parse",
    "validate_cold_rss_mb",
    "validate_warm_rss_mb",
    "validate_exit",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--big", type=int, default=10000, help="second size, for linear growth and memory (0: skip)")
    ap.add_argument("--runs", type=int, default=5, help="rounds at --releases (at --big: half as many, at least 1)")
    ap.add_argument("--spec", choices=sorted(SPEC_BYTES), default="small", help="the generated OpenAPI spec")
    ap.add_argument("--skip-build", action="store_true", help="no site builds (benchmarks/build.py has its own)")
    ap.add_argument("--skip-peer", action="store_true", help="no check-jsonschema baseline")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fes-docs-bench"))
    args = ap.parse_args()
    keep_bytecode(args.work / "pycache")  # fes-docs as installed: see as_installed.py
    args.work.mkdir(parents=True, exist_ok=True)
    build, peer = not args.skip_build, not args.skip_peer
    rows = bench(args.releases, args.runs, args.spec, build, peer, args.work)
    if args.big:
        rows += bench(args.big, max(1, args.runs // 2), args.spec, build, peer, args.work)
    result: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "rows": rows,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    extra = sorted({k for r in rows for k in r} - set(COLUMNS) - {"rounds", "spec", "parse_rss_mb"})
    keys = [*COLUMNS, *extra]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |")


if __name__ == "__main__":
    main()
