"""Helpers for the render tests: Markdown -> parsed HTML exactly as the site renders it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import markdown
import yaml

FIXTURES = Path(__file__).parents[2] / "fixtures" / "render"
TODAY = "2026-01-01"
# The extensions of the repository's mkdocs.yml (those Zensical supports too).
EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
]
EXTENSION_CONFIGS = {
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.tasklist": {"custom_checkbox": True},
}


def _load_htmldom() -> ModuleType:
    """The acceptance tests' small DOM (one copy of it in the test tree)."""
    if "htmldom" in sys.modules:
        return sys.modules["htmldom"]
    path = Path(__file__).parents[2] / "acceptance" / "htmldom.py"
    spec = importlib.util.spec_from_file_location("htmldom", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["htmldom"] = module
    spec.loader.exec_module(module)
    return module


htmldom = _load_htmldom()


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """What MkDocs does with a page: YAML front matter off the top, the rest is Markdown."""
    if text.startswith("---\n"):
        head, _, body = text[4:].partition("\n---\n")
        return yaml.safe_load(head) or {}, body
    return {}, text


def to_html(text: str) -> str:
    _, body = split_front_matter(text)
    return markdown.markdown(body, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


def dom(text: str) -> Any:
    """Markdown page -> parsed HTML (an ``htmldom.Node``)."""
    return htmldom.parse(to_html(text))
