"""The manager switch of the graph settings: the form it makes, the spec it edits, and
the builder state that edits it (undo, problems at the field, the autosave)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from agent_runtime.spec import new_graph_spec, validate
from agent_runtime.store import open_store
from app.pages.builder_state import BuilderState
from app.services import builder, forms
from app.services.forms import UNSET, graph_form
from tests.app.conftest import save_graph

SWITCH = "A manager delegates the work (CrewAI only)"


def two_models() -> dict[str, Any]:
    """A new graph with a second model, ``gpt``."""
    spec = new_graph_spec("Team")
    spec["models"].append({"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"})
    return spec


def fields_of(spec: dict[str, Any]) -> dict[str, forms.FormField]:
    return {f.key: f for f in graph_form(spec, validate(spec)).fields}


# --------------------------------------------------------------- service ---


def test_the_switch_is_off_with_no_manager_and_shows_no_manager_fields() -> None:
    fields = fields_of(two_models())
    switch = fields["manager"]
    assert (switch.widget, switch.checked, switch.label) == ("switch", False, SWITCH)
    assert switch.help and switch.problem == ""
    assert [k for k in fields if k.startswith("manager")] == ["manager"]
    assert list(fields)[-1] == "manager"  # after the limits: nothing above it moves


def test_switching_on_adds_an_empty_manager_and_off_removes_the_key() -> None:
    spec = two_models()
    on = forms.edit_field(spec, "graph", "manager", True)
    assert on == {**spec, "manager": {}}
    assert validate(on) == []  # the graph's default model manages

    off = forms.edit_field(on, "graph", "manager", False)
    assert off == spec and "manager" not in off
    assert "manager" not in spec  # the edits leave their input alone


def test_switching_on_again_keeps_the_managers_settings() -> None:
    spec = {**two_models(), "manager": {"model": "gpt", "instructions": "Be fair."}}
    assert forms.edit_field(spec, "graph", "manager", True) == spec


def test_manager_fields_edit_the_manager() -> None:
    spec = forms.edit_field(two_models(), "graph", "manager", True)
    spec = forms.edit_field(spec, "graph", "manager.model", "gpt")
    spec = forms.edit_field(spec, "graph", "manager.instructions", "Split the work fairly.")
    assert spec["manager"] == {"model": "gpt", "instructions": "Split the work fairly."}
    spec = forms.edit_field(spec, "graph", "manager.model", UNSET)  # (default model)
    assert spec["manager"] == {"instructions": "Split the work fairly."}


def test_a_manager_field_of_a_switched_off_manager_is_refused() -> None:
    """A stale form row must not switch the manager back on."""
    with pytest.raises(KeyError):
        forms.edit_field(two_models(), "graph", "manager.instructions", "Hello")


def test_switched_on_the_model_select_offers_the_default_and_the_graphs_models() -> None:
    spec = {**two_models(), "manager": {}}
    fields = fields_of(spec)
    assert list(fields)[-3:] == ["manager", "manager.model", "manager.instructions"]
    assert fields["manager"].checked
    nested = [k for k, f in fields.items() if f.nested]  # drawn indented under the switch
    assert nested == ["manager.model", "manager.instructions"]
    model = fields["manager.model"]
    assert (model.label, model.widget, model.value) == ("Manager model", "select", UNSET)
    assert [(o.value, o.label) for o in model.options] == [
        (UNSET, "(default model)"),
        ("demo", "demo (orchestrall-demo)"),
        ("gpt", "gpt (gpt-4o-mini)"),
    ]
    instructions = fields["manager.instructions"]
    assert (instructions.label, instructions.widget, instructions.value) == (
        "Manager instructions",
        "textarea",
        "",
    )


def test_an_unknown_manager_model_is_a_problem_at_its_field() -> None:
    spec = {**two_models(), "manager": {"model": "gone"}}
    (problem,) = validate(spec)
    assert (problem.code, problem.path) == ("unknown_model", "$.manager.model")
    fields = fields_of(spec)
    model = fields["manager.model"]
    assert model.problem == "Model 'gone' is not in the graph's models."
    assert model.value == "gone" and model.options[-1].label == "gone (missing)"
    others = [f.key for f in fields.values() if f.problem]
    assert others == ["manager.model"]


def test_no_manager_model_and_no_default_model_is_a_problem_at_the_field() -> None:
    spec = {**two_models(), "manager": {}}
    del spec["default_model"]
    assert fields_of(spec)["manager.model"].problem.startswith("No model is chosen here")


# ----------------------------------------------------------------- state ---


@pytest.fixture(autouse=True)
def _quick_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder, "AUTOSAVE_DELAY_S", 0.01)


def open_builder(graph_id: str) -> BuilderState:
    """The builder of a new browser tab that opened ``/graphs/<graph_id>``."""
    root = rx.State()
    state = root.get_substate(BuilderState.get_full_name().split("."))
    state.parent_state.router = RouterData.from_router_data(
        {"query": {"graph_id": graph_id}, "pathname": "/graphs/[graph_id]"}
    )
    state.load_graph()
    return state


def field(state: BuilderState, key: str) -> forms.FormField:
    return next(f for f in state.graph_fields if f.key == key)


def graph_keys(state: BuilderState) -> list[str]:
    return [f.key for f in state.graph_fields]


async def test_the_builder_switches_the_manager_on_and_off_with_undo_and_autosave(
    data_dir: Path, app_routes: None
) -> None:
    graph_id = save_graph(two_models())
    state = open_builder(graph_id)
    saved = state._editor.spec
    assert not field(state, "manager").checked

    state.edit_switch("graph", "manager", True)
    assert state._editor.spec == {**saved, "manager": {}}
    assert field(state, "manager").checked and state.save_label == "Unsaved changes"
    assert graph_keys(state)[-2:] == ["manager.model", "manager.instructions"]
    state.edit_field("graph", "manager.instructions", "Split the work fairly.")
    state.edit_field("graph", "manager.model", "gone")
    assert field(state, "manager.model").problem == "Model 'gone' is not in the graph's models."
    assert [p.message for p in state.problems] == ["Model 'gone' is not in the graph's models."]
    state.edit_field("graph", "manager.model", "gpt")
    assert state.problems == []

    await BuilderState.autosave.fn(state, state._editor.seq)
    assert state.save_label == "Saved"
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        manager = store.get_spec(graph_id)["manager"]
    assert manager == {"instructions": "Split the work fairly.", "model": "gpt"}

    state.edit_switch("graph", "manager", False)
    assert state._editor.spec == saved
    assert graph_keys(state)[-1] == "manager" and not field(state, "manager").checked

    form_version = state.form_version
    state.handle_ops([{"op": "undo"}])  # the manager comes back, with its settings
    assert state._editor.spec["manager"] == manager
    assert field(state, "manager").checked
    assert field(state, "manager.instructions").value == "Split the work fairly."
    assert state.form_version == form_version + 1  # the inputs show the values undone
    for _ in range(4):
        state.handle_ops([{"op": "undo"}])
    assert state._editor.spec == saved and not state.can_undo
    assert not field(state, "manager").checked

    await asyncio.wait_for(BuilderState.autosave.fn(state, state._editor.seq), 10)
    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        assert "manager" not in store.get_spec(graph_id)


def test_a_stale_manager_field_after_switching_off_changes_nothing(
    data_dir: Path, app_routes: None
) -> None:
    state = open_builder(save_graph(two_models()))
    state.edit_switch("graph", "manager", True)
    state.edit_switch("graph", "manager", False)
    seq = state._editor.seq
    assert state.edit_field("graph", "manager.instructions", "late blur") is None
    assert "manager" not in state._editor.spec and state._editor.seq == seq
