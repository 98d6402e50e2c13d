"""From a chat request to a run: which graph (``model``), what input, which thread.

- ``model`` is a graph id, or its slug (name in lower case with dashes), among the
  graphs the key may use; anything else is ``model_not_found`` (as OpenAI says it:
  it does not exist or the key may not use it).
- The last message must be the user's. A graph whose only input is ``message`` gets
  its text; another graph gets the message parsed as a JSON object of its fields
  (and a graph that also has ``message`` gets the text when it is not JSON).
- The thread: the ``X-Orchestrall-Thread`` header when given. Otherwise a request
  with no assistant message before the last user message starts a new thread
  ``chat-<key id>-<random>``. A later turn sends the conversation back, as OpenAI
  clients do; it continues the thread of this key's newest run of the graph whose
  answer is the last assistant message and whose input is one of the user's earlier
  messages. If none matches (a history edited or from elsewhere), the thread is
  ``chat-<key id>-<sha256 of the graph id and the earlier messages>``, so retries of
  the same conversation still share one thread.
- A run on that thread waiting for a person is answered by the message instead of
  starting a new run: for an approval, ``yes``/``approve``/``ok`` or ``no``/``reject``
  (the rest of the message is the comment); for a question, the message is the answer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from typing import Any

from agent_runtime.access import ApiKey
from agent_runtime.errors import NotFoundError
from agent_runtime.events import InterruptEvent
from agent_runtime.spec import InputField
from agent_runtime.store import GraphSummary, RunRecord
from app.api.v1._errors import ApiError
from app.api.v1._openai_schemas import ChatMessage, ChatRequest, message_text
from app.services import api_runs
from app.services.graphs import get_store

__all__ = ["ChatTurn", "answer_nodes", "interrupt_text", "plan_turn", "resolve_model"]

_THREAD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$")
_LOOKBACK = 200
_YES = {"yes", "y", "approve", "approved", "ok", "okay", "sure"}
_NO = {"no", "n", "reject", "rejected", "deny"}
_SYSTEM = ("system", "developer")


@dataclasses.dataclass(frozen=True)
class ChatTurn:
    """What one chat request does: start a run with ``given``, or resume ``waiting``."""

    graph: GraphSummary
    thread_id: str
    given: dict[str, Any] | None = None
    waiting: RunRecord | None = None
    resume: dict[str, Any] | None = None


def resolve_model(key: ApiKey, model: str) -> GraphSummary:
    """The graph ``model`` names (id, else slug) among those ``key`` may use."""
    store = get_store()
    if key.allows(model):
        try:
            return store.get_graph(model)
        except NotFoundError:
            pass
    wanted = model.strip().lower()
    found = [
        g for g in store.list_graphs() if key.allows(g.id) and api_runs.graph_slug(g.name) == wanted
    ]
    if len(found) > 1:
        raise ApiError(
            400,
            "model_ambiguous",
            f"Several graphs are called {wanted!r}; use a "
            "graph id as the model (GET /v1/models lists them).",
            field="model",
        )
    if not found:
        raise ApiError(
            404,
            "model_not_found",
            "The model does not exist or this API key may not use it.",
            field="model",
        )
    return found[0]


def _text(message: ChatMessage) -> str:
    text = message_text(message)
    if text is None:
        raise ApiError(
            400, "unsupported_content", "Only text message content is supported.", field="messages"
        )
    return text


def _chat_input(fields: list[InputField], text: str) -> dict[str, Any]:
    names = [f.name for f in fields]
    if names == ["message"]:
        return {"message": text}
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    if "message" in names:
        return {"message": text}
    raise ApiError(
        400,
        "bad_input",
        "This graph takes the fields "
        + ", ".join(repr(n) for n in names)
        + ": send them as a JSON object in the last user message.",
        field="messages",
    )


def interrupt_text(interrupt: InterruptEvent) -> str:
    """How a human step's question reads as the assistant's reply."""
    if interrupt.proposal:
        return f"{interrupt.prompt}\n\n{interrupt.proposal}"
    return interrupt.prompt


def _said(run: RunRecord) -> str | None:
    """What the assistant said in ``run``'s turn (its answer, or its human step's question)."""
    if run.status.value == "succeeded":
        return run.output if isinstance(run.output, str) else json.dumps(run.output)
    interrupt = api_runs.last_interrupt(run)
    return interrupt_text(interrupt) if interrupt is not None else None


def _matches_input(run: RunRecord, said_by_user: list[str], fields: list[InputField]) -> bool:
    for text in said_by_user:
        try:
            if _chat_input(fields, text) == run.input:
                return True
        except ApiError:
            continue
    return False


def _thread_for(
    key: ApiKey, graph: GraphSummary, earlier: list[ChatMessage], fields: list[InputField]
) -> str:
    prefix = f"chat-{key.id}-"
    replies = [m for m in earlier if m.role == "assistant"]
    if not replies:
        return prefix + uuid.uuid4().hex
    last_reply = (message_text(replies[-1]) or "").strip()
    said_by_user = [t for m in earlier if m.role == "user" and (t := message_text(m)) is not None]
    for run in get_store().list_runs(graph_id=graph.id, limit=_LOOKBACK):
        if not run.thread_id.startswith(prefix):
            continue
        said = _said(run)
        if (
            said is not None
            and said.strip() == last_reply
            and _matches_input(run, said_by_user, fields)
        ):
            return run.thread_id
    history = [{"role": m.role, "content": message_text(m)} for m in earlier]
    digest = hashlib.sha256(json.dumps([graph.id, history], sort_keys=True).encode()).hexdigest()
    return prefix + digest[:32]


def _waiting_on(graph_id: str, thread_id: str) -> RunRecord | None:
    for run in get_store().list_runs(graph_id=graph_id, status="interrupted", limit=_LOOKBACK):
        if run.thread_id == thread_id:
            return run
    return None


def _resume_from(text: str, interrupt: InterruptEvent) -> dict[str, Any]:
    if interrupt.mode == "input":
        return {"answer": text}
    first, _, rest = text.strip().partition(" ")
    word = first.strip(".,!:;").lower()
    if word in _YES or word in _NO:
        return {"approved": word in _YES, "comment": rest.strip()}
    raise ApiError(
        400,
        "answer_kind",
        "The agent waits for approval: reply 'yes' or 'no' (a comment may follow).",
        field="messages",
    )


def answer_nodes(graph_id: str, version: int) -> frozenset[str]:
    """The nodes whose output is the run's answer (those feeding an output node)."""
    spec = get_store().get_spec(graph_id, version)
    outputs = {n.get("id") for n in spec.get("nodes") or () if n.get("kind") == "output"}
    return frozenset(e.get("source") for e in spec.get("edges") or () if e.get("target") in outputs)


def plan_turn(key: ApiKey, request: ChatRequest, thread_header: str | None) -> ChatTurn:
    """What the request does (see the module docstring); ``ApiError`` when it cannot."""
    graph = resolve_model(key, request.model)
    last = request.messages[-1]
    if last.role != "user":
        raise ApiError(
            400, "bad_messages", "The last message must be the user's.", field="messages"
        )
    text = _text(last)
    fields = api_runs.input_fields_of(get_store().get_spec(graph.id, graph.current_version))
    if thread_header is not None:
        if not _THREAD.match(thread_header):
            raise ApiError(
                400,
                "bad_thread",
                "X-Orchestrall-Thread must be 1-200 letters, digits or _ . : @ -.",
                field="X-Orchestrall-Thread",
            )
        thread_id = thread_header
    else:
        earlier = [m for m in request.messages[:-1] if m.role not in _SYSTEM]
        thread_id = _thread_for(key, graph, earlier, fields)
    waiting = _waiting_on(graph.id, thread_id)
    if waiting is not None:
        interrupt = api_runs.last_interrupt(waiting)
        if interrupt is not None:
            return ChatTurn(graph, thread_id, waiting=waiting, resume=_resume_from(text, interrupt))
    given = _chat_input(fields, text)
    problems = api_runs.input_problems(fields, given)
    if problems:
        raise ApiError(
            400,
            "bad_input",
            "The input is not right: " + " ".join(m for _, m in problems),
            field="messages",
        )
    return ChatTurn(graph, thread_id, given=given)
