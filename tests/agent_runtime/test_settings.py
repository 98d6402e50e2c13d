"""Settings come from ORCHESTRALL_* variables or a .env file, with embedded defaults."""

from __future__ import annotations

from pathlib import Path

from agent_runtime.settings import Settings


def test_embedded_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for var in ("DATA_DIR", "DATABASE_URL", "BROKER_URL", "CHROMA_URL"):
        monkeypatch.delenv(f"ORCHESTRALL_{var}", raising=False)
    settings = Settings()
    assert settings.data_dir == tmp_path / ".orchestrall"
    assert (
        settings.resolved_database_url()
        == f"sqlite:///{tmp_path / '.orchestrall' / 'orchestrall.db'}"
    )
    assert settings.broker_url is None and settings.chroma_url is None
    assert settings.default_provider == "demo"


def test_environment_and_dotenv(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    Path(".env").write_text("ORCHESTRALL_BROKER_URL=redis://127.0.0.1:6379/0\nOTHER=1\n")
    monkeypatch.setenv("ORCHESTRALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ORCHESTRALL_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    settings = Settings()
    assert settings.broker_url == "redis://127.0.0.1:6379/0"
    assert settings.resolved_database_url() == "postgresql://postgres@127.0.0.1/test"
    assert settings.ensure_data_dir().is_dir()


def test_api_key_is_never_shown(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORCHESTRALL_OPENAI_API_KEY", "sk-secret-value")
    settings = Settings()
    assert "sk-secret-value" not in repr(settings)
    assert settings.openai_api_key.get_secret_value() == "sk-secret-value"
