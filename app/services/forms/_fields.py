"""Form fields from schema properties: one ``FormField`` per property of an object.

Each field gets its widget, its value as text, options, bounds, help, the
validation problems of that field and any JSON draft that does not parse yet.
"""

from __future__ import annotations

import json
from typing import Any

from ._schema import _defaults, _properties, _unwrap, _widget
from ._types import UNSET, FormField, Option

_LABELS = {
    "api_key_secret": "API key secret (name)",
    "api_version": "API version",
    "base_url": "Base URL",
    "url": "URL",
    "id": "Id",
    "top_k": "Top K",
    "manager.model": "Manager model",
    "manager.instructions": "Manager instructions",
}


def _label(key: str) -> str:
    last = key.rsplit(".", 1)[-1]
    return _LABELS.get(key) or _LABELS.get(last) or last.replace("_", " ").capitalize()


def _text(value: Any, widget: str) -> str:
    if value is None:
        return ""
    if widget == "json":
        return json.dumps(value, indent=2, ensure_ascii=False)
    if widget == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


def _select_options(
    key: str,
    prop: dict[str, Any],
    nullable: bool,
    value: Any,
    refs: dict[str, list[Option]],
    unset_label: str,
) -> list[Option]:
    if key in refs:
        options = list(refs[key])
    else:
        options = [Option(str(v), str(v)) for v in prop.get("enum", [])]
    if nullable:
        options.insert(0, Option(UNSET, unset_label))
    if isinstance(value, str) and value and value not in {o.value for o in options}:
        options.append(Option(value, f"{value} (missing)"))
    return options


def _field(
    scope: str,
    key: str,
    prop: dict[str, Any],
    defs: dict[str, Any],
    value: Any,
    *,
    required: bool,
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
    unset_label: str = "None",
) -> FormField:
    prop, nullable = _unwrap(prop, defs)
    widget = _widget(key, prop, refs)
    default = prop.get("default")
    help_text = prop.get("description", "")
    problem = " ".join(problems.get((scope, key), []))
    base = {
        "scope": scope,
        "key": key,
        "label": _label(key),
        "widget": widget,
        "help": help_text,
        "required": required,
    }
    if widget == "readonly":
        return FormField(**base, value=_text(value if value is not None else prop.get("const"), ""))
    if widget == "switch":
        checked = value if isinstance(value, bool) else bool(default)
        return FormField(**base, checked=checked, problem=problem)
    if widget == "multiselect":
        selected = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        options = list(refs[key]) + [
            Option(v, f"{v} (missing)") for v in selected if v not in {o.value for o in refs[key]}
        ]
        return FormField(**base, selected=selected, options=options, problem=problem)
    if widget == "select":
        options = _select_options(key, prop, nullable, value, refs, unset_label)
        shown = value if value is not None else (default if default is not None else UNSET)
        return FormField(**base, value=_text(shown, widget), options=options, problem=problem)
    text = _text(value, widget)
    draft = drafts.get(f"{scope}|{key}")
    if draft is not None:
        text, problem = draft[0], draft[1] + (f" {problem}" if problem else "")
    extra: dict[str, Any] = {}
    if widget == "number":
        low = prop.get("minimum", prop.get("exclusiveMinimum"))
        high = prop.get("maximum", prop.get("exclusiveMaximum"))
        extra = {
            "minimum": "" if low is None else _text(low, widget),
            "maximum": "" if high is None else _text(high, widget),
            "step": "1" if prop.get("type") == "integer" else "any",
        }
    placeholder = "" if default is None else _text(default, widget)
    return FormField(**base, value=text, problem=problem, placeholder=placeholder, **extra)


def _object_fields(
    scope: str,
    model: type | dict[str, Any],
    data: dict[str, Any],
    refs: dict[str, list[Option]],
    problems: dict[tuple[str, str], list[str]],
    drafts: dict[str, tuple[str, str]],
    *,
    skip: tuple[str, ...] = (),
    readonly: tuple[str, ...] = (),
    unset_labels: dict[str, str] | None = None,
) -> list[FormField]:
    props, required, defs = _properties(model) if isinstance(model, type) else model
    defaults = _defaults(model) if isinstance(model, type) else {}
    fields = []
    for key, prop in props.items():
        if key in skip:
            continue
        value = data[key] if key in data else defaults.get(key, prop.get("default"))
        if key in readonly:
            fields.append(
                FormField(
                    scope=scope,
                    key=key,
                    label=_label(key),
                    widget="readonly",
                    value=_text(value, ""),
                    problem=" ".join(problems.get((scope, key), [])),
                )
            )
            continue
        fields.append(
            _field(
                scope,
                key,
                prop,
                defs,
                value,
                required=key in required,
                refs=refs,
                problems=problems,
                drafts=drafts,
                unset_label=(unset_labels or {}).get(key, "None"),
            )
        )
    return fields
