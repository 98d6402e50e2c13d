"""The one exception tree of Orchestrall's runtime, store and marketplace.

    OrchestrallError                 code: str, message
    ├── SpecError                    the input is not a usable graph spec
    │   ├── SpecParseError           not JSON / not an object / wrong shape
    │   ├── SpecVersionError         schema_version missing, unknown or newer than this code
    │   ├── SpecValidationError      carries ``problems`` (every problem at once)
    │   └── ImportFormatError        an AutoGen/CrewAI file to import is malformed or unsupported
    ├── StoreError                   persistence failed
    │   ├── NotFoundError            unknown graph, version or run id
    │   └── ConflictError            a write lost a race or breaks a constraint
    ├── ModelServerError             the scripted model server was misused
    │   └── ScriptError              a model script is malformed
    ├── ConfigurationError           settings or environment are unusable
    ├── ExportError                  a valid spec cannot be expressed in the chosen export format
    ├── AccessError                  an API call without a valid key (``unauthorized``: missing,
    │   │                            unknown, revoked, expired) or outside its scope (``forbidden``)
    │   └── RateLimitedError         over a key's requests per minute or concurrent runs
    ├── TemplateError                a template or bundle is malformed, tampered with or breaks
    │                                a marketplace rule (version order, secrets, size)
    ├── CompileError                 a valid spec cannot be built on the chosen backend
    │   ├── UnknownBackendError      no backend by that name
    │   ├── BackendUnavailableError  the backend's packages are missing (message: install command)
    │   └── UnsupportedFeatureError  the backend lacks a feature a node needs (names the node)
    └── RunError                     a run failed; carries ``node_id`` when one node is at fault
        ├── LimitExceededError       max steps, timeout or max tokens (``limit``)
        ├── RunCancelledError        someone cancelled the run
        ├── ModelEndpointError       the model endpoint is down, slow or answered garbage
        ├── ToolError                a tool could not be set up or called
        └── RunStateError            the run cannot do that now (e.g. resume a finished run)

The UI and the CLI match on types and ``code``, never on message text.
Framework exceptions are translated into these at the backend boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from agent_runtime.spec import Problem

__all__ = [
    "AccessError",
    "BackendUnavailableError",
    "CompileError",
    "ConfigurationError",
    "ConflictError",
    "ExportError",
    "ImportFormatError",
    "LimitExceededError",
    "ModelEndpointError",
    "ModelServerError",
    "NotFoundError",
    "OrchestrallError",
    "RateLimitedError",
    "RunCancelledError",
    "RunError",
    "RunStateError",
    "ScriptError",
    "SpecError",
    "SpecParseError",
    "SpecValidationError",
    "SpecVersionError",
    "StoreError",
    "TemplateError",
    "ToolError",
    "UnknownBackendError",
    "UnsupportedFeatureError",
]


class OrchestrallError(Exception):
    """Base of every error Orchestrall raises on purpose."""

    code: str = "orchestrall_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class SpecError(OrchestrallError):
    code = "spec_error"


class SpecParseError(SpecError):
    code = "spec_parse_error"


class SpecVersionError(SpecError):
    code = "spec_version_error"


class SpecValidationError(SpecError):
    """A spec has problems; ``problems`` lists every one of them."""

    code = "spec_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "; ".join(p.one_line() for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"The graph spec has {len(self.problems)} problem(s): {lines}{more}")


class ImportFormatError(SpecError):
    """A file to import (AutoGen team JSON, CrewAI YAML) is malformed or uses what we cannot map."""

    code = "import_format_error"


class StoreError(OrchestrallError):
    code = "store_error"


class NotFoundError(StoreError):
    code = "not_found"


class ConflictError(StoreError):
    code = "conflict"


class ModelServerError(OrchestrallError):
    code = "model_server_error"


class ScriptError(ModelServerError):
    code = "script_error"


class ConfigurationError(OrchestrallError):
    code = "configuration_error"


class ExportError(OrchestrallError):
    """The graph uses something the export format cannot express; ``node_ids`` names where."""

    code = "export_unsupported"

    def __init__(self, message: str, *, node_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.node_ids = tuple(node_ids)


class AccessError(OrchestrallError):
    """An API request is refused: ``unauthorized`` (no valid key) or ``forbidden`` (scope)."""

    code = "unauthorized"


class RateLimitedError(AccessError):
    """Too many requests or runs for a key; try again after ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class TemplateError(OrchestrallError):
    """A template, a release or a bundle is refused; ``code`` says why (``field`` where)."""

    code = "template_invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class CompileError(OrchestrallError):
    code = "compile_error"


class UnknownBackendError(CompileError):
    code = "unknown_backend"


class BackendUnavailableError(CompileError):
    code = "backend_unavailable"


class UnsupportedFeatureError(CompileError):
    """The chosen backend cannot run a feature of the graph; ``node_id`` names where."""

    code = "unsupported_feature"

    def __init__(self, message: str, *, node_id: str | None = None, feature: str = "") -> None:
        super().__init__(message)
        self.node_id = node_id
        self.feature = feature


class RunError(OrchestrallError):
    """A run failed; ``node_id`` names the node at fault when there is one."""

    code = "run_error"

    def __init__(self, message: str, *, code: str | None = None, node_id: str | None = None):
        super().__init__(message, code=code)
        self.node_id = node_id


class LimitExceededError(RunError):
    """A run limit was reached; ``limit`` is ``max_steps``, ``timeout`` or ``max_tokens``."""

    code = "limit_exceeded"

    def __init__(self, message: str, *, limit: str, node_id: str | None = None) -> None:
        super().__init__(message, node_id=node_id)
        self.limit = limit


class RunCancelledError(RunError):
    code = "cancelled"


class ModelEndpointError(RunError):
    code = "model_unavailable"


class ToolError(RunError):
    code = "tool_error"


class RunStateError(RunError):
    code = "run_state"
