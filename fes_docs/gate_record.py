"""``fes-docs gate --record``: append the environment's ``progress:`` entry after a passing gate.

Written as ``fes-docs sign`` writes a sign-off (:func:`fes_docs.signing.sign`): under the record's lock,
re-read, spliced by the YAML editor so that only the new entry's text changes (comments, quoting and
layout stay byte for byte), re-parsed and compared with the intended data, then replaced atomically
(:func:`~fes_docs.atomic.update_bytes`). Two deploy jobs recording at once each add their entry to what
the other wrote.

What the gate judged must still be what is written to: a record that changed in substance between the
check and the lock (its digest, :func:`fes_docs.signoffs.digest_of`, with the baseline entries naming it
as the gate judged them) is refused, and the gate is run again. ``progress`` is outside the digest, so
another environment's entry written meanwhile is no change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .atomic import update_bytes
from .errors import FesDocsError, UsageError
from .gate import Gate, stamp
from .loader import load_bytes
from .model import PROGRESS_STEPS
from .signoffs import digest_of
from .yamledit import EditError, append_item

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Recorded:
    """The entry written, in the record's key order (the change record shows it as ``recorded``)."""

    environment: str
    step: str
    at: str
    by: str

    def fields(self) -> dict[str, str]:
        return {"environment": self.environment, "step": self.step, "at": self.at, "by": self.by}


def check_recorder(gate: Gate, step: str, by: str | None) -> Recorded:
    """The entry ``gate --record`` would write, or a usage error (before the gate's verdict is printed)."""
    if step not in PROGRESS_STEPS:
        raise UsageError(f"--step {step!r} is not one of {', '.join(PROGRESS_STEPS)}")
    if not by or not by.strip() or len(by) > 200:
        raise UsageError("--record needs --by NAME: who deploys (a person of the policy's people:)")
    unknown = gate.result.project.policy.unknown_person(by)
    if unknown is not None:
        raise UsageError(f"--by: {unknown}")
    return Recorded(gate.environment, step, stamp(gate.at), by)


def record(gate: Gate, entry: Recorded) -> None:
    """Append ``entry`` to the gated record's ``progress:`` (only after the gate passed)."""
    if not gate.passed:
        raise FesDocsError("internal error: a failed gate records nothing")  # the shell never asks
    rel = gate.release
    path = gate.result.project.root / rel.file

    def edit(raw: bytes) -> bytes:
        doc, problems = load_bytes(raw, rel.file)
        if doc is None or not isinstance(doc.data, dict):
            p = problems[0] if problems else None
            where = f" ({rel.file}:{p.line}:{p.column}: {p.message})" if p else ""
            raise UsageError(f"cannot record in {rel.file}: it no longer parses{where}")
        if digest_of(doc.data, rel.baseline) != gate.digest:  # the baseline entries naming it count, as for sign
            raise UsageError(
                f"{rel.file} changed in substance while the gate ran; nothing was recorded: run the gate again"
            )
        return _appended(raw, rel.file, doc.data, entry.fields())

    try:
        update_bytes(path, edit)
    except OSError as exc:
        raise UsageError(f"cannot record in {rel.file}: {exc.strerror or exc}") from None


def _appended(raw: bytes, file: str, before: Any, fields: dict[str, str]) -> bytes:
    """The file's bytes with the entry appended, verified to change nothing else."""
    bom = BOM if raw.startswith(BOM) else b""
    text = raw[len(bom) :].decode("utf-8")  # it parsed, so it is UTF-8
    try:
        new_text = append_item(text, "progress", fields)
    except EditError as exc:
        raise UsageError(f"cannot record in {exc.located(file)}") from None
    expected = copy.deepcopy(before)
    if not isinstance(expected.get("progress"), list):
        expected["progress"] = []
    expected["progress"].append(fields)
    new = bom + new_text.encode("utf-8")
    after, _problems = load_bytes(new, file)
    if after is None or after.data != expected or digest_of(after.data) != digest_of(before):
        raise FesDocsError(
            f"internal error: recording in {file} would change more than its progress; "
            "the file was left unchanged (please report this with the file)"
        )
    return new
