"""The spec's share of a cold check against openapi-spec-validator-rs alone, side by side, one run.

Why: issue 14 measured our cold spec check at 19-40x the Rust validator. For every real spec in
shared/realdata (oai-examples, oai-schema-tests) and the generated ~2 MB one, time ``load_spec`` with
an empty cache against ``validate_bytes`` of the same bytes; print each ratio and the totals.

Run: ``python benchmarks/openapi_vs_rs.py``.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from openapi_2mb import generate  # noqa: E402
from openapi_spec_validator_rs import _core  # noqa: E402

from fes_docs import openapi  # noqa: E402

REAL = Path(__file__).parents[2] / "shared" / "realdata"


def _pair(root: Path, rel: str) -> tuple[float, float]:
    openapi.clear_cache()
    start = time.perf_counter()
    openapi.load_spec(root, rel)
    ours = time.perf_counter() - start
    data = (root / rel).read_bytes()
    start = time.perf_counter()
    with contextlib.suppress(Exception):  # an unparsable spec still costs what it cost
        _core.validate_bytes(data, rel, (root / rel).resolve().as_uri(), None, True, None, None, None)
    return ours, time.perf_counter() - start


def main() -> int:
    openapi.load_spec(REAL / "oai-examples", "examples/v3.0/petstore.yaml")  # imports, once
    total = [0.0, 0.0]
    for folder in ("oai-examples", "oai-schema-tests"):
        for path in sorted((REAL / folder).rglob("*")):
            if path.suffix in (".yaml", ".yml", ".json"):
                ours, rs = _pair(REAL / folder, path.relative_to(REAL / folder).as_posix())
                total[0] += ours
                total[1] += rs
    print(f"real specs: ours {total[0]:.3f}s, rs alone {total[1]:.3f}s, ratio {total[0] / total[1]:.1f}x")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "openapi.yaml").write_text(generate())
        ours, rs = _pair(Path(tmp), "openapi.yaml")
    print(f"2 MB synthetic: ours {ours:.3f}s, rs alone {rs:.3f}s, ratio {ours / rs:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
