"""Pydantic models of graph spec v1: plain data, no code, tagged unions on ``kind``.

A spec is what the canvas saves and the runtime compiles. Everything that
executes is referred to by name: models and tools by their ids in the spec's own
sections, built-in tools by registry name, API keys by *secret name* only.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
"""The graph spec version this code reads and writes."""

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
SECRET_NAME_PATTERN = r"^[A-Z][A-Z0-9_]{1,63}$"
VALUE_REF_PATTERN = r"^(last_output|input\.[A-Za-z_][A-Za-z0-9_]*|state\.[A-Za-z_][A-Za-z0-9_]*)$"
TEMPLATE_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

Id = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="Identifier: a letter, then letters, digits, _ or -."),
]
SecretName = Annotated[
    str,
    Field(pattern=SECRET_NAME_PATTERN, description="Name of a stored secret, e.g. OPENAI_API_KEY."),
]
ValueRef = Annotated[
    str,
    Field(
        pattern=VALUE_REF_PATTERN,
        description="Where a value comes from: last_output, input.<field> or state.<key>.",
    ),
]
JsonScalar = str | int | float | bool | None


class _Spec(BaseModel):
    """Base of every spec model: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------- models ---


class ModelSpec(_Spec):
    """A chat model on an OpenAI-compatible endpoint."""

    id: Id
    provider: Literal["demo", "openai", "azure_openai", "openai_compatible"] = Field(
        description="demo is the offline scripted model; "
        "openai_compatible covers Ollama, vLLM and LM Studio."
    )
    model: str = Field(
        min_length=1, max_length=200, description="Model (or Azure deployment) name."
    )
    base_url: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=500)
    api_version: str | None = Field(
        default=None, max_length=40, description="Azure OpenAI API version."
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0, le=1_000_000)
    api_key_secret: SecretName | None = Field(
        default=None, description="Secret *name* holding the API key; never the key itself."
    )


# ----------------------------------------------------------------- tools ---


class BuiltinToolSpec(_Spec):
    """A tool from Orchestrall's built-in registry, referred to by name."""

    kind: Literal["builtin"] = "builtin"
    id: Id
    name: str = Field(
        min_length=1, max_length=64, description="Registry name of the built-in tool."
    )
    description: str | None = Field(default=None, max_length=1000)
    allowed_hosts: list[str] = Field(
        default_factory=list, description="Hosts http_request may call (required for it)."
    )


class HttpToolSpec(_Spec):
    """An HTTP call with JSON-schema parameters, restricted to allow-listed hosts."""

    kind: Literal["http"] = "http"
    id: Id
    description: str = Field(
        min_length=1, max_length=1000, description="What the tool does, for the model."
    )
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str = Field(
        pattern=r"^https?://\S+$",
        max_length=2000,
        description="URL template; {name} placeholders are filled from parameters.",
    )
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema (type object) of the tool's arguments.",
    )
    allowed_hosts: list[str] = Field(min_length=1, description="Hosts this tool may call.")
    header_secrets: dict[str, SecretName] = Field(
        default_factory=dict,
        description="Header name → secret name, e.g. Authorization → CRM_TOKEN.",
    )
    timeout_seconds: float = Field(default=20, gt=0, le=300)


ToolSpec = Annotated[BuiltinToolSpec | HttpToolSpec, Field(discriminator="kind")]


# ---------------------------------------------------------------- memory ---


class MemorySpec(_Spec):
    """A memory store the graph declares: knowledge base, long-term or conversation memory."""

    id: Id
    type: Literal["knowledge_base", "long_term", "conversation"]
    description: str | None = Field(default=None, max_length=1000)


# ----------------------------------------------------------------- nodes ---


class _Node(_Spec):
    id: Id
    label: str | None = Field(
        default=None, max_length=200, description="Display name on the canvas."
    )


class InputField(_Spec):
    """One field of structured input."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    type: Literal["text", "number", "boolean"] = "text"
    description: str | None = Field(default=None, max_length=500)
    required: bool = True


def _default_input_fields() -> list[InputField]:
    return [InputField(name="message", description="What the user asks.")]


class InputNode(_Node):
    """Where a run starts; declares the run's input fields."""

    kind: Literal["input"] = "input"
    fields: list[InputField] = Field(default_factory=_default_input_fields)


class AgentNode(_Node):
    """An LLM agent with a role, instructions, tools and memory."""

    kind: Literal["agent"] = "agent"
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(default="", max_length=500)
    goal: str = Field(default="", max_length=2000)
    instructions: str = Field(default="", max_length=20000)
    model: Id | None = Field(
        default=None, description="Model id; unset uses the graph's default model."
    )
    tools: list[Id] = Field(default_factory=list, description="Ids from the graph's tools section.")
    memory: list[Id] = Field(
        default_factory=list, description="Ids from the graph's memories section."
    )
    remember: Id | None = Field(
        default=None,
        description="A long-term or conversation memory the agent can store facts in "
        "with its 'remember' tool.",
    )
    max_iterations: int = Field(default=5, ge=1, le=50, description="Tool-loop rounds at most.")


class ToolNode(_Node):
    """A tool call as a step.

    Argument strings may use ``{{ input.x }}``, ``{{ last_output }}`` and ``{{ state.k }}``.
    """

    kind: Literal["tool"] = "tool"
    tool: Id
    arguments: dict[str, JsonScalar | list[JsonScalar] | dict[str, JsonScalar]] = Field(
        default_factory=dict
    )


class EqualsCondition(_Spec):
    op: Literal["equals"] = "equals"
    field: ValueRef = "last_output"
    value: JsonScalar
    case_sensitive: bool = False


class ContainsCondition(_Spec):
    op: Literal["contains"] = "contains"
    field: ValueRef = "last_output"
    value: str = Field(min_length=1, max_length=1000)
    case_sensitive: bool = False


class RegexCondition(_Spec):
    op: Literal["regex"] = "regex"
    field: ValueRef = "last_output"
    pattern: str = Field(min_length=1, max_length=300)
    case_sensitive: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return pattern


Condition = Annotated[
    EqualsCondition | ContainsCondition | RegexCondition, Field(discriminator="op")
]


class RouteSpec(_Spec):
    """A named way out of a router."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
    description: str | None = Field(
        default=None, max_length=500, description="What the route is for (LLM routing)."
    )
    condition: Condition | None = Field(
        default=None, description="Required when strategy is rules."
    )


class RouterNode(_Node):
    """Chooses one outgoing edge: by rules (first match wins) or by an LLM naming a route."""

    kind: Literal["router"] = "router"
    strategy: Literal["rules", "llm"] = "rules"
    routes: list[RouteSpec] = Field(default_factory=list)
    default_route: str | None = Field(
        default=None, description="Route taken when nothing matches; required."
    )
    model: Id | None = Field(
        default=None, description="Model for strategy llm; unset uses the default model."
    )
    instructions: str = Field(default="", max_length=5000)


class HumanNode(_Node):
    """Pauses the run for a person: approve/reject, or free input."""

    kind: Literal["human"] = "human"
    mode: Literal["approval", "input"] = "approval"
    prompt: str = Field(min_length=1, max_length=5000)


class MemoryNode(_Node):
    """Retrieves from or stores into a declared memory."""

    kind: Literal["memory"] = "memory"
    memory: Id
    operation: Literal["retrieve", "store"]
    query: str = Field(
        default="{{ last_output }}", max_length=2000, description="Template for retrieve."
    )
    top_k: int = Field(default=4, ge=1, le=50)
    min_score: float | None = Field(default=None, ge=0, le=1)
    filters: dict[str, JsonScalar] = Field(default_factory=dict)
    metadata: dict[str, JsonScalar] = Field(
        default_factory=dict, description="Stored with the text (store)."
    )


class OutputNode(_Node):
    """Where a run ends; its value is the run's output."""

    kind: Literal["output"] = "output"


NodeSpec = Annotated[
    InputNode | AgentNode | ToolNode | RouterNode | HumanNode | MemoryNode | OutputNode,
    Field(discriminator="kind"),
]
NODE_KINDS: tuple[str, ...] = ("input", "agent", "tool", "router", "human", "memory", "output")


class EdgeSpec(_Spec):
    """A directed connection; ``route`` names a router's route or a human decision."""

    id: Id
    source: str = Field(min_length=1, max_length=64)
    target: str = Field(min_length=1, max_length=64)
    route: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------- graph level ---


class LimitsSpec(_Spec):
    """Every run ends cleanly at these limits."""

    max_steps: int = Field(default=25, ge=1, le=1000)
    timeout_seconds: float = Field(default=120, gt=0, le=3600)
    max_tokens: int = Field(default=50_000, ge=1, le=10_000_000)


class Position(_Spec):
    x: float
    y: float


class LayoutSpec(_Spec):
    """Canvas layout, kept apart from semantics (it never changes what runs)."""

    positions: dict[str, Position] = Field(default_factory=dict)
    viewport: dict[str, float] = Field(default_factory=dict)


class ManagerSpec(_Spec):
    """A manager who plans the work and delegates it to the graph's agents."""

    model: Id | None = Field(
        default=None, description="Model the manager uses; unset uses the graph's default model."
    )
    instructions: str = Field(default="", max_length=5000, description="How to manage the team.")


class GraphSpec(_Spec):
    """A whole agent graph, schema version 1."""

    schema_version: Literal[1]
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    default_model: Id | None = Field(
        default=None, description="Model id agents use when they name none."
    )
    models: list[ModelSpec] = Field(default_factory=list)
    tools: list[ToolSpec] = Field(default_factory=list)
    memories: list[MemorySpec] = Field(default_factory=list)
    nodes: list[NodeSpec] = Field(default_factory=list)
    edges: list[EdgeSpec] = Field(default_factory=list)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    manager: ManagerSpec | None = Field(
        default=None,
        description="Agents work as a team under a manager who delegates (CrewAI's "
        "hierarchical process); unset: they run in the order of the edges.",
    )
    layout: LayoutSpec = Field(default_factory=LayoutSpec)
