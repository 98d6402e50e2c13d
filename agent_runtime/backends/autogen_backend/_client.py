"""Model clients: one AutoGen client per endpoint and compiled graph, metered per node run.

``endpoint_client`` builds AutoGen's ``OpenAIChatCompletionClient`` (or the Azure
one) for a ``ModelEndpoint``; a compiled graph keeps one per endpoint and every
run reuses it (its HTTP connection pool included), on the runtime's one loop.

``MeteredClient`` wraps that shared client for one node execution. It is an
AutoGen ``ChatCompletionClient`` itself, so the agent's own tool loop calls it
like any model client; it:

- counts every model call when it returns (the node's usage, and
  ``RunControl.add_tokens``, which stops the run over ``max_tokens``) — the same
  point the LangGraph backend counts at, before any tool of that turn runs;
- asks for usage on streamed calls (``include_usage``) without putting
  ``stream_options`` on non-streamed ones, which OpenAI refuses;
- turns an answer that is not a chat completion (an HTML page, an empty stream)
  into ``BadCompletion``, a ``ValueError`` that ``translate_error`` reports as
  ``model_bad_response``, as on LangGraph.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import openai.resources  # noqa: F401  (openai loads it on first use: not in a run, on its loop)
from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from agent_runtime.backends._usage import Usage
from agent_runtime.execution import RunControl
from agent_runtime.models import ModelEndpoint

# Every endpoint is OpenAI-compatible; we only rely on text and function calling.
MODEL_INFO = ModelInfo(
    vision=False,
    function_calling=True,
    json_output=False,
    family="unknown",
    structured_output=False,
    multiple_system_messages=False,
)


def endpoint_client(endpoint: ModelEndpoint) -> ChatCompletionClient:
    """AutoGen's OpenAI client for an endpoint: no retries, the run's request timeout."""
    options: dict[str, Any] = {
        "model": endpoint.model,
        "api_key": endpoint.api_key,
        "model_info": MODEL_INFO,
        "max_retries": 0,
        "timeout": endpoint.request_timeout,
        # Send messages as LangGraph does: no per-message ``name`` field.
        "include_name_in_message": False,
    }
    if endpoint.temperature is not None:
        options["temperature"] = endpoint.temperature
    if endpoint.max_tokens is not None:
        options["max_tokens"] = endpoint.max_tokens
    if endpoint.provider == "azure_openai":
        from autogen_ext.models.openai import AzureOpenAIChatCompletionClient

        return AzureOpenAIChatCompletionClient(
            azure_endpoint=endpoint.base_url,
            azure_deployment=endpoint.model,
            api_version=endpoint.api_version or "",
            **options,
        )
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    return OpenAIChatCompletionClient(base_url=endpoint.base_url, **options)


class BadCompletion(ValueError):
    """The endpoint answered with something that is not a chat completion."""


@dataclass
class Meter:
    """Where one node's model calls are counted: its usage and the run's limits."""

    node_id: str
    endpoint: ModelEndpoint | None
    control: RunControl
    usage: Usage = field(default_factory=Usage)

    def count(self, usage: RequestUsage) -> None:
        prompt, completion = usage.prompt_tokens, usage.completion_tokens
        cost = self.endpoint.cost(prompt, completion) if self.endpoint else None
        self.usage.add(prompt, completion, cost)
        self.control.add_tokens(self.node_id, prompt, completion, cost)


def _no_completion(result: CreateResult) -> bool:
    """A streamed result built from no chunk at all (no content, calls, reason or usage)."""
    return (
        result.content == ""
        and result.finish_reason == "unknown"
        and result.usage.prompt_tokens == result.usage.completion_tokens == 0
    )


class MeteredClient(ChatCompletionClient):
    """A shared endpoint client, seen through one node execution's ``Meter``."""

    def __init__(self, inner: ChatCompletionClient, meter: Meter) -> None:
        self._inner, self._meter = inner, meter

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = (),
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        try:
            result = await self._inner.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            )
        except (AttributeError, TypeError, KeyError) as exc:  # the body was not a completion
            raise BadCompletion(f"not a chat completion ({exc})") from exc
        self._meter.count(result.usage)
        return result

    async def create_stream(  # type: ignore[override]  (an async generator, as AutoGen's)
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = (),
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        result: CreateResult | None = None
        try:
            async for item in self._inner.create_stream(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
                include_usage=True,
            ):
                if isinstance(item, CreateResult):
                    result = item
                else:
                    yield item
        except UserWarning as exc:  # AutoGen warns on an empty stream (an error under -W error)
            raise BadCompletion(f"no completion in the stream ({exc})") from exc
        except (AttributeError, TypeError, KeyError) as exc:
            raise BadCompletion(f"not a chat completion stream ({exc})") from exc
        if result is None or _no_completion(result):
            raise BadCompletion("no completion in the stream")
        self._meter.count(result.usage)
        yield result

    async def close(self) -> None:
        """The shared client outlives this node execution: nothing to close here."""

    def actual_usage(self) -> RequestUsage:
        usage = self._meter.usage
        return RequestUsage(prompt_tokens=usage.prompt, completion_tokens=usage.completion)

    def total_usage(self) -> RequestUsage:
        return self.actual_usage()

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Any] = ()) -> int:
        return self._inner.count_tokens(messages, tools=tools)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Any] = ()) -> int:
        return self._inner.remaining_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> Any:  # deprecated in AutoGen, still abstract
        return self._inner.model_info

    @property
    def model_info(self) -> ModelInfo:
        return self._inner.model_info
