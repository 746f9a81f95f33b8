"""fes_docs.inputs: presence checks, in-project listings, and the manifest that records both."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fes_docs.inputs import ProjectInputs, manifest_holds


def test_exists_records_present_and_absent_without_reading(tmp_path: Path) -> None:
    (tmp_path / "here.sql").write_text("SELECT 1;")
    (tmp_path / "folder").mkdir()
    io = ProjectInputs(tmp_path)
    assert io.exists("here.sql")
    assert not io.exists("gone.sql")
    assert not io.exists("folder")  # not a regular file
    assert not io.exists("../elsewhere.sql")
    assert io.manifest()["files"] == {
        "../elsewhere.sql": "outside",
        "folder": "missing",
        "gone.sql": "missing",
        "here.sql": "present",
    }
    manifest = json.loads(json.dumps(io.manifest()))
    (tmp_path / "here.sql").write_text("SELECT 2;")
    assert manifest_holds(tmp_path, manifest)  # presence only: the bytes were never part of it
    (tmp_path / "gone.sql").write_text("now here")
    assert not manifest_holds(tmp_path, manifest)
    (tmp_path / "gone.sql").unlink()
    (tmp_path / "here.sql").unlink()
    assert not manifest_holds(tmp_path, manifest)


def test_exists_does_not_weaken_a_digest_already_recorded(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    io = ProjectInputs(tmp_path)
    io.read_bytes("a.json")
    assert io.exists("a.json")
    assert io.manifest()["files"]["a.json"].startswith("sha256:")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_list_tree_follows_links_inside_the_project_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "V99__secret.sql").write_text("DROP TABLE everything;")
    root = tmp_path / "project"
    db = root / "db"
    (db / "nested").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "shared" / "V5__shared.sql").write_text("SELECT 5;")
    (db / "V1__init.sql").write_text("SELECT 1;")
    (db / "notes.txt").write_text("not a migration")
    (db / "nested" / "V2__two.sql").write_text("SELECT 2;")
    (db / "to_outside_dir").symlink_to(outside, target_is_directory=True)
    (db / "V3__to_outside_file.sql").symlink_to(outside / "V99__secret.sql")
    (db / "V4__alias.sql").symlink_to(db / "V1__init.sql")
    (db / "shared").symlink_to(root / "shared", target_is_directory=True)
    (db / "nested" / "loop").symlink_to(db, target_is_directory=True)

    io = ProjectInputs(root)
    listed = io.list_tree("db", ".sql")
    assert listed == ["V1__init.sql", "V4__alias.sql", "nested/V2__two.sql", "shared/V5__shared.sql"]
    manifest = json.loads(json.dumps(io.manifest()))
    assert manifest_holds(root, manifest)
    (root / "shared" / "V6__more.sql").write_text("SELECT 6;")  # reached through a link: still noticed
    assert not manifest_holds(root, manifest)
