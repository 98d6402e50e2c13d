"""The settings page's "API keys" section: create a key (shown once), list, revoke.

A key calls this installation's HTTP API (``/api/v1`` and the OpenAI-compatible
``/v1``) as ``Authorization: Bearer orch_…``. The list shows each key's prefix,
never the key; the dialog after Create is the only place the key ever appears.
"""

from __future__ import annotations

import reflex as rx

from app.pages.settings_api_keys_state import ApiKeysState
from components.form_error import form_error

NEW_KEY_TESTID = "api-key-new-value"


def _field(text: str, control: rx.Component, hint: str | rx.Var = "") -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(text, size="2", weight="medium"),
            control,
            rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _number(name: str, value: rx.Var, default: rx.Var, test_id: str) -> rx.Component:
    return rx.input(
        name=name,
        type="number",
        min=1,
        max=100_000,
        step=1,
        default_value=value,
        placeholder=rx.Var.create("Default: ") + default.to_string(),
        width="100%",
        data_testid=test_id,
    )


def _graph_option(graph: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                name=rx.Var.create("graph:") + graph.id,
                default_checked=ApiKeysState.form_graph_ids.contains(graph.id),
                data_testid="api-key-graph-option",
            ),
            rx.text(graph.name, size="2"),
            align="center",
            spacing="2",
        ),
    )


def _scope_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Graphs it may run", size="2", weight="medium"),
        rx.radio_group.root(
            rx.hstack(
                rx.text(
                    rx.hstack(rx.radio_group.item(value="all"), "All graphs", spacing="2"),
                    as_="label",
                    size="2",
                ),
                rx.text(
                    rx.hstack(
                        rx.radio_group.item(value="graphs"), "Only these graphs", spacing="2"
                    ),
                    as_="label",
                    size="2",
                ),
                spacing="5",
            ),
            value=ApiKeysState.scope,
            on_change=ApiKeysState.set_scope,
            data_testid="api-key-scope",
        ),
        rx.cond(
            ApiKeysState.scope == "graphs",
            rx.cond(
                ApiKeysState.has_graphs,
                rx.flex(
                    rx.foreach(ApiKeysState.graphs, _graph_option),
                    wrap="wrap",
                    gap="8px 20px",
                    padding="10px 12px",
                    border="1px solid var(--gray-a5)",
                    border_radius="var(--radius-3)",
                    width="100%",
                    data_testid="api-key-graphs",
                ),
                rx.text("There are no graphs yet.", size="2", color_scheme="gray"),
            ),
        ),
        spacing="2",
        width="100%",
    )


def create_form() -> rx.Component:
    """Name, scope, optional expiry and limits; Create shows the key once."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Create a key", size="3", as_="h3"),
                _field(
                    "Name",
                    rx.input(
                        name="name",
                        default_value=ApiKeysState.form_name,
                        placeholder="CRM bot",
                        max_length=100,
                        auto_complete="off",
                        width="100%",
                        data_testid="api-key-name",
                    ),
                    "Who or what will use it, to recognise it later.",
                ),
                _scope_picker(),
                rx.hstack(
                    _field(
                        "Expires (optional)",
                        rx.input(
                            name="expires_on",
                            type="date",
                            default_value=ApiKeysState.form_expires_on,
                            width="100%",
                            data_testid="api-key-expires",
                        ),
                        "Works through the end of that day (UTC).",
                    ),
                    _field(
                        "Requests per minute",
                        _number(
                            "per_minute",
                            ApiKeysState.form_per_minute,
                            ApiKeysState.default_per_minute,
                            "api-key-per-minute",
                        ),
                    ),
                    _field(
                        "Runs at once",
                        _number(
                            "concurrent_runs",
                            ApiKeysState.form_concurrent_runs,
                            ApiKeysState.default_concurrent_runs,
                            "api-key-concurrent-runs",
                        ),
                    ),
                    spacing="3",
                    align="start",
                    width="100%",
                ),
                form_error(ApiKeysState.form_error, "api-key-error"),
                rx.button(
                    rx.icon("key-round", size=16),
                    "Create key",
                    type="submit",
                    data_testid="api-key-create",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=ApiKeysState.create_key,
            reset_on_submit=True,
            key=ApiKeysState.form_version,
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _state_badge(state: rx.Var) -> rx.Component:
    return rx.badge(
        state,
        color_scheme=rx.match(state, ("active", "green"), ("expired", "amber"), "red"),
        variant="soft",
        radius="full",
        data_testid="api-key-state",
    )


def _when(value: rx.Var, empty: str, **moment) -> rx.Component:
    return rx.cond(
        value != "",
        rx.text(rx.moment(value, **moment), size="2"),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _key_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.name, weight="medium", size="2"),
                rx.text(row.limits, size="1", color_scheme="gray"),
                spacing="0",
            ),
            min_width="190px",
        ),
        rx.table.cell(
            rx.code(row.prefix + "…", variant="ghost", size="2", data_testid="api-key-prefix")
        ),
        rx.table.cell(rx.text(row.scope, size="2", data_testid="api-key-scope-text")),
        rx.table.cell(_when(row.created_at, "", from_now=True, interval=60_000)),
        rx.table.cell(
            rx.cond(
                row.expires_on != "",
                rx.text(row.expires_on, size="2", title="Works through the end of this day (UTC)"),
                rx.text("Never", size="2", color_scheme="gray"),
            ),
            data_testid="api-key-expires-on",
        ),
        rx.table.cell(_state_badge(row.state)),
        rx.table.cell(
            _when(row.last_used_at, "Never", from_now=True, interval=60_000),
            data_testid="api-key-last-used",
        ),
        rx.table.cell(
            rx.cond(
                row.state == "active",
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=ApiKeysState.ask_revoke(row.id),
                    data_testid="api-key-revoke",
                ),
            ),
        ),
        data_testid="api-key-row",
    )


def keys_table() -> rx.Component:
    return rx.cond(
        ApiKeysState.has_keys,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(
                        rx.table.column_header_cell(title)
                        for title in (
                            "Name",
                            "Key",
                            "Graphs",
                            "Created",
                            "Expires",
                            "State",
                            "Last used",
                            "",
                        )
                    )
                )
            ),
            rx.table.body(rx.foreach(ApiKeysState.keys, _key_row)),
            variant="surface",
            size="1",
            width="100%",
            data_testid="api-key-list",
        ),
        rx.text("No API keys yet.", size="2", color_scheme="gray", data_testid="api-keys-empty"),
    )


def new_key_dialog() -> rx.Component:
    """The new key, once: copy it now; closing the dialog forgets it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Your new API key"),
            rx.dialog.description(
                rx.fragment("The key ", rx.text.strong(ApiKeysState.new_key_name), " was created."),
                size="2",
            ),
            rx.callout(
                "Copy it now and keep it somewhere safe: it is shown this once and cannot be "
                "recovered. Anyone with it can run your graphs.",
                icon="triangle-alert",
                color_scheme="amber",
                margin_y="12px",
                data_testid="api-key-warning",
            ),
            rx.hstack(
                rx.code(
                    ApiKeysState.new_key,
                    size="2",
                    variant="outline",
                    padding="6px 8px",
                    word_break="break-all",
                    flex="1",
                    data_testid=NEW_KEY_TESTID,
                ),
                rx.button(
                    rx.icon("copy", size=16),
                    "Copy",
                    variant="soft",
                    on_click=[
                        rx.set_clipboard(ApiKeysState.new_key),
                        rx.toast.success("Copied the key", duration=2000),
                    ],
                    data_testid="api-key-copy",
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(
                "Send it as ",
                rx.code("Authorization: Bearer <key>"),
                ". The list shows only its prefix, ",
                rx.code(ApiKeysState.new_key_prefix),
                ".",
                size="2",
                color_scheme="gray",
                margin_top="12px",
                as_="p",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("I have copied it", data_testid="api-key-done")),
                justify="end",
                margin_top="16px",
            ),
            max_width="560px",
            data_testid="api-key-dialog",
        ),
        open=ApiKeysState.showing_new_key,
        on_open_change=ApiKeysState.new_key_dialog_changed,
    )


def revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke ", ApiKeysState.revoke_name, "?"),
            rx.alert_dialog.description(
                "Programs using this key are refused from their next request. "
                "This cannot be undone: create a new key instead.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Revoke",
                        color_scheme="red",
                        on_click=ApiKeysState.revoke_key,
                        data_testid="api-key-revoke-confirm",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=ApiKeysState.confirming_revoke,
        on_open_change=ApiKeysState.revoke_dialog_changed,
    )


def api_keys_section() -> rx.Component:
    """The whole section, with its two dialogs."""
    return rx.vstack(
        rx.heading("API keys", size="5", as_="h2"),
        rx.text(
            "Keys for other programs to run graphs over HTTP (",
            rx.code("/api/v1"),
            " and the OpenAI-compatible ",
            rx.code("/v1"),
            "). A key is shown once when created; only its prefix is kept in view.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            ApiKeysState.load_error != "",
            rx.callout(
                ApiKeysState.load_error,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        keys_table(),
        create_form(),
        new_key_dialog(),
        revoke_dialog(),
        spacing="3",
        width="100%",
        data_testid="api-keys-section",
    )
