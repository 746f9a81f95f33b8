"""The one rule for "may this YAML hold an alias that resolves" (:func:`fes_docs.yaml_guards.may_alias`),
which the records' loader and the spec parser both use.

Soundness is what matters: a miss hands the fast spec parser (unsafe-libyaml, which expands aliases
without a bound) an alias bomb. Each case is checked against libyaml itself: wherever libyaml's event
stream holds an alias, the rule must say so, for the text and for its bytes, whatever YAML line break
the document uses (``\\r``, NEL, LS and PS are line breaks too), and in UTF-16.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator_rs import _core

from fes_docs.openapi import parse
from fes_docs.yaml_guards import may_alias

#: YAML's line breaks, as libyaml reads them.
BREAKS = ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"]


def _has_alias(data: bytes) -> bool:
    try:
        return any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(data, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return False  # what libyaml refuses, the fast parser refuses too (see the pins below)


def _checked(text: str) -> list[bytes]:
    """``text`` as UTF-8 and as UTF-16 (which libyaml reads too); each whose events hold an alias must be
    seen by the rule, as bytes and as text."""
    seen = []
    for data in (text.encode(), text.encode("utf-16")):
        if _has_alias(data):
            assert may_alias(data), data[:200]
            assert may_alias(text), text[:200]
            seen.append(data)
    return seen


# Line breaks other than \n, an alias as a key, flow indicators without blanks: each was missed by one
# of the two checks this rule replaced (the first two by the spec parser's: a 776-byte spec with \r line
# breaks held `validate` until it was killed).
HOLES = {
    "cr-sequence": "- &a [x, x]\r- *a\r",
    "cr-mapping": "a: &a [1]\rb:\r  - *a\r",
    "nel-sequence": "- &a x\x85- *a\n",
    "ls-sequence": "- &a x\u2028- *a\n",
    "ps-mapping": "k: &a x\u2029j:\u2029  - *a\n",
    "alias-as-key": "k: &a x\n*a : 1\n",
    "alias-as-key-no-blank": "k: &a x\n*a: 1\n",
    "flow-key": "k: &a x\nj: {? *a : 1}\n",
    "flow-key-no-blank": "k: &a x\nj: {?*a : 1}\n",
    "flow-seq-no-blank": "k: &a x\nj: [q,*a]\n",
    "after-tab": "k: &a x\nj:\t*a\n",
    "after-quoted-key": 'k: &a x\nj: {"q":*a}\n',
}


@pytest.mark.parametrize("name", sorted(HOLES))
def test_every_alias_libyaml_reads_is_seen(name: str) -> None:
    assert _checked(HOLES[name]), f"{name}: the case must hold an alias libyaml reads"


@pytest.mark.parametrize("brk", BREAKS)
def test_an_alias_bomb_never_reaches_the_fast_parser(brk: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A billion laughs with each YAML line break: the spec parser sends it to the exact screen, which
    refuses it, and the fast parser (unbounded expansion) is never called. Counted, not timed."""
    lines = ["openapi: 3.0.0", "paths: {}", "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        lines.append(f"x-a{i}: &a{i}{brk}" + "".join(f"  - *a{i - 1}{brk}" for _ in range(9)))
    bomb = (brk.join(lines) + brk).encode()
    calls: list[bytes] = []
    monkeypatch.setattr(parse, "_fast_load", lambda data, rel: calls.append(data))
    assert _has_alias(bomb)
    assert parse.parse_plain(bomb, "openapi.yaml") is None
    assert calls == []


def test_a_star_without_an_anchor_of_its_name_is_no_alias() -> None:
    """Descriptions write ``*Note:`` at a line's start; without an ``&Note`` it cannot be a resolved alias
    (libyaml refuses an undefined one), so the fast path stays open. With the anchor it is closed."""
    text = "description: >\n  See below.\n  *Note: this is markdown\n"
    assert not may_alias(text) and not may_alias(text.encode())
    with_anchor = "x: &Note 1\n" + text
    assert may_alias(with_anchor) and may_alias(with_anchor.encode())
    for harmless in ("a: '*x*'\nb: &x 1\n", "a: 2*x\nb: &x 1\n", "a: ** bold **\nb: &x 1\n", "a: *x.y\nb: &x 1\n"):
        assert not may_alias(harmless), harmless


def test_the_fast_parser_reads_names_and_undefined_aliases_as_libyaml_does() -> None:
    """Pins what the rule assumes of openapi-spec-validator-rs's parser: an alias's name is
    [0-9A-Za-z_-]+ and must end at a blank, a break or one of ?:,]}%@` (so ``*x.y`` is no alias), and an
    alias with no anchor of its name is refused, not expanded. An upgrade that changes either fails here."""
    for doc in (b"a: &x.y 1\nb: *x.y\n", b"b: *x.y\na: &x 1\n", b"a: &x 1\nb: *y\n"):
        with pytest.raises(Exception, match="alias|anchor|alphabetic|character"):
            _core.load(doc, "openapi.yaml")
    assert _core.load(b"a: &x 1\nb: *x\n", "openapi.yaml") == {"a": 1, "b": 1}


_TEXT = st.text(alphabet=st.sampled_from(list("ab *&:-#,[]{}'\"\n\t?")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        _TEXT | st.integers(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
        max_leaves=12,
    ),
    st.booleans(),
    st.sampled_from([None, True, False]),
    st.sampled_from(BREAKS),
    st.booleans(),
)
def test_wherever_yaml_writes_an_alias_the_rule_sees_one(
    value: Any, share: bool, flow: bool | None, brk: str, bom: bool
) -> None:
    """yaml.dump writes an alias for an object it meets twice; whatever the text around it (stars,
    ampersands, colons), each line break and a byte-order mark at each line's start, the rule sees it."""
    doc = {"a": value, "b": value if share else [value]}
    text = yaml.dump(doc, default_flow_style=flow, allow_unicode=True, line_break=None)
    lines = text.split("\n")
    text = brk.join(("\ufeff" + line if bom and line else line) for line in lines)
    if share and isinstance(value, (dict, list)):
        assert _checked(text) or not _has_alias(text.encode())
    else:
        _checked(text)


@pytest.mark.parametrize(
    "keys",
    [
        '"200": {a: 1}, 0xC8: {description: ok}',  # both the string '200'
        "on: {a: 1}, yes: {b: 2}",  # both true
        "~: {a: 1}, null: {b: 2}",
        "get: {a: 1}, <<: {get: 3}",  # a merge the loader refuses
    ],
)
def test_keys_the_parser_makes_one_are_caught_where_an_alias_may_stand(keys: str) -> None:
    """A document the alias rule sends to the exact screen (here: a decoy ``&x ... *x`` in a string) is
    counted too: the screen compares keys as written, and the fast parser keeps only the last of two keys
    written differently that mean the same. Without the count such a spec passed with a path hidden."""
    doc = f'openapi: 3.0.0\ndescription: "see &x and *x here"\nx-responses: {{{keys}}}\n'.encode()
    assert may_alias(doc)
    assert parse.parse_surveyed(doc, "openapi.yaml", 100) is None  # the located loader reads it, and says why
    clean = b'openapi: 3.0.0\ndescription: "see &x and *x here"\nx-responses: {"200": {description: ok}}\n'
    assert parse.parse_surveyed(clean, "openapi.yaml", 100) is not None
