"""Benchmarks measure fes-docs as installed: with its bytecode.

``pip install`` compiles a package's bytecode; an editable install under ``PYTHONDONTWRITEBYTECODE`` (set
on the development machine) has none, so every fresh ``fes-docs`` process compiled the whole package again
(0.15–0.2 s a process), while a baseline that imports nothing of ours did not. :func:`keep_bytecode` has
the benchmark's children read and write bytecode in a folder of their own, compiled once up front.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fes_docs"


def keep_bytecode(folder: Path) -> None:
    """From now on, this process's children keep bytecode in ``folder``; fes_docs is compiled there now."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    code = f"import compileall; compileall.compile_dir({str(PACKAGE)!r}, quiet=1)"
    subprocess.run([sys.executable, "-c", code], check=True)
