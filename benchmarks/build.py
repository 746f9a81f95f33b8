"""The site build side by side: ``mkdocs build`` with the fes-docs plugin (cold cache) against a plain
``mkdocs build`` of the very same pages (written out by ``fes-docs render``), same theme, same nav.

Usage: ``python3 benchmarks/build.py [--releases 1000] [--runs 3] [--spec big|small|both] [--work DIR]``.

Why a benchmark of its own: on a shared 2-core machine only a ratio measured in one run means
anything, so each round builds the plugin site and then the plain site, back to back; printed are the
ratio of the medians and the median of the rounds' ratios (steadier when the load changes between
rounds). Before each plugin build the project's fes-docs cache folder is deleted (the cold path CI
takes). Peak memory is the max RSS ``wait4`` reports for each build: the largest of the build process
and the processes it waited for (the plugin's worker, which checks and renders, included).

The plain site gets exactly what the plugin gives MkDocs: the pages and files ``fes-docs render``
writes (``releases.json`` and the stylesheet too), the stylesheet in ``extra_css`` and the nav the
plugin builds (:func:`fes_docs.render.site_nav` put in by :func:`fes_docs.plugin.insert_nav`), so both
builds render the same pages with the same sidebar. After the first round the two output folders are
compared (pages, bytes, files whose size differs) and the comparison is printed: a ratio between
builds of different pages would measure nothing.

``--spec small`` has the generator write a 20 KB OpenAPI spec instead of the 2 MB one, to show the
build without the spec's validation (which ``openapi_2mb.py`` and ``openapi_vs_rs.py`` measure).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from as_installed import keep_bytecode  # noqa: E402
from generate import SPEC_BYTES, generate  # noqa: E402

PY = sys.executable


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, max RSS in MB) of one fresh process; a failed build stops the benchmark."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{err[-3000:]}")
    return wall, usage.ru_maxrss // 1024


def clear_cache(root: Path) -> None:
    from fes_docs.cache import Cache

    shutil.rmtree(Cache(root).folder, ignore_errors=True)


def project(work: Path, n: int, spec: str) -> Path:
    """The synthetic project, signed, its mkdocs.yml with the search plugin and fes-docs (as run.py)."""
    root = generate(work / f"project-{n}-{spec}", n, spec_bytes=SPEC_BYTES[spec])
    subprocess.run(
        [PY, "-m", "fes_docs", "schema", "--write", "--root", str(root)], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run([PY, str(Path(__file__).parent / "sign_all.py"), str(root)], check=True)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins: [fes-docs]\n", "plugins: [search, fes-docs]\n"))
    return root


def plain_site(root: Path, dest: Path) -> Path:
    """The plugin's pages as files in an MkDocs project of their own: same theme, extensions, CSS, nav."""
    from fes_docs.check import check_project
    from fes_docs.plugin import insert_nav
    from fes_docs.project import load_project
    from fes_docs.render import STYLESHEET, site_nav

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "docs").mkdir(parents=True)
    shutil.copy(root / "docs" / "index.md", dest / "docs" / "index.md")
    subprocess.run(
        [PY, "-m", "fes_docs", "render", "--root", str(root), "--out", str(dest / "docs" / "releases")],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    nav: list[object] = ["index.md"]  # what the plugin builds from docs_dir when mkdocs.yml has no nav
    insert_nav(nav, "Releases", "releases", site_nav(check_project(load_project(root))))
    config = (root / "mkdocs.yml").read_text().replace("plugins: [search, fes-docs]\n", "plugins: [search]\n")
    config += f"extra_css: [releases/{STYLESHEET}]\nnav: {json.dumps(nav)}\n"
    (dest / "mkdocs.yml").write_text(config)
    clear_cache(root)
    return dest


def compare(plugin_site: Path, plain: Path) -> dict[str, object]:
    """Pages and bytes of the two built sites, and how many files differ in size (search index aside)."""

    def sizes(site: Path) -> dict[str, int]:
        return {str(p.relative_to(site)): p.stat().st_size for p in site.rglob("*") if p.is_file()}

    a, b = sizes(plugin_site), sizes(plain)
    pages = [k for k in a if k.endswith(".html")]
    return {
        "pages_plugin": len(pages),
        "pages_plain": sum(k.endswith(".html") for k in b),
        "html_mb_plugin": round(sum(a[k] for k in pages) / 1e6, 2),
        "html_mb_plain": round(sum(v for k, v in b.items() if k.endswith(".html")) / 1e6, 2),
        "only_in_one": sorted(set(a) ^ set(b))[:5],
        "size_differs": sorted(k for k in set(a) & set(b) if a[k] != b[k] and not k.startswith("search/"))[:5],
    }


def bench(work: Path, n: int, spec: str, runs: int) -> dict[str, object]:
    root = project(work, n, spec)
    plain = plain_site(root, work / f"plain-{n}-{spec}")
    out_plugin, out_plain = work / f"site-plugin-{n}-{spec}", work / f"site-plain-{n}-{spec}"
    build = [PY, "-m", "mkdocs", "build", "-q", "-d"]
    rounds: list[tuple[float, int, float, int]] = []
    row: dict[str, object] = {"releases": n, "spec": spec}
    for i in range(runs):
        clear_cache(root)
        with_plugin, rss_plugin = timed([*build, str(out_plugin)], root)
        without, rss_plain = timed([*build, str(out_plain)], plain)
        rounds.append((with_plugin, rss_plugin, without, rss_plain))
        print(
            f"  {n} releases, {spec} spec, round {i + 1}: plugin {with_plugin:.2f} s / {rss_plugin} MB, "
            f"plain {without:.2f} s / {rss_plain} MB, ratio {with_plugin / without:.3f}",
            file=sys.stderr,
        )
        if i == 0:
            row["same_pages"] = compare(out_plugin, out_plain)
    plugin_s = statistics.median(r[0] for r in rounds)
    plain_s = statistics.median(r[2] for r in rounds)
    rss_plugin, rss_plain = max(r[1] for r in rounds), max(r[3] for r in rounds)
    row.update(
        plugin_s=round(plugin_s, 2),
        plain_s=round(plain_s, 2),
        ratio=round(plugin_s / plain_s, 3),
        ratio_per_round=[round(r[0] / r[2], 3) for r in rounds],
        # the median round: each round's two builds share the machine's load, so this is the steadier one
        median_round_ratio=round(statistics.median(r[0] / r[2] for r in rounds), 3),
        rss_plugin_mb=rss_plugin,
        rss_plain_mb=rss_plain,
        rss_ratio=round(rss_plugin / rss_plain, 3),
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3, help="rounds of (plugin build, plain build); medians")
    ap.add_argument("--spec", choices=["big", "small", "both"], default="both")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fes-docs-build-bench"))
    args = ap.parse_args()
    keep_bytecode(args.work / "pycache")  # fes-docs as installed: see as_installed.py
    args.work.mkdir(parents=True, exist_ok=True)
    specs = ["big", "small"] if args.spec == "both" else [args.spec]
    rows = [bench(args.work, args.releases, spec, args.runs) for spec in specs]
    print(
        "| releases | spec | plugin (cold) | plain | ratio of medians | median round ratio (rounds) "
        "| peak RSS plugin / plain | RSS ratio | pages |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        same = r["same_pages"]
        assert isinstance(same, dict)
        print(
            f"| {r['releases']} | {r['spec']} | {r['plugin_s']} s | {r['plain_s']} s | {r['ratio']} "
            f"| {r['median_round_ratio']} {r['ratio_per_round']} "
            f"| {r['rss_plugin_mb']} / {r['rss_plain_mb']} MB | {r['rss_ratio']} "
            f"| {same['pages_plugin']} / {same['pages_plain']} "
            f"({same['html_mb_plugin']} / {same['html_mb_plain']} MB of HTML) |"
        )
    for r in rows:
        print(f"{r['releases']} {r['spec']}: {json.dumps(r['same_pages'])}")


if __name__ == "__main__":
    main()
