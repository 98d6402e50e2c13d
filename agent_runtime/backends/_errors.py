"""Translate framework and client exceptions into Orchestrall's errors, at the backend boundary.

Every backend reaches models through the ``openai`` client (directly or via its
framework), so model failures translate the same way everywhere: a person reads
what happened at which node, and the UI matches on ``code``.
"""

from __future__ import annotations

import json

from agent_runtime.compiler import IRNode
from agent_runtime.errors import ModelEndpointError, OrchestrallError, RunError


def _endpoint_words(node: IRNode | None) -> str:
    if node is None or node.model is None:
        return "the model endpoint"
    return f"the model endpoint {node.model.base_url} (model '{node.model.model}')"


def translate_error(exc: BaseException, node: IRNode | None) -> OrchestrallError:
    """The Orchestrall error for ``exc`` raised while running ``node``."""
    if isinstance(exc, OrchestrallError):
        if isinstance(exc, RunError) and exc.node_id is None and node is not None:
            exc.node_id = node.id
        return exc
    node_id = node.id if node else None
    where = _endpoint_words(node)
    import openai  # the client every framework uses; imported here, on failure only

    if isinstance(exc, openai.APITimeoutError):
        return ModelEndpointError(
            f"{where} did not answer in time.", code="model_timeout", node_id=node_id
        )
    if isinstance(exc, openai.APIConnectionError):
        return ModelEndpointError(
            f"{where} cannot be reached. Check that the model server is running and the "
            "base URL is right.",
            code="model_unavailable",
            node_id=node_id,
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelEndpointError(
            f"{where} refused the API key ({exc.status_code}).",
            code="model_auth",
            node_id=node_id,
        )
    if isinstance(exc, openai.APIStatusError):
        return ModelEndpointError(
            f"{where} answered with an error ({exc.status_code}).",
            code="model_error",
            node_id=node_id,
        )
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError | ValueError):
        return ModelEndpointError(
            f"{where} sent an answer that is not a valid chat completion.",
            code="model_bad_response",
            node_id=node_id,
        )
    return RunError(
        f"Node '{node_id}' failed: {type(exc).__name__}: {exc}"[:500],
        code="node_error",
        node_id=node_id,
    )
