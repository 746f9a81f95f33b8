"""Flyway's own configuration files (``flyway.conf``, ``flyway.toml``) and Java migrations, read from the project.

A project adopting fes-docs already tells Flyway its placeholders, schemas, baseline and the database it
connects to — in ``flyway.conf`` (Java properties, Flyway ≤ 9) or ``flyway.toml`` (Flyway 10+). Asking for
the same values again in the policy would let the two drift, so they are read here (at the project root, in
``conf/``, or next to the migrations folder) into a :class:`~fes_docs.flyway_config.FlywayConfig` and
merged *under* the policy's ``flyway:`` block: a value the policy sets wins, the file fills the rest.

Java migrations (``V3__Backfill.java`` in the migrations folder or in the Java source tree beside a
``src/main/resources`` folder) are found here too: Flyway runs them, the dry run cannot, and must say so.
Everything is read through the project's one I/O layer (:class:`~fes_docs.inputs.ProjectInputs`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from typing import Any

from .flyway_config import FlywayConfig
from .inputs import InputError, ProjectInputs

__all__ = ["config_files", "java_migrations", "java_properties", "merged", "raw_settings", "read_flyway_files"]

_NAMES = ("flyway.conf", "flyway.toml")
_PROPERTY = re.compile(r"([^=:\s]+)\s*[=:]\s*(.*)")
_JDBC_DATABASE = re.compile(r"^jdbc:postgresql://[^/?]*/([^?;]+)")
_JAVA = re.compile(r"^[VR][^/]*__[^/]*\.(?:java|kt)$|^V[0-9][^/]*\.(?:java|kt)$")


def config_files(inputs: ProjectInputs, migrations_dir: str | None) -> list[str]:
    """The Flyway configuration files present, project-relative, in the order Flyway would layer them."""
    folders = ["", "conf"]
    if migrations_dir:
        parent = migrations_dir.rstrip("/").rpartition("/")[0]
        folders += [parent, migrations_dir.rstrip("/")]
    seen: list[str] = []
    for folder in dict.fromkeys(folders):
        entries = inputs.list_entries(folder or ".")
        for name in _NAMES:
            rel = f"{folder}/{name}" if folder else name
            if entries.get(name) == "file" and rel not in seen:
                seen.append(rel)
    return seen


def java_properties(text: str) -> dict[str, str]:
    """Java properties as Flyway reads flyway.conf (and Spring Boot its application.properties): ``key=value`` /
    ``key: value``, ``#``/``!`` comments, a trailing backslash continues the line."""
    out: dict[str, str] = {}
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        pending = ""
        if not line or line[0] in "#!":
            continue
        match = _PROPERTY.match(line)
        if match:
            out[match.group(1)] = match.group(2).strip()
    return out


def _from_toml(data: dict[str, Any]) -> dict[str, Any]:
    """``flyway.toml``'s ``[flyway]`` table plus its environment's url/user/schemas, in conf spelling."""
    fly = data.get("flyway") if isinstance(data.get("flyway"), dict) else {}
    assert isinstance(fly, dict)
    envs = data.get("environments") if isinstance(data.get("environments"), dict) else {}
    assert isinstance(envs, dict)
    env = envs.get(str(fly.get("environment", "default")))
    settings: dict[str, Any] = {k: v for k, v in fly.items() if k != "placeholders"}
    if isinstance(env, dict):
        settings.update({k: env[k] for k in ("url", "user", "schemas") if k in env})
    placeholders = fly.get("placeholders")
    if isinstance(placeholders, dict):
        settings.update({f"placeholders.{k}": v for k, v in placeholders.items()})
    return settings


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _config(settings: dict[str, Any], source: str) -> FlywayConfig:
    s = {k.removeprefix("flyway."): _text(v) for k, v in settings.items()}
    database = _JDBC_DATABASE.match(s.get("url", ""))
    defaults = FlywayConfig()
    return FlywayConfig(
        placeholders={k.removeprefix("placeholders."): v for k, v in s.items() if k.startswith("placeholders.")},
        placeholder_prefix=s.get("placeholderPrefix", defaults.placeholder_prefix),
        placeholder_suffix=s.get("placeholderSuffix", defaults.placeholder_suffix),
        placeholder_replacement=s.get("placeholderReplacement", "true").lower() != "false",
        baseline_version=s.get("baselineVersion") or None,
        schemas=tuple(x.strip() for x in s.get("schemas", "").split(",") if x.strip()),
        default_schema=s.get("defaultSchema") or None,
        table=s.get("table", defaults.table),
        mixed=s.get("mixed", "false").lower() == "true",
        user=s.get("user") or None,
        database=database.group(1) if database else None,
        sources=(source,),
    )


def _each_file(inputs: ProjectInputs, migrations_dir: str | None) -> Iterator[tuple[str, dict[str, Any] | None, str]]:
    """Each Flyway configuration file found, in layering order: its settings, or None and why it cannot be read."""
    for rel in config_files(inputs, migrations_dir):
        try:
            text = inputs.read_bytes(rel).decode("utf-8")
            yield rel, _from_toml(tomllib.loads(text)) if rel.endswith(".toml") else java_properties(text), ""
        except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            yield rel, None, f"{rel}: {exc}"


def read_flyway_files(inputs: ProjectInputs, migrations_dir: str | None) -> tuple[FlywayConfig | None, list[str]]:
    """The merged settings of every Flyway configuration file found (later files win), and the problems
    reading them (a file that is not valid TOML, say); ``None`` when there is none."""
    config: FlywayConfig | None = None
    problems: list[str] = []
    for rel, settings, problem in _each_file(inputs, migrations_dir):
        if settings is None:
            problems.append(problem)
            continue
        found = _config(settings, rel)
        config = found if config is None else merged(found, config)
    return config, problems


def raw_settings(inputs: ProjectInputs, migrations_dir: str | None = None) -> dict[str, str]:
    """Every setting of the Flyway configuration files found, as text, without the ``flyway.`` prefix (later files
    win): the ones fes-docs does not honour but ``fes-docs init`` reads to find the project (``url``, ``locations``)."""
    out: dict[str, str] = {}
    for _, settings, _ in _each_file(inputs, migrations_dir):
        out.update({k.removeprefix("flyway."): _text(v) for k, v in (settings or {}).items()})
    return out


def merged(over: FlywayConfig, under: FlywayConfig | None) -> FlywayConfig:
    """``over``'s settings where it sets them (differs from Flyway's default), ``under``'s elsewhere;
    placeholders are merged name by name, ``over`` winning."""
    if under is None:
        return over
    defaults = FlywayConfig()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(FlywayConfig):
        mine, theirs = getattr(over, f.name), getattr(under, f.name)
        values[f.name] = mine if mine != getattr(defaults, f.name) else theirs
    values["placeholders"] = {**under.placeholders, **over.placeholders}
    values["sources"] = tuple(dict.fromkeys((*over.sources, *under.sources)))
    return FlywayConfig(**values)


def java_migrations(inputs: ProjectInputs, migrations_dir: str | None) -> list[str]:
    """Java/Kotlin migrations Flyway would run (file names like ``V3__Backfill.java``), project-relative:
    in the migrations folder, or in ``src/main/java|kotlin/<same package>`` beside ``src/main/resources``."""
    if not migrations_dir:
        return []
    folder = migrations_dir.rstrip("/")
    places = [folder]
    if "/src/main/resources/" in f"/{folder}/":
        head, _, package = f"/{folder}".partition("/src/main/resources")
        places += [f"{head}/src/main/{lang}{package}".lstrip("/") for lang in ("java", "kotlin")]
    found: list[str] = []
    for place in places:
        for suffix in (".java", ".kt"):
            found += [
                f"{place}/{rel}" for rel in inputs.list_tree(place, suffix) if _JAVA.match(rel.rsplit("/", 1)[-1])
            ]
    return sorted(dict.fromkeys(found))


def project_flyway(inputs: ProjectInputs, policy_flyway: FlywayConfig, migrations_dir: str | None) -> FlywayConfig:
    """The project's Flyway configuration: the policy's ``flyway:`` block over Flyway's own configuration
    files (the policy wins). One definition for the static analysis and the dry run."""
    from_files, _ = read_flyway_files(inputs, migrations_dir)
    return merged(policy_flyway, from_files)
