"""The orchestrall CLI as a user runs it: real subprocesses, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.json"))
EVERY_PROBLEM = ROOT / "tests" / "fixtures" / "every_problem.json"


def orchestrall(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from agent_runtime.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_validate_accepts_the_examples():
    result = orchestrall("validate", *EXAMPLES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": valid") == len(EXAMPLES)


def test_validate_lists_each_problem_naming_node_or_edge():
    result = orchestrall("validate", str(EVERY_PROBLEM))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    problem_lines = lines[:-1]
    assert lines[-1].endswith("problem(s)")
    assert len(problem_lines) >= 13
    assert all(line.startswith(str(EVERY_PROBLEM)) for line in problem_lines)
    text = result.stdout
    assert "node 'a1'" in text and "edge 'e5'" in text and "node 'weird'" in text
    assert "node 'r1'" in text and "default route" in text
    assert "Traceback" not in result.stderr


def test_validate_not_json_not_a_spec_and_missing_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    array = tmp_path / "array.json"
    array.write_text("[1, 2]")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = orchestrall(
        "validate", str(broken), str(array), str(binary), str(tmp_path / "nope.json")
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert f"error: {broken}: not valid JSON" in lines[0]
    assert "must be a JSON object" in lines[1]
    assert f"{binary}: not UTF-8 text" in result.stdout
    assert "no such file" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_mixed_files_fails_but_reports_the_valid_one(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 7, "name": "future"}))
    result = orchestrall("validate", EXAMPLES[0], str(bad))
    assert result.returncode == 1
    assert f"{EXAMPLES[0]}: valid" in result.stdout
    assert "newer than this Orchestrall understands" in result.stdout


def test_schema_prints_the_generated_json_schema(tmp_path):
    result = orchestrall("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Orchestrall graph spec"
    out = tmp_path / "schema.json"
    assert orchestrall("schema", "--output", str(out)).returncode == 0
    assert json.loads(out.read_text()) == schema


def test_docs_schema_is_current():
    """docs/graph-spec.schema.json is regenerated, never hand-edited."""
    published = json.loads((ROOT / "docs" / "graph-spec.schema.json").read_text())
    assert published == json.loads(orchestrall("schema").stdout)


def test_model_server_command_serves_the_demo_model(tmp_path):
    import socket
    import time

    import openai

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = tmp_path / "script.yaml"
    script.write_text(
        "version: 1\nrules:\n  - when: {last_message: {contains: ping}}\n    content: pong\n"
    )
    cmd = [sys.executable, "-c", "from agent_runtime.cli import main; main()"]
    proc = subprocess.Popen(
        [*cmd, "model-server", "--port", str(port), "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        client = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="demo", max_retries=0
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                models = client.models.list()
                break
            except openai.APIConnectionError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "model server did not start"
                time.sleep(0.2)
        assert [m.id for m in models.data] == ["orchestrall-demo"]
        reply = client.chat.completions.create(
            model="orchestrall-demo", messages=[{"role": "user", "content": "ping"}]
        )
        assert reply.choices[0].message.content == "pong"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_model_server_command_with_a_broken_script(tmp_path):
    script = tmp_path / "broken.yaml"
    script.write_text(
        "version: 1\nrules:\n  - when: {last_message: {regex: '(unclosed'}}\n    content: x\n"
    )
    result = orchestrall("model-server", "--port", "1", "--script", str(script))
    assert result.returncode == 1
    assert "error:" in result.stderr and "rules[0]" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------ export / import ---


def orchestrall_in(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``orchestrall`` with its store in ``data_dir`` (nothing outside it is touched)."""
    import os

    env = {
        **os.environ,
        "ORCHESTRALL_DATA_DIR": str(data_dir),
        "ORCHESTRALL_DATABASE_URL": f"sqlite:///{data_dir / 'orchestrall.db'}",
    }
    cmd = [sys.executable, "-c", "from agent_runtime.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)


def _graph_count(data_dir: Path) -> int:
    from agent_runtime.store import open_store

    with open_store(f"sqlite:///{data_dir / 'orchestrall.db'}") as store:
        return len(store.list_graphs())


def test_export_writes_each_format_from_a_spec_file(tmp_path):
    spec = ROOT / "examples" / "research_crew.json"
    for target, main_file in [
        ("json", "research_crew.json"),
        ("langgraph", "graph.py"),
        ("crewai", "src/research_crew/crew.py"),
        ("autogen", "research_crew.team.json"),
    ]:
        out = tmp_path / target
        result = orchestrall("export", str(spec), "--to", target, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert (out / main_file).is_file()
        assert f"wrote {out / main_file}" in result.stdout
    assert json.loads((tmp_path / "json" / "research_crew.json").read_text()) == json.loads(
        spec.read_text()
    )
    again = orchestrall("export", str(spec), "--to", "crewai", "-o", str(tmp_path / "crewai"))
    assert again.returncode == 1
    assert "already exists; choose another directory or add --force" in again.stderr
    forced = orchestrall(
        "export", str(spec), "--to", "crewai", "-o", str(tmp_path / "crewai"), "--force"
    )
    assert forced.returncode == 0


def test_export_refuses_what_a_format_cannot_express_in_one_line(tmp_path):
    spec = ROOT / "examples" / "support_triage.json"
    result = orchestrall("export", str(spec), "--to", "autogen", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: The AutoGen export cannot express this graph: ")
    assert "node 'triage' uses router" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    unknown = orchestrall("export", str(spec), "--to", "dify", "-o", str(tmp_path / "out"))
    assert "no export format called 'dify'; choose one of: json, langgraph, crewai, autogen" in (
        unknown.stderr
    )


def test_import_then_export_a_saved_graph_by_name(tmp_path):
    data = tmp_path / "data"
    agents = tmp_path / "agents.yaml"
    tasks = tmp_path / "tasks.yaml"
    agents.write_text("writer:\n  role: Writer\n  goal: Write well\n  tools: [calculator]\n")
    tasks.write_text("draft:\n  description: Draft a post about {message}\n  agent: writer\n")

    result = orchestrall_in(data, "import", str(agents), str(tasks), "--name", "Blog crew")

    assert result.returncode == 0, result.stderr
    assert "imported crewai as graph " in result.stdout and "(Blog crew)" in result.stdout
    out = tmp_path / "team"
    exported = orchestrall_in(data, "export", "Blog crew", "--to", "autogen", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    team = json.loads((out / "blog_crew.team.json").read_text())
    [writer] = team["config"]["participants"]
    assert writer["config"]["name"] == "Writer"
    assert writer["config"]["system_message"].startswith("You are Writer.\nGoal: Write well\n")

    back = orchestrall_in(data, "import", str(out / "blog_crew.team.json"))
    assert back.returncode == 0, back.stderr
    assert "imported autogen as graph" in back.stdout and "(Blog crew)" in back.stdout
    assert _graph_count(data) == 2


def test_import_of_a_malformed_file_is_one_line_and_stores_nothing(tmp_path):
    data = tmp_path / "data"
    bad = tmp_path / "team.json"
    bad.write_text(
        json.dumps({"provider": "autogen_agentchat.teams.Swarm", "config": {"participants": []}})
    )
    result = orchestrall_in(data, "import", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "a Swarm team cannot be imported" in result.stderr
    missing = orchestrall_in(data, "import", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert not data.exists() or _graph_count(data) == 0
