"""Property forms generated from the spec's JSON Schema, never written per node kind.

``node_form`` and ``graph_form`` describe what the properties panel shows as
plain ``FormField`` rows (a widget name, the value as text, options, help and
the validation problem of that field); ``coerce`` turns what a widget sends
back into the value the spec stores. Widgets come from the schema:

- ``readonly``: a constant (``kind``) or a node's ``id``
- ``text`` / ``textarea``: strings (``textarea`` for prose such as instructions, prompt,
  description with ``maxLength >= 1000``, and for other free text of 2000 or more)
- ``number``: integers and numbers, with their bounds
- ``switch``: booleans, and optional groups of graph settings (``manager``): on
  stores ``{}`` and shows the group's fields (``manager.model``…), off removes it
- ``select``: enums, and references (``model``, ``default_model``, ``manager.model``,
  ``tool``, a single ``memory``, a built-in tool's registry ``name``)
- ``multiselect``: lists of references (an agent's ``tools`` and ``memory``)
- ``lines``: other lists of strings (one per line, e.g. ``allowed_hosts``)
- ``json``: any other object or list (``arguments``, ``filters``, input ``fields``)
- ``routes``: a router's routes, edited as rows generated from ``RouteSpec``

A *scope* names the object a field belongs to: ``graph``, ``models/0``,
``tools/1``, ``memories/0``, ``node/<id>`` or ``node/<id>/routes/<i>``.
"""

from __future__ import annotations

from ._edits import (
    CoerceError,
    add_item,
    builtin_tool_names,
    coerce,
    current_value,
    edit_field,
    memory_types,
    remove_item,
    set_field,
    toggle_option,
)
from ._graph_form import graph_form
from ._node_form import node_form
from ._problems import problem_target
from ._schema import NODE_MODELS, field_schema
from ._types import UNSET, WIDGETS, FormField, FormRow, GraphForm, NodeForm, Option

__all__ = [
    "NODE_MODELS",
    "UNSET",
    "WIDGETS",
    "CoerceError",
    "FormField",
    "FormRow",
    "GraphForm",
    "NodeForm",
    "Option",
    "add_item",
    "builtin_tool_names",
    "coerce",
    "current_value",
    "edit_field",
    "field_schema",
    "graph_form",
    "memory_types",
    "node_form",
    "problem_target",
    "remove_item",
    "set_field",
    "toggle_option",
]
