"""The ``orchestrall`` command: run the app, validate specs, print the schema, serve the demo
model, run a worker, export graphs to frameworks and import them back.

Every failure a user can cause prints one line naming what is wrong and exits
non-zero; no traceback reaches the terminal for bad input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent_runtime.errors import OrchestrallError
from agent_runtime.spec import load_spec_file, spec_json_schema, validate

cli = typer.Typer(
    name="orchestrall",
    help="Orchestrall: build agent graphs visually, run them on LangGraph, CrewAI or AutoGen.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_ROOT = Path(__file__).resolve().parent.parent
_LAUNCHER = _ROOT / "scripts" / "run_app.sh"


@cli.command()
def run(
    args: Annotated[
        list[str] | None, typer.Argument(help="Extra arguments for `reflex run`.")
    ] = None,
) -> None:
    """Start the app at http://localhost:3000 with the embedded defaults."""
    if not _LAUNCHER.is_file():
        typer.echo(
            f"error: {_LAUNCHER} not found; run `make run` from a source checkout.", err=True
        )
        raise typer.Exit(1)
    os.execv("/bin/bash", ["bash", str(_LAUNCHER), *(args or [])])  # replaces this process


@cli.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Graph spec JSON files.")],
) -> None:
    """Check graph spec files: exit 0 when all are valid, else 1 with one line per problem."""
    failed = False
    for path in files:
        try:
            problems = validate(load_spec_file(path))
        except OrchestrallError as exc:
            typer.echo(f"error: {exc.message}")
            failed = True
            continue
        if not problems:
            typer.echo(f"{path}: valid")
            continue
        failed = True
        for problem in problems:
            typer.echo(f"{path}: {problem.one_line()}")
        typer.echo(f"{path}: {len(problems)} problem(s)")
    raise typer.Exit(1 if failed else 0)


@cli.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of graph spec v1 (generated from the models)."""
    text = json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@cli.command("exec")
def exec_command(
    target: Annotated[
        str | None, typer.Argument(help="A graph spec file, or the id of a saved graph.")
    ] = None,
    input_text: Annotated[
        str | None, typer.Option("--input", "-i", help="The message to run with.")
    ] = None,
    input_json: Annotated[
        str | None, typer.Option("--input-json", help="All input fields as a JSON object.")
    ] = None,
    thread: Annotated[
        str | None, typer.Option("--thread", help="Continue this conversation thread.")
    ] = None,
    backend: Annotated[str, typer.Option(help="Execution backend.")] = "langgraph",
    as_json: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue this run, waiting at a human step.")
    ] = None,
    answer: Annotated[
        str | None, typer.Option("--answer", help="Your answer (approvals: yes, or no + reason).")
    ] = None,
) -> None:
    """Run a graph and stream its progress; exit 0 on success, 1 on failure, 3 when waiting."""
    from agent_runtime._cli_exec import run_exec
    from agent_runtime.settings import get_settings

    try:
        if resume is None and target is None:
            raise OrchestrallError("Give a spec file or graph id (or --resume RUN_ID).")
        if resume is not None and answer is None:
            raise OrchestrallError("--resume needs --answer.")
        inputs = json.loads(input_json) if input_json else {}
        if input_text is not None:
            inputs["message"] = input_text
        code = run_exec(
            get_settings(),
            target=target,
            inputs=inputs,
            thread=thread,
            backend=backend,
            as_json=as_json,
            resume=resume,
            answer=answer,
        )
    except json.JSONDecodeError as exc:
        typer.echo(f"error: --input-json is not valid JSON: {exc.msg}", err=True)
        raise typer.Exit(1) from None
    except OrchestrallError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


@cli.command("export")
def export_command(
    graph: Annotated[str, typer.Argument(help="A graph spec file, or a saved graph's id or name.")],
    to: Annotated[
        str, typer.Option("--to", help="Format: json, langgraph, crewai or autogen.")
    ] = "json",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write into (created if needed).")
    ] = ...,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    demo_base_url: Annotated[
        str | None,
        typer.Option(help="Where the demo model answers (default http://127.0.0.1:8765/v1)."),
    ] = None,
) -> None:
    """Export a graph as its spec, a LangGraph module, a CrewAI project or an AutoGen team."""
    from agent_runtime.exporters import ExportOptions
    from agent_runtime.exporters._cli import export_command as run
    from agent_runtime.settings import get_settings

    options = ExportOptions(demo_base_url=demo_base_url) if demo_base_url else None
    settings = get_settings()
    try:
        run(graph, to, output, settings=settings, force=force, options=options, echo=typer.echo)
    except OrchestrallError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


@cli.command("import")
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="An AutoGen team JSON, CrewAI agents.yaml + tasks.yaml, or a zip."),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Name of the new graph.")] = None,
) -> None:
    """Create a graph from an AutoGen Studio team or a CrewAI crew (nothing in them is run)."""
    from agent_runtime.exporters._cli import import_command as run_import
    from agent_runtime.settings import get_settings

    try:
        run_import(files, name=name, settings=get_settings(), echo=typer.echo)
    except OrchestrallError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


@cli.command("model-server")
def model_server(
    port: Annotated[
        int | None, typer.Option(help="Port (default ORCHESTRALL_MODEL_SERVER_PORT or 8765).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    script: Annotated[
        Path | None,
        typer.Option(help="Rules file (JSON or YAML); default answers only without one."),
    ] = None,
) -> None:
    """Serve the offline demo model: an OpenAI-compatible, scripted, deterministic endpoint."""
    from agent_runtime.model_server import serve
    from agent_runtime.settings import get_settings

    settings = get_settings()
    try:
        serve(
            host=host,
            port=port or settings.model_server_port,
            script_path=script or settings.model_script,
        )
    except OrchestrallError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


@cli.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", help="Runs executed at once (default: CPU count)."),
    ] = None,
    pool: Annotated[
        str, typer.Option(help="Celery pool: prefork (processes), threads or solo.")
    ] = "prefork",
    loglevel: Annotated[str, typer.Option("--loglevel", "-l", help="Log level.")] = "info",
    hostname: Annotated[
        str | None, typer.Option("--hostname", "-n", help="Worker name, e.g. w1@%h.")
    ] = None,
) -> None:
    """Execute runs from the Redis queue (needs ORCHESTRALL_BROKER_URL=redis://…)."""
    from agent_runtime.settings import get_settings

    if not get_settings().broker_url:
        typer.echo(
            "error: set ORCHESTRALL_BROKER_URL=redis://host:6379/0 (the app's broker) "
            "to start a worker.",
            err=True,
        )
        raise typer.Exit(1)
    if pool not in ("prefork", "threads", "solo"):
        typer.echo(f"error: --pool must be prefork, threads or solo, not {pool!r}.", err=True)
        raise typer.Exit(1)
    from agent_runtime.executors._celery import run_worker

    run_worker(concurrency=concurrency, pool=pool, loglevel=loglevel, hostname=hostname)


def main() -> None:
    """Console-script entry point."""
    cli()
