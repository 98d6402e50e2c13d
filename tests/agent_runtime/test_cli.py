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
