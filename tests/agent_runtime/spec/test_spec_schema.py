"""The published JSON Schema comes from the models and accepts what validate() accepts."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_runtime.spec import (
    NODE_KINDS,
    load_spec_file,
    new_graph_spec,
    spec_hash,
    spec_json_schema,
    validate,
)

ROOT = Path(__file__).resolve().parents[3]


def test_schema_has_a_tagged_union_per_node_kind():
    schema = spec_json_schema()
    assert schema["properties"]["schema_version"]["const"] == 1
    nodes = schema["properties"]["nodes"]["items"]
    assert nodes["discriminator"]["propertyName"] == "kind"
    assert set(nodes["discriminator"]["mapping"]) == set(NODE_KINDS)
    assert "schema_version" in schema["required"]


def test_schema_never_mentions_code_or_import_fields():
    text = json.dumps(spec_json_schema())
    for word in ('"code"', '"import"', '"callable"', '"function"', '"api_key"'):
        assert word not in text


def test_spec_hash_is_stable_and_layout_can_be_excluded():
    spec = load_spec_file(ROOT / "examples" / "research_crew.json")
    moved = json.loads(json.dumps(spec))
    moved["layout"]["positions"]["topic"] = {"x": 999, "y": 1}
    assert spec_hash(spec) == spec_hash(json.loads(json.dumps(spec, sort_keys=True)))
    assert spec_hash(spec) != spec_hash(moved)
    assert spec_hash(spec, include_layout=False) == spec_hash(moved, include_layout=False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_validate_never_raises_on_arbitrary_json(value):
    validate(value)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["nodes", "edges", "models", "tools", "memories", "limits", "layout", "name"]),
    json_values,
)
def test_validate_never_raises_on_a_corrupted_section(section, value):
    spec = new_graph_spec("fuzz")
    spec[section] = value
    problems = validate(spec)
    assert all(p.message for p in problems)


def test_complete_examples_in_docs_validate():
    import re

    text = (ROOT / "docs" / "spec.md").read_text()
    blocks = [
        json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S) if "schema_version" in b
    ]
    assert blocks
    for block in blocks:
        assert validate(block) == []
