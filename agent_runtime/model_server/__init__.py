"""The offline demo model: an OpenAI-compatible server that answers from a script.

Every framework talks to it through its own OpenAI client over real HTTP, with
no key and no network. Answers are deterministic: the first script rule whose
conditions hold gives the content or tool calls, otherwise a default answer
labelled ``[demo model]`` names the agent and echoes its task.

    from agent_runtime.model_server import ScriptedModelServer

    with ScriptedModelServer(script="examples/model_scripts/demo.yaml") as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="demo")

See ``docs/model-server.md`` for the script format.
"""

from ._app import create_app
from ._engine import agent_name
from ._log import RecordedRequest
from ._response import count_tokens
from ._runner import ScriptedModelServer, serve
from ._script import DEMO_MODEL, Script, load_script

__all__ = [
    "DEMO_MODEL",
    "RecordedRequest",
    "Script",
    "ScriptedModelServer",
    "agent_name",
    "count_tokens",
    "create_app",
    "load_script",
    "serve",
]
