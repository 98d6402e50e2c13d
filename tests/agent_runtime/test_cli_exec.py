"""`orchestrall exec` as a person uses it: real subprocesses, the demo model over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """`orchestrall exec ...` in this process (the import cost is paid once)."""
    from typer.testing import CliRunner

    from agent_runtime.cli import cli
    from agent_runtime.settings import get_settings

    for name in list(os.environ):
        if name.startswith("ORCHESTRALL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ORCHESTRALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, extra_env: dict[str, str] | None = None):
        get_settings.cache_clear()
        try:
            return runner.invoke(cli, ["exec", *args], env=extra_env, catch_exceptions=False)
        finally:
            get_settings.cache_clear()

    return run


def test_exec_in_a_real_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRALL_")}
    env["ORCHESTRALL_DATA_DIR"] = str(tmp_path / "data")
    cmd = [sys.executable, "-c", "from agent_runtime.cli import main; main()", "exec"]
    result = subprocess.run(
        [*cmd, str(EXAMPLES / "research_crew.json"), "--input", "bees"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Output:" in result.stdout and "Traceback" not in result.stderr


def test_exec_streams_progress_and_output(run_cli):
    result = run_cli(str(EXAMPLES / "research_crew.json"), "--input", "bees")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for line in ("▶ topic (input)", "▶ researcher (agent)", "▶ editor (agent)", "Output:"):
        assert line in out
    assert '[demo model] Editor: received "[demo model] Writer:' in out
    assert out.index("▶ researcher") < out.index("▶ writer") < out.index("▶ editor")


def test_exec_json_lines_and_saved_graph_reuse(run_cli, tmp_path):
    result = run_cli(str(EXAMPLES / "research_crew.json"), "-i", "ants", "--json")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    started = [e["node_id"] for e in events if e["type"] == "node_started"]
    assert started == ["topic", "researcher", "writer", "editor", "article"]
    assert any(e["type"] == "token" for e in events)
    # the same file again reuses the saved graph; a graph id works as the target too
    again = run_cli(str(EXAMPLES / "research_crew.json"), "-i", "ants", "--json")
    from agent_runtime.settings import Settings
    from agent_runtime.store import open_store

    with open_store(settings=Settings(data_dir=tmp_path / "data")) as store:
        graphs = store.list_graphs()
        assert len(graphs) == 1 and again.exit_code == 0
        by_id = run_cli(graphs[0].id, "-i", "ants")
    assert by_id.exit_code == 0 and "Output:" in by_id.stdout


def test_exec_waits_for_a_person_and_resumes(run_cli):
    first = run_cli(str(EXAMPLES / "content_approval.json"), "-i", "launch", "--json")
    assert first.exit_code == 3, first.output
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events[-1]["type"] == "interrupt" and events[-1]["node_id"] == "review"
    run_id = events[-1]["run_id"]
    rejected = run_cli("--resume", run_id, "--answer", "no, too long")
    assert rejected.exit_code == 3
    assert "Rejected by the reviewer: no, too long" in rejected.stdout
    approved = run_cli("--resume", run_id, "--answer", "yes")
    assert approved.exit_code == 0, approved.output
    assert "Output:" in approved.stdout
    again = run_cli("--resume", run_id, "--answer", "yes")
    assert again.exit_code == 1 and "it is succeeded" in again.stderr


def test_exec_bad_input_gets_one_line(run_cli, tmp_path):
    unknown = run_cli("no-such-graph", "-i", "x")
    assert unknown.exit_code == 1
    assert (
        unknown.stderr.strip()
        == "error: no-such-graph: no such file, and no saved graph with that id."
    )
    bad_spec = tmp_path / "bad.json"
    bad_spec.write_text(json.dumps({"schema_version": 1, "name": "x", "nodes": []}))
    invalid = run_cli(str(bad_spec), "-i", "x")
    assert invalid.exit_code == 1 and "not a valid spec" in invalid.stderr
    missing = run_cli(str(EXAMPLES / "research_crew.json"))
    assert missing.exit_code == 1 and "'message' is required" in missing.stderr
    for result in (unknown, invalid, missing):
        assert "Traceback" not in result.stderr + result.stdout


def test_exec_dead_model_endpoint_fails_clearly(run_cli):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    result = run_cli(
        str(EXAMPLES / "research_crew.json"),
        "-i",
        "x",
        extra_env={"ORCHESTRALL_DEFAULT_BASE_URL": f"http://127.0.0.1:{dead}/v1"},
    )
    assert result.exit_code == 1
    assert "✗ failed at node 'researcher'" in result.stdout
    assert "cannot be reached" in result.stdout and "(model_unavailable)" in result.stdout
