"""Request and response bodies of the REST API (they make its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "AnswerIn",
    "ErrorBody",
    "EventPage",
    "GraphDetail",
    "GraphList",
    "GraphOut",
    "InputFieldOut",
    "InterruptOut",
    "ProblemOut",
    "RunEventOut",
    "RunIn",
    "RunOut",
    "TotalsOut",
    "ValidationOut",
]

Backend = Literal["langgraph", "crewai", "autogen"]
ThreadId = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$")
]
Timeout = Annotated[
    float, Field(gt=0, le=300, description="Seconds to wait (at most 300) before answering 202.")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunIn(_In):
    """Start a run of a graph."""

    input: dict[str, Any] | str = Field(
        description="The input fields, or a string: the chat message (the `message` field)."
    )
    thread_id: ThreadId | None = Field(
        default=None, description="Continue this conversation thread (default: a new one)."
    )
    backend: Backend = "langgraph"
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Spec version (default: the current)."
    )
    wait: bool = Field(default=True, description="Answer when the run ends or waits for a person.")
    timeout_seconds: Timeout = 60.0

    @field_validator("input", mode="before")
    @classmethod
    def _object_or_text(cls, value: Any) -> Any:
        if not isinstance(value, dict | str):
            raise PydanticCustomError(
                "input_type", "must be an object of input fields or a string (the message)"
            )
        return value


class AnswerIn(_In):
    """Answer a run waiting at a human step: ``approved`` (and a ``comment``) for an
    approval, ``answer`` for a question."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["approved"], "not": {"required": ["answer"]}},
                {
                    "required": ["answer"],
                    "not": {"anyOf": [{"required": ["approved"]}, {"required": ["comment"]}]},
                },
            ]
        },
    )

    approved: bool | SkipJsonSchema[None] = None
    comment: str | SkipJsonSchema[None] = Field(default=None, max_length=20_000)
    answer: str | SkipJsonSchema[None] = Field(default=None, max_length=100_000)
    wait: bool = True
    timeout_seconds: Timeout = 60.0

    @model_validator(mode="after")
    def _one_kind(self) -> AnswerIn:
        if (self.approved is None) == (self.answer is None):
            raise PydanticCustomError(
                "answer_kind", "give either 'approved' (with an optional 'comment') or 'answer'"
            )
        if self.comment is not None and self.approved is None:
            raise PydanticCustomError("answer_kind", "'comment' goes with 'approved'")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputFieldOut(_Out):
    name: str
    type: str
    description: str = ""
    required: bool = True


class GraphOut(_Out):
    id: str
    name: str
    slug: str = Field(description="The name in lower case with dashes (an OpenAI `model`).")
    description: str
    current_version: int
    is_valid: bool
    node_count: int
    created_at: datetime
    updated_at: datetime


class GraphList(_Out):
    graphs: list[GraphOut]


class GraphDetail(GraphOut):
    version: int = Field(description="The version whose spec and inputs this shows.")
    input_fields: list[InputFieldOut]
    spec: dict[str, Any]


class ProblemOut(_Out):
    code: str
    message: str
    hint: str = ""
    path: str = "$"
    node_id: str | None = None
    edge_id: str | None = None


class ValidationOut(_Out):
    valid: bool
    problems: list[ProblemOut]


class TotalsOut(_Out):
    tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0
    latency_ms: float = 0.0
    steps: int = 0


class InterruptOut(_Out):
    """What a waiting run asks; answer with ``POST /runs/{id}/answer``."""

    seq: int
    node_id: str | None
    mode: Literal["approval", "input"]
    prompt: str
    proposal: str = ""


class RunOut(_Out):
    id: str
    graph_id: str
    graph_version: int
    status: Literal["queued", "running", "interrupted", "succeeded", "failed", "cancelled"]
    backend: str
    thread_id: str
    input: Any = None
    output: Any = None
    error: dict[str, Any] | None = None
    totals: TotalsOut
    last_seq: int = Field(description="Seq of the run's newest stored event.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    interrupt: InterruptOut | None = None


class RunEventOut(BaseModel):
    """One run event: ``seq`` (0 for a live token delta), ``type``, ``node_id``, ``at`` and
    the fields of its type (see docs/api.md)."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    seq: int
    type: str
    node_id: str | None = None
    at: float


class EventPage(_Out):
    run_id: str
    status: str
    events: list[RunEventOut]
    next_after: int = Field(description="Pass as `after` for the next page.")
    has_more: bool


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    node_id: str | None = None
    problems: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail
