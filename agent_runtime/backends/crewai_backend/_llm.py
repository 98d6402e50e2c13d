"""CrewAI's LLM on a model endpoint, metered: each call counts against its run.

Every agent and LLM router of a kit (see ``_crews``) gets its own ``MeteredLLM``:
CrewAI's native OpenAI client (``OpenAICompletion``) pointed at the endpoint,
with no retries, the endpoint's timeout, temperature and max tokens. For each
run it carries a ``Meter`` naming its node. A call then

- refuses to start once the run is over (so a cancelled run starts no model call),
- counts the tokens CrewAI recorded for it (the instance's usage before and after,
  as CrewAI advises) for the node and the run, which enforces ``max_tokens``,
- and fails with an Orchestrall error naming the node (``model_unavailable``...).

Streamed content reaches the run as token events through CrewAI's event bus
(``LLMStreamChunkEvent``, delivered synchronously in the calling thread).
"""

from __future__ import annotations

import importlib
from typing import Any

from crewai.events import crewai_event_bus
from crewai.events.types.llm_events import LLMStreamChunkEvent
from crewai.llms.providers.openai.completion import OpenAICompletion
from pydantic import PrivateAttr

from agent_runtime.backends._errors import translate_error
from agent_runtime.backends._usage import Usage
from agent_runtime.compiler import IRNode
from agent_runtime.errors import OrchestrallError
from agent_runtime.events import TokenEvent
from agent_runtime.models import ModelEndpoint

from ._run import Run

__all__ = ["Meter", "MeteredLLM", "build_llm", "model_failure"]

# Loaded by CrewAI and the openai client on the first model call of a process (about
# a second): loaded with the backend instead, so a run's time limit never pays it.
for _module in (
    "openai.resources.chat",
    "crewai.hooks.contexts",
    "crewai.llms.cache",
    "crewai.skills.tool",
):
    importlib.import_module(_module)


class Meter:
    """Binds a kit's LLM to one run and node; ``usage`` is the current node call's."""

    def __init__(self, run: Run, node: IRNode) -> None:
        self.run, self.node = run, node
        self.usage = Usage()

    def before_call(self) -> None:
        self.run.check_open(self.node.id)

    def count(self, prompt: int, completion: int) -> None:
        assert self.node.model is not None
        cost = self.node.model.cost(prompt, completion)
        self.run.count_tokens(self.node.id, self.usage, prompt, completion, cost)

    def token(self, text: str) -> None:
        self.run.sink.put(TokenEvent(node_id=self.node.id, delta=text))


class ManagerMeter(Meter):
    """The manager's calls (hierarchical team), counted at the step whose task it manages."""

    def __init__(self, run: Run, node: IRNode, endpoint: ModelEndpoint) -> None:
        super().__init__(run, node)
        self.endpoint = endpoint

    def count(self, prompt: int, completion: int) -> None:
        cost = self.endpoint.cost(prompt, completion)
        self.run.count_tokens(self.node.id, self.usage, prompt, completion, cost)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes (CrewAI sometimes raises ``e from e``: cycles are cut)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def model_failure(exc: BaseException, node: IRNode | None) -> OrchestrallError:
    """The Orchestrall error for a failed model call at ``node``.

    CrewAI wraps the ``openai`` client's errors (``ConnectionError`` from
    ``APIConnectionError``...): the client's error in the chain decides the code.
    Anything else raised while reading the reply means it was not a chat completion.
    """
    import openai

    for cause in _causes(exc):
        if isinstance(cause, OrchestrallError | openai.APIError):
            return translate_error(cause, node)
    # Same wording and code as the shared boundary uses for an unreadable reply.
    return translate_error(ValueError(str(exc)), node)


class MeteredLLM(OpenAICompletion):
    """``OpenAICompletion`` whose calls are counted for the run and node in ``meter``."""

    _meter: Meter | None = PrivateAttr(default=None)

    @property
    def meter(self) -> Meter | None:
        return self._meter

    def bind(self, meter: Meter | None, *, stream: bool) -> None:
        self._meter = meter
        self.stream = stream

    async def aclose(self) -> None:
        """Close the OpenAI clients CrewAI built for this LLM (when it is no longer used)."""
        if self._client is not None:
            self._client.close()
        if self._async_client is not None:
            await self._async_client.close()

    def _counted(self, meter: Meter | None, before: Any) -> None:
        if meter is None:
            return
        after = self.get_token_usage_summary()
        meter.count(
            after.prompt_tokens - before.prompt_tokens,
            after.completion_tokens - before.completion_tokens,
        )

    def call(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        meter = self._meter
        if meter is not None:
            meter.before_call()
        before = self.get_token_usage_summary()
        try:
            answer = super().call(messages, *args, **kwargs)
        except OrchestrallError:
            raise
        except Exception as exc:
            raise model_failure(exc, meter.node if meter else None) from exc
        self._counted(meter, before)
        return answer

    async def acall(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        meter = self._meter
        if meter is not None:
            meter.before_call()
        before = self.get_token_usage_summary()
        try:
            answer = await super().acall(messages, *args, **kwargs)
        except OrchestrallError:
            raise
        except Exception as exc:
            raise model_failure(exc, meter.node if meter else None) from exc
        self._counted(meter, before)
        return answer


def _relay_chunk(source: Any, event: LLMStreamChunkEvent) -> None:
    """Streamed content of a metered LLM becomes token events (tool-call arguments do not)."""
    if not isinstance(source, MeteredLLM) or event.tool_call is not None or not event.chunk:
        return
    meter = source.meter
    if meter is not None:
        meter.token(event.chunk)


crewai_event_bus.on(LLMStreamChunkEvent)(_relay_chunk)


def build_llm(endpoint: ModelEndpoint) -> MeteredLLM:
    """CrewAI's OpenAI client for an endpoint (Azure OpenAI through its deployment URL)."""
    common: dict[str, Any] = {
        "model": endpoint.model,
        "api_key": endpoint.api_key,
        "timeout": endpoint.request_timeout,
        "max_retries": 0,
        "temperature": endpoint.temperature,
        "max_tokens": endpoint.max_tokens,
        "stream": False,
    }
    if endpoint.provider == "azure_openai":
        return MeteredLLM(
            base_url=f"{endpoint.base_url}/openai/deployments/{endpoint.model}",
            default_query={"api-version": endpoint.api_version},
            default_headers={"api-key": endpoint.api_key},
            custom_openai=True,
            **common,
        )
    # custom_openai: an OpenAI-compatible server; never fall back to OpenAI's Responses API.
    return MeteredLLM(
        base_url=endpoint.base_url, custom_openai=endpoint.provider != "openai", **common
    )
