"""safeyaml: the same objects as yaml.safe_load on ordinary YAML, and one-line refusals past its bounds."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from kftui import safeyaml
from kftui.cluster.dumpfile import demo_text
from kftui.safeyaml import MAX_ALIAS_NODES, MAX_DEPTH, YamlError, YamlLimitError


@pytest.fixture(params=["libyaml", "pure-python"], autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test runs with libyaml's parser and with PyYAML's own (what kftui uses without libyaml)."""
    if request.param == "pure-python":
        monkeypatch.setattr(safeyaml, "_Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.fail("PyYAML was built without libyaml: the pinned wheel has it")
    yield request.param


ORDINARY = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: true, f: 1.5, g: 2024-05-01T10:00:00Z}\n",
    "- &x {k: v}\n- *x\n- <<: *x\n  extra: 1\n",
    "---\n---\nkind: A\n...\n--- |\n  block\n  text\n",
    "key: !!str 123\nbin: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_yaml_loads_as_safe_load_all_does(text: str) -> None:
    assert list(safeyaml.load_all(text)) == list(yaml.safe_load_all(text))


def test_the_demo_loads_as_safe_load_all_does() -> None:
    text = demo_text()
    assert list(safeyaml.load_all(io.BytesIO(text.encode()))) == list(yaml.safe_load_all(text))


def test_load_is_one_document() -> None:
    assert safeyaml.load("a: 1") == {"a": 1}
    assert safeyaml.load("") is None
    with pytest.raises(YamlError, match="single document"):
        safeyaml.load("a: 1\n---\nb: 2\n")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_bound_loads_and_one_more_is_refused() -> None:
    assert safeyaml.load(nested(MAX_DEPTH)) is not None
    with pytest.raises(YamlLimitError, match=f"nested deeper than {MAX_DEPTH} levels"):
        safeyaml.load(nested(MAX_DEPTH + 1))


def test_40000_levels_are_refused_in_one_line() -> None:
    with pytest.raises(YamlLimitError) as info:
        safeyaml.load(nested(40_000))
    assert "\n" not in str(info.value)


def test_an_alias_counts_the_depth_it_brings() -> None:
    half = MAX_DEPTH // 2 + 1
    text = f"a: &deep {nested(half)}\nb: {'[' * half}*deep{']' * half}\n"
    with pytest.raises(YamlLimitError, match="through alias 'deep'"):
        safeyaml.load(text)


def fan_out(levels: int, width: int) -> str:
    """Each level an anchored list of `width` aliases to the level below: width**levels leaves."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_expansion_below_the_bound_loads() -> None:
    doc = safeyaml.load(fan_out(3, 10))  # ~1,100 nodes through aliases
    assert doc["l2"][9][9] == ["x"] * 10


def test_an_alias_bomb_is_refused_early() -> None:
    with pytest.raises(YamlLimitError, match=f"more than {MAX_ALIAS_NODES:,} nodes"):
        safeyaml.load(fan_out(9, 9))


def test_merge_keys_count_as_aliases() -> None:
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: {i}" for i in range(50)) + "}"]
    lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}], own{i}: 1}}" for i in range(1, 8)]
    with pytest.raises(YamlLimitError, match="alias bomb"):
        safeyaml.load("\n".join(lines))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("&a [*a]", "alias 'a' refers to itself"),
        ("a: *nowhere", "undefined alias 'nowhere'"),
        ("a: &x 1\nb: &x 2\n", "duplicate anchor 'x'"),
        ("a: [\n", "invalid YAML at line 2"),
        ("!!python/object/apply:os.system [echo hi]", "could not determine a constructor"),
        ("? [a, b]\n: c\n", "invalid YAML"),
    ],
)
def test_bad_input_is_one_line(text: str, message: str) -> None:
    with pytest.raises(YamlError, match=message) as info:
        list(safeyaml.load_all(text))
    assert "\n" not in str(info.value)


def test_documents_come_one_at_a_time() -> None:
    documents = safeyaml.load_all("a: 1\n---\nb: [\n")
    assert next(documents) == {"a": 1}  # the broken second document has not been read yet
    with pytest.raises(YamlError):
        next(documents)


def test_bytes_that_are_not_utf8_are_one_line() -> None:
    stream: Any = io.BytesIO(b"a: \xc3\x28\n")
    with pytest.raises(YamlError) as info:
        safeyaml.load(stream)
    assert "\n" not in str(info.value)
