"""The spec's share of a cold ``fes-docs validate`` against openapi-spec-validator-rs alone, side by side.

Issue 14's measure, in one run on this machine:

* **ours**: a cold ``fes-docs validate`` (fresh process, cache removed) of the example project with a big
  real spec, minus the same of the same project with its own small spec: what the spec adds;
* **theirs**: one fresh ``openapi-spec-validator-rs`` process that parses and fully validates that spec.

Specs: the vendored real ones in ``benchmarks/specs`` (Kubernetes and Stripe, valid; AWS IoT, 22 real
errors) as JSON, and the two valid ones also written as YAML. Each pair of timings is the median of
``--runs`` alternating runs; peak memory is each child's max RSS.

Run: ``python3 benchmarks/openapi_vs_rs.py [--runs 5] [--out benchmarks/out/openapi.json]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import yaml
from as_installed import keep_bytecode  # noqa: E402

HERE = Path(__file__).parent
REPO = HERE.parent
SPECS = HERE / "specs"
CASES = [  # (name, vendored file, written as)
    ("kubernetes.io (4.4 MB)", "kubernetes.io.json.gz", "json"),
    ("kubernetes.io (5.0 MB)", "kubernetes.io.json.gz", "yaml"),
    ("stripe.com (2.5 MB)", "stripe.com.json.gz", "json"),
    ("stripe.com (3.7 MB)", "stripe.com.json.gz", "yaml"),
    ("aws iot, 22 errors (1.0 MB)", "aws-iot.json.gz", "json"),
]


def _run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, max RSS in MB) of one fresh process; exit codes 0 and 1 are both results."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err[-2000:]}")
    return wall, usage.ru_maxrss // 1024


def _tool(name: str) -> str:
    """The console script beside this interpreter (not a shim that starts a shell first)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name) or name


def _project(work: Path, name: str, spec: bytes | None, suffix: str) -> Path:
    """A copy of the repository's example project; with ``spec``, its spec replaced by that one."""
    root = work / name
    for part in ("releases", "service"):
        shutil.copytree(REPO / part, root / part)
    if spec is not None:
        (root / "service" / "openapi.yaml").unlink()
        (root / "service" / f"openapi.{suffix}").write_bytes(spec)
        policy = root / "releases" / "policy.yaml"
        policy.write_text(re.sub(r"service/openapi\.yaml", f"service/openapi.{suffix}", policy.read_text()))
    return root


def _cold(root: Path) -> tuple[float, int]:
    shutil.rmtree(root / ".fes-docs-cache", ignore_errors=True)
    from fes_docs.cache import Cache

    shutil.rmtree(Cache(root).folder, ignore_errors=True)
    return _run([_tool("fes-docs"), "validate", "--format", "json"], root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "openapi.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keep_bytecode(work / "pycache")  # fes-docs as installed: see as_installed.py
        small = _project(work, "small", None, "yaml")
        for i, (name, vendored, form) in enumerate(CASES):
            data = json.loads(gzip.decompress((SPECS / vendored).read_bytes()))
            spec = (
                json.dumps(data).encode()
                if form == "json"
                else yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=120).encode()
            )
            big = _project(work, f"big{i}", spec, form)
            alone = big / "service" / f"openapi.{form}"
            base, with_spec, rs, rss = [], [], [], [0, 0]
            for _ in range(args.runs):  # alternating, so a busy moment hits all three alike
                base.append(_cold(small)[0])
                wall, mb = _cold(big)
                with_spec.append(wall)
                rss[0] = max(rss[0], mb)
                wall, mb = _run([_tool("openapi-spec-validator-rs"), str(alone)], big)
                rs.append(wall)
                rss[1] = max(rss[1], mb)
            share = statistics.median(with_spec) - statistics.median(base)
            alone_s = statistics.median(rs)
            row = {
                "spec": name,
                "form": form,
                "bytes": len(spec),
                "validate_small_spec_s": round(statistics.median(base), 3),
                "validate_big_spec_s": round(statistics.median(with_spec), 3),
                "spec_share_s": round(share, 3),
                "validator_alone_s": round(alone_s, 3),
                "ratio": round(share / alone_s, 2),
                "validate_big_spec_rss_mb": rss[0],
                "validator_alone_rss_mb": rss[1],
            }
            rows.append(row)
            print(
                f"{name:32} {form:4}  share {share:6.3f} s  rs alone {alone_s:6.3f} s  ratio {share / alone_s:5.2f}"
                f"  (validate {row['validate_big_spec_s']:.3f} - {row['validate_small_spec_s']:.3f} s;"
                f" RSS {rss[0]} / {rss[1]} MB)",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": args.runs, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
