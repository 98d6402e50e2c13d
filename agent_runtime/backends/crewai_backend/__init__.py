"""CrewAI backend (imported only when a run asks for ``crewai``; ``import crewai`` takes seconds).

CrewAI's anonymous telemetry and its trace upload are switched off for the
process before CrewAI is first imported, unless the environment already says
otherwise: runs stay on this machine.
"""

import os

for _name, _value in (
    ("CREWAI_DISABLE_TELEMETRY", "true"),
    ("CREWAI_DISABLE_TRACKING", "true"),
    ("CREWAI_TRACING_ENABLED", "false"),
):
    os.environ.setdefault(_name, _value)

from ._backend import CrewAIBackend, CrewAIExecutable  # noqa: E402  (after the switches above)

BACKEND = CrewAIBackend()

__all__ = ["BACKEND", "CrewAIBackend", "CrewAIExecutable"]
