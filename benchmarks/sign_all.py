"""Bind every sign-off of a generated project to its record's content (as `fes-docs sign` would), in bulk.

The synthetic records are written with hand-style sign-offs; without digests each would be an FES704
warning, which is not the clean path a benchmark should measure. Usage: ``python3 sign_all.py ROOT``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from fes_docs.loader import load_text
from fes_docs.model import Release
from fes_docs.signoffs import release_digest


def main() -> None:
    root = Path(sys.argv[1])
    for path in sorted((root / "releases").glob("*.yaml")):
        if path.name == "policy.yaml":
            continue
        text = path.read_text()
        doc, _ = load_text(text, path.name)
        assert doc is not None
        digest = release_digest(Release.from_doc(doc))
        text = re.sub(r"(\{role: \w+, by: \w+, date: [\d-]+)\}", rf"\1, digest: '{digest}'}}", text)
        yaml.safe_load(text)
        path.write_text(text)


if __name__ == "__main__":
    main()
