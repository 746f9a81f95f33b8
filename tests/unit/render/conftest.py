"""Render fixtures: checked fixture projects, and Markdown -> parsed HTML with the site's extensions."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import markdown
import pytest
import yaml

from fes_docs.check import Result, check

FIXTURES = Path(__file__).parents[2] / "fixtures" / "render"
TODAY = "2026-01-01"
# The extensions of the repository's mkdocs.yml (those Zensical supports too).
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.details",
              "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist"]
EXTENSION_CONFIGS = {"pymdownx.tabbed": {"alternate_style": True}, "pymdownx.tasklist": {"custom_checkbox": True}}


def _load_htmldom() -> ModuleType:
    path = Path(__file__).parents[2] / "acceptance" / "htmldom.py"
    spec = importlib.util.spec_from_file_location("htmldom", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
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


@pytest.fixture
def dom() -> Callable[[str], Any]:
    """Markdown page -> parsed HTML (an ``htmldom.Node``), rendered as the site renders it."""
    return lambda text: htmldom.parse(to_html(text))


@pytest.fixture(scope="session")
def project_result() -> Result:
    return check(FIXTURES / "project", today=TODAY)


@pytest.fixture(scope="session")
def hostile_result() -> Result:
    return check(FIXTURES / "hostile", today=TODAY)
