"""The container files stay in step with the settings and the set-up they wrap."""

from __future__ import annotations

from pathlib import Path

import yaml

from agent_runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_compose_uses_known_settings_and_services():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    assert {"app", "postgres", "redis"} <= set(compose["services"])
    known = {f"ORCHESTRALL_{name.upper()}" for name in Settings.model_fields}
    env = compose["services"]["app"]["environment"]
    for name in env:
        if name.startswith("ORCHESTRALL_"):
            assert name in known, f"{name} is not a setting"
    assert env["ORCHESTRALL_DATABASE_URL"].startswith("postgresql://")
    assert compose["services"]["app"]["build"]["dockerfile"] == "docker/Dockerfile"


def test_dockerfile_uses_the_make_setup():
    text = (ROOT / "docker" / "Dockerfile").read_text()
    assert "make install" in text and '"make", "run"' in text
    assert "ORCHESTRALL_DATA_DIR=/data" in text
    assert "EXPOSE 3000 8000" in text
