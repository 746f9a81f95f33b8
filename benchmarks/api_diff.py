"""``fes-docs api-diff`` on real spec pairs against a bare parse of the same two files, side by side (issue 16).

Issue 16 asks for a diff of two OpenAPI specs "in about the time of parsing both". So each round runs,
as fresh processes back to back on the same pair:

* **parse**: one Python process that only parses both files — ``json.loads`` for ``.json``, and for
  YAML the parser fes-docs reads specs with (openapi-spec-validator-rs's ``_core.load``; fes-docs
  also screens a YAML spec for aliases and repeated keys, which this baseline leaves out);
* **api-diff**: ``python3 -m fes_docs api-diff BASE HEAD --format json`` on the two files.

Pairs: the vendored real specs in ``benchmarks/specs`` (Kubernetes 4.35 MB, Stripe 2.50 MB, both
OpenAPI 3.0 JSON) as the base, and as the head a copy with a handful of the edits a release makes
(:func:`edit`: an operation removed, one added, a required query parameter added, one operation
deprecated, a property's type changed, an optional property added, an enum value added where the spec
has one), both written to a temporary folder; and Stripe's pair again as YAML (PyYAML block style, as
``openapi_vs_rs.py`` writes it). Medians of ``--runs`` alternating rounds, the median of the rounds'
ratios, wall-clock and CPU (user + system: steadier when the machine is shared), and each child's
peak RSS (the files are written by a child, so that this process stays
small: on Linux a child's peak RSS starts at its parent's). ``--code NAME=DIR`` (repeated) times
other checkouts' ``fes_docs`` in the same rounds, e.g. before and after a change.

Run: ``python3 benchmarks/api_diff.py [--runs 7] [--yaml stripe|kubernetes|both|none] [--code NAME=DIR ...]
[--out FILE]``.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REPO = HERE.parent
SPECS = HERE / "specs"
PARSE = """
import json, sys
for name in sys.argv[1:]:
    data = open(name, "rb").read()
    if name.endswith(".json"):
        json.loads(data)
    else:
        from openapi_spec_validator_rs import _core
        _core.load(data, name)
"""
METHODS = ("get", "put", "post", "delete", "patch")


def edit(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``spec`` (OpenAPI 3) with a release's worth of edits, and what they were.

    Deterministic (sorted choices), so every run compares the same pair.
    """
    head = copy.deepcopy(spec)
    paths = head["paths"]
    ops = sorted((p, m) for p, item in paths.items() for m in METHODS if isinstance(item.get(m), dict))
    done: list[str] = []
    path, method = ops[len(ops) // 3]
    del paths[path][method]
    done.append(f"removed {method.upper()} {path}")
    path, method = ops[len(ops) // 2]
    params = paths[path][method].setdefault("parameters", [])
    params.append({"name": "fesBenchFilter", "in": "query", "required": True, "schema": {"type": "string"}})
    done.append(f"required query parameter added to {method.upper()} {path}")
    path, method = ops[(2 * len(ops)) // 3]
    paths[path][method]["deprecated"] = True
    paths[path][method]["x-sunset"] = "2027-06-30"
    done.append(f"deprecated {method.upper()} {path}")
    paths["/fes-bench/added"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    done.append("added GET /fes-bench/added")
    schemas = head["components"]["schemas"]
    names = sorted(schemas)
    typed = [
        (n, p)
        for n in names
        for p, s in sorted((schemas[n].get("properties") or {}).items())
        if isinstance(s, dict) and s.get("type") == "string" and "enum" not in s
    ]
    name, prop = typed[len(typed) // 2]
    schemas[name]["properties"][prop]["type"] = "integer"
    done.append(f"type of {name}.{prop} string -> integer")
    name = next(n for n in names[len(names) // 4 :] if isinstance(schemas[n].get("properties"), dict))
    schemas[name]["properties"]["fesBenchNote"] = {"type": "string"}
    done.append(f"optional property added to {name}")
    enums = [
        (n, p)
        for n in names
        for p, s in sorted((schemas[n].get("properties") or {}).items())
        if isinstance(s, dict) and isinstance(s.get("enum"), list)
    ]
    if enums:
        name, prop = enums[len(enums) // 2]
        schemas[name]["properties"][prop]["enum"].append("fes_bench_value")
        done.append(f"enum value added to {name}.{prop}")
    return head, done


def _write(folder: Path, name: str, data: Any, fmt: str) -> Path:
    path = folder / f"{name}.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    else:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[tuple[float, float, int], bytes]:
    """((wall seconds, CPU seconds, peak RSS in MB), its stdout) of one child, from wait4 (the CPU of its
    own children included: fes-docs forks for a big YAML file); exit 0 and 1 are both results."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.read().decode(errors='replace')[-2000:]}")
        out.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024), out.read()


def pairs(folder: Path, yaml_of: str) -> list[tuple[str, Path, Path, list[str]]]:
    """(label, base file, head file, the edits) for each pair, written into ``folder``."""
    out = []
    for vendored, short in (("kubernetes.io.json.gz", "kubernetes"), ("stripe.com.json.gz", "stripe")):
        spec = json.loads(gzip.decompress((SPECS / vendored).read_bytes()))
        head, done = edit(spec)
        formats = ["json"] + (["yaml"] if yaml_of in (short, "both") else [])
        for fmt in formats:
            base_file = _write(folder, f"{short}-base", spec, fmt)
            head_file = _write(folder, f"{short}-head", head, fmt)
            size = base_file.stat().st_size / 1e6
            out.append((f"{short} {fmt.upper()} ({size:.2f} MB)", base_file, head_file, done))
    return out


def _arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--yaml", choices=("stripe", "kubernetes", "both", "none"), default="stripe")
    ap.add_argument("--out", type=Path, help="also write the results as JSON here")
    ap.add_argument(
        "--code",
        action="append",
        metavar="[NAME=]DIR",
        help="a folder whose fes_docs is run (an older checkout: `git archive REV fes_docs | tar -x -C DIR`); "
        "repeat it to time several side by side, each round alternating (default: this checkout)",
    )
    ap.add_argument("--show-edits", action="store_true", help="print each pair's edits and the report's summary")
    ap.add_argument("--write-pairs", type=Path, help=argparse.SUPPRESS)  # the child that writes the files
    return ap.parse_args()


def _codes(given: list[str] | None) -> list[tuple[str, Path]]:
    out = []
    for text in given or [f"now={REPO}"]:
        name, _, folder = text.rpartition("=")
        out.append((name or Path(folder).name, Path(folder).resolve()))
    return out


Sample = tuple[float, float, int]  # wall s, CPU s, peak RSS MB


def _median_row(parse: list[Sample], diff: list[Sample]) -> dict[str, Any]:
    """Medians of the rounds (wall and CPU), the median of the rounds' ratios, the largest peak RSS."""
    out: dict[str, Any] = {}
    for i, what in ((0, "wall"), (1, "cpu")):
        out[f"parse_{what}_s"] = round(statistics.median(p[i] for p in parse), 3)
        out[f"api_diff_{what}_s"] = round(statistics.median(d[i] for d in diff), 3)
        out[f"ratio_{what}"] = round(statistics.median(d[i] / p[i] for p, d in zip(parse, diff, strict=True)), 2)
    out["parse_rss_mb"] = max(p[2] for p in parse)
    out["api_diff_rss_mb"] = max(d[2] for d in diff)
    return out


def main() -> None:
    args = _arguments()
    if args.write_pairs:  # in a child, so that this process stays small: a child's peak RSS starts at its parent's
        found = pairs(args.write_pairs, args.yaml)
        print(json.dumps([(label, str(b), str(h), done) for label, b, h, done in found]))
        return
    python = sys.executable
    codes = _codes(args.code)
    results = []
    with tempfile.TemporaryDirectory(prefix="fes-api-diff-") as tmp:
        folder = Path(tmp)
        # an installed fes-docs has its bytecode; with PYTHONDONTWRITEBYTECODE (set on the development
        # machine) every child would compile the package again (0.15 s), so bytecode goes to the temp folder
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        listing = subprocess.run(
            [python, __file__, "--write-pairs", str(folder), "--yaml", args.yaml], check=True, capture_output=True
        )
        for label, base, head, done in json.loads(listing.stdout):
            parse_cmd = [python, "-c", PARSE, base, head]
            diff_cmd = [python, "-m", "fes_docs", "api-diff", base, head, "--format", "json"]
            envs = {name: dict(os.environ, PYTHONPATH=str(code)) for name, code in codes}
            for env in envs.values():
                _timed(diff_cmd, folder, env)  # warm the page cache and the bytecode once
            parse: list[Sample] = []
            diffs: dict[str, list[Sample]] = {name: [] for name in envs}
            reports: dict[str, bytes] = {}
            for _ in range(args.runs):
                parse.append(_timed(parse_cmd, folder, dict(os.environ))[0])
                for name, env in envs.items():
                    sample, reports[name] = _timed(diff_cmd, folder, env)
                    diffs[name].append(sample)
            for name in envs:
                doc = json.loads(reports[name])
                row = {"pair": label, "code": name, **_median_row(parse, diffs[name])}
                row |= {"summary": doc["summary"], "changes": len(doc["changes"])}
                results.append(row)
                print(
                    f"{label:26} {name:7} parse both {row['parse_wall_s']:.3f} s wall / {row['parse_cpu_s']:.3f} s CPU"
                    f" ({row['parse_rss_mb']} MB)  api-diff {row['api_diff_wall_s']:.3f} / {row['api_diff_cpu_s']:.3f}"
                    f" ({row['api_diff_rss_mb']} MB)  ratio {row['ratio_wall']:.2f} / {row['ratio_cpu']:.2f}"
                    f"  [{row['changes']} changes]",
                    flush=True,
                )
            if len({reports[name] for name in envs}) > 1:
                print("  the reports differ between the codes compared")
            if args.show_edits:
                print("  edits: " + "; ".join(done))
                print(f"  summary: {json.loads(reports[next(iter(envs))])['summary']}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores: other work on the machine moves the ratio)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
