"""Spring Boot's own configuration (``application*.properties``, ``application*.yml``), read as flat settings.

A Spring Boot service already names what ``fes-docs init`` looks for: its feature flags (the keys the rollback
page switches off, ``features.enable-x=false``), its datasource (``jdbc:postgresql:…``: the SQL dialect) and its
Flyway settings (``spring.flyway.locations``, placeholders, schemas). Spring reads both formats into one flat
key space — a YAML mapping ``features: {enable-x: true}`` is the key ``features.enable-x`` — so that is how they
are read here: :func:`read_settings` gives one ``{dotted key: value}`` per file, values as text (``true``), the
documents of a multi-document YAML file (``---``, one per profile) merged in order.

Every file is read through the project's :class:`~fes_docs.inputs.ProjectInputs` (contained, size-limited);
YAML through the project's guarded loader (no alias bombs, bounded depth). A file that cannot be read or
parsed gives no settings and a one-line reason, never an exception.
"""

from __future__ import annotations

import re
from typing import Any

from .flyway_files import java_properties
from .inputs import InputError, ProjectInputs
from .loader import load_text

#: Spring Boot's configuration file names (``application.yml``, ``application-prod.properties`` …).
CONFIG_NAME = re.compile(r"^application(?:-[A-Za-z0-9_.-]+)?\.(?:properties|ya?ml)$")
#: A configuration file larger than this is not a configuration file anyone wrote by hand.
MAX_CONFIG_BYTES = 1_000_000
#: Settings read from one file at most (a flat key space of a crafted file cannot grow the policy without end).
MAX_SETTINGS = 20_000
_DOCUMENT = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)


def read_settings(inputs: ProjectInputs, rel: str) -> tuple[dict[str, str], str | None]:
    """The settings of one Spring configuration file, and why there are none when it cannot be read."""
    try:
        text = inputs.read_bytes(rel, MAX_CONFIG_BYTES).decode("utf-8")
    except InputError as exc:
        return {}, f"{rel}: {exc.problem.message}"
    except UnicodeDecodeError:
        return {}, f"{rel}: not UTF-8 text"
    if rel.endswith(".properties"):
        return dict(list(java_properties(text).items())[:MAX_SETTINGS]), None
    out: dict[str, str] = {}
    for part in _DOCUMENT.split(text):
        doc, problems = load_text(part, rel)
        if problems:
            return out, f"{rel}: {problems[0].message} (line {problems[0].line} of its document)"
        if doc is not None:
            _flatten(doc.data, "", out)
    return out, None


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    """``value``'s scalars under dotted keys, as Spring binds them (lists are left out: no flag is a list item)."""
    stack = [(prefix, value)]
    while stack and len(out) < MAX_SETTINGS:
        key, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{key}.{k}" if key else str(k), v) for k, v in reversed(list(item.items())))
        elif key and not isinstance(item, list):
            out[key] = _text(item)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


_PLACEHOLDER = re.compile(r"^\$\{[^:}]+:(?P<default>[^}]*)\}$")


def resolved(value: str) -> str:
    """A value as it reads without the environment: a Spring placeholder ``${FEATURE_X:false}`` is its default."""
    match = _PLACEHOLDER.match(value.strip())
    return match.group("default").strip() if match else value.strip()


def relaxed(key: str) -> str:
    """Spring's relaxed binding: ``baseline-version``, ``baselineVersion`` and ``baseline_version`` are one key."""
    return key.replace("-", "").replace("_", "").lower()
