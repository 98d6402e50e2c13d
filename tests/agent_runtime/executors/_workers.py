"""Real ``orchestrall worker`` processes for tests, with their logs at hand."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

__all__ = ["Worker"]

_RUN_ENDED = re.compile(r"run ([0-9a-f]{32}) ended (\w+)")
_RECEIVED = re.compile(r"Task orchestrall\.execute_run\[([0-9a-f]{32})-[0-9a-f]+\] received")


class Worker:
    """``orchestrall worker`` in its own process group; its output is collected."""

    def __init__(self, name: str, env: Mapping[str, str], cwd: Path, concurrency: int = 1):
        self.name = name
        self.lines: list[str] = []
        self._ready = threading.Event()
        command = [sys.executable, "-c", "from agent_runtime.cli import main; main()", "worker"]
        command += ["-c", str(concurrency), "-n", f"{name}@%h", "--loglevel", "info"]
        self.proc = subprocess.Popen(
            command,
            env=dict(env),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 30) -> None:
        if not self._ready.wait(timeout):
            raise AssertionError(f"worker {self.name} did not start:\n" + self.log())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    @property
    def finished_runs(self) -> dict[str, str]:
        """Run id -> status of the runs this worker executed to an end."""
        return {m[1]: m[2] for line in self.lines if (m := _RUN_ENDED.search(line))}

    def received(self, run_id: str) -> int:
        """How often this worker was handed the run's task."""
        return sum(1 for line in self.lines if (m := _RECEIVED.search(line)) and m[1] == run_id)

    def pool_processes(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole worker (main and pool processes), as a lost machine would."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> None:
        """Ask for a warm shutdown (SIGTERM) without waiting."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown (SIGTERM), then make sure nothing of it is left."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
