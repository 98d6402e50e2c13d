"""Canary: a stored secret's value is in no exported file; only its name is, as a variable."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from agent_runtime.exporters import EXPORT_TARGETS
from agent_runtime.exporters._cli import export_command
from agent_runtime.secrets import SecretStore, load_secret_key
from agent_runtime.settings import Settings
from agent_runtime.store import open_store
from tests.agent_runtime.exporters import _specs


def _spec() -> dict:
    spec = _specs.with_a_tool()
    spec["models"] = [
        {"id": "demo", "provider": "demo", "model": "orchestrall-demo"},
        {
            "id": "keyed",
            "provider": "openai_compatible",
            "model": "team-model",
            "base_url": "https://llm.example.com/v1",
            "api_key_secret": "CANARY_MODEL_KEY",
        },
        {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini", "api_key_secret": "MY_OPENAI"},
    ]
    spec["default_model"] = "keyed"
    spec["nodes"][2]["model"] = "gpt"
    return spec


@pytest.mark.parametrize("target", EXPORT_TARGETS)
def test_exports_name_secrets_and_never_hold_their_values(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canaries = {
        "CANARY_MODEL_KEY": f"sk-canary-{uuid.uuid4().hex}",
        "MY_OPENAI": f"sk-canary-{uuid.uuid4().hex}",
    }
    for name, value in canaries.items():  # in the environment too, where a run would read them
        monkeypatch.setenv(name, value)
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'orchestrall.db'}",
    )
    settings.ensure_data_dir()
    with open_store(settings=settings) as store:
        secrets = SecretStore(store, load_secret_key(settings))
        for name, value in canaries.items():
            secrets.set_secret(name, value)
        store.create_graph("Canary crew", spec=_spec())

    out = tmp_path / "out"
    written = export_command("Canary crew", target, out, settings=settings, echo=lambda _: None)

    text = "\n".join(path.read_text() for path in written)
    assert written and all(p.is_relative_to(out) for p in written)
    for name, value in canaries.items():
        assert value not in text, f"the {name} value is in the {target} export"
        assert "sk-canary" not in text
    if target in ("langgraph", "crewai"):
        assert 'require_env("CANARY_MODEL_KEY")' in text
        assert 'require_env("MY_OPENAI")' in text
        assert "CANARY_MODEL_KEY=\n" in text  # .env.example: the name, no value
    elif target == "autogen":
        assert "CANARY_MODEL_KEY" in text and "MY_OPENAI" in text
        assert '"api_key"' not in text
    else:
        assert '"api_key_secret": "CANARY_MODEL_KEY"' in text
