"""The settings page: model providers (with Test connection), named secrets and API keys.

Keys are typed into password inputs that are never bound to the state: the form
sends them once on Save and clears itself; afterwards the page only ever shows a
masked hint (``Saved ••••1a2b``). See ``docs/secrets.md``.
"""

from __future__ import annotations

import reflex as rx

from app.pages.settings_api_keys import api_keys_section
from app.pages.settings_state import SECRET_VALUE_INPUT_ID, SettingsState
from components.confirm_dialog import confirm_delete_dialog
from components.form_error import form_error
from components.header import SETTINGS_HREF, header

SETTINGS = SETTINGS_HREF  # the route; the header links here
PAGE_WIDTH = "880px"


def _label(text: str, control: rx.Component, hint: str | rx.Var = "") -> rx.Component:
    """A labelled form field; clicking the label focuses the control."""
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


def _text_input(name: str, value: rx.Var, placeholder: str, test_id: str) -> rx.Component:
    return rx.input(
        name=name,
        default_value=value,
        placeholder=placeholder,
        spell_check=False,
        auto_complete="off",
        size="2",
        width="100%",
        data_testid=test_id,
    )


def _key_input(provider: str, status: rx.Var, placeholder: str) -> rx.Component:
    """A password input for a key: empty after every save, never filled from the state."""
    return rx.input(
        name="api_key",
        type="password",
        placeholder=rx.cond(
            status.source == "missing", placeholder, "Enter a new key to replace the saved one"
        ),
        auto_complete="off",
        spell_check=False,
        size="2",
        width="100%",
        data_testid=f"{provider}-api-key",
    )


def key_badge(provider: str, status: rx.Var) -> rx.Component:
    """Where the provider's key stands: saved (with its masked hint), from the env, or not set."""
    return rx.badge(
        rx.icon("key-round", size=12),
        status.label,
        color_scheme=rx.match(
            status.source,
            ("stored", "green"),
            ("environment", "blue"),
            ("unreadable", "amber"),
            "gray",
        ),
        variant="soft",
        radius="full",
        data_testid=f"{provider}-key-status",
    )


def check_result(provider: str) -> rx.Component:
    """The last connection test's outcome, in plain words."""
    status = SettingsState.checks[provider]
    return rx.cond(
        status != "idle",
        rx.hstack(
            rx.match(
                status,
                ("ok", rx.icon("circle-check", size=16, color="var(--green-11)")),
                ("error", rx.icon("circle-alert", size=16, color="var(--red-11)")),
                rx.spinner(size="1"),
            ),
            rx.text(
                SettingsState.check_messages[provider],
                size="2",
                color_scheme=rx.match(status, ("ok", "green"), ("error", "red"), "gray"),
            ),
            align="center",
            spacing="2",
            role="status",
            data_testid=f"{provider}-check",
        ),
    )


def _test_button(provider: str) -> rx.Component:
    return rx.button(
        rx.icon("plug-zap", size=16),
        "Test connection",
        type="button",
        variant="soft",
        color_scheme="gray",
        on_click=SettingsState.test_connection(provider),
        loading=SettingsState.checks[provider] == "testing",
        data_testid=f"{provider}-test",
    )


def _form_error(provider: str) -> rx.Component:
    message = SettingsState.form_errors[provider]
    return form_error(message, f"{provider}-error")


def _card(
    provider: str,
    title: str,
    description: str | rx.Component,
    badge: rx.Component,
    *body: rx.Component,
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="4", as_="h3"),
                rx.spacer(),
                badge,
                align="center",
                width="100%",
            ),
            rx.text(description, size="2", color_scheme="gray"),
            *body,
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        data_testid=f"provider-{provider}",
    )


def _provider_form(provider: str, on_submit: rx.EventHandler, *fields: rx.Component):
    """A provider's fields, with Save (submits, then the inputs clear) and Test connection."""
    return rx.form(
        rx.vstack(
            *fields,
            _form_error(provider),
            rx.hstack(
                rx.button(
                    "Save",
                    type="submit",
                    data_testid=f"{provider}-save",
                ),
                _test_button(provider),
                check_result(provider),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        key=SettingsState.form_version,
        width="100%",
    )


def demo_card() -> rx.Component:
    return _card(
        "demo",
        "Demo model",
        rx.fragment(
            "The offline scripted model this installation serves at ",
            rx.code(SettingsState.demo_base_url),
            ". It needs no key and no network, so a graph can always run.",
        ),
        rx.badge("Always available", color_scheme="green", variant="soft", radius="full"),
        rx.hstack(_test_button("demo"), check_result("demo"), align="center", spacing="3"),
    )


def openai_card() -> rx.Component:
    return _card(
        "openai",
        "OpenAI",
        "Models from api.openai.com. The key is saved as the secret OPENAI_API_KEY.",
        key_badge("openai", SettingsState.openai_key),
        _provider_form(
            "openai",
            SettingsState.save_openai,
            _label("API key", _key_input("openai", SettingsState.openai_key, "sk-…")),
        ),
    )


def azure_card() -> rx.Component:
    return _card(
        "azure_openai",
        "Azure OpenAI",
        "Deployments of an Azure OpenAI resource. The key is saved as AZURE_OPENAI_API_KEY.",
        key_badge("azure_openai", SettingsState.azure_key),
        _provider_form(
            "azure_openai",
            SettingsState.save_azure,
            _label(
                "Endpoint URL",
                _text_input(
                    "endpoint",
                    SettingsState.azure_endpoint,
                    "https://my-resource.openai.azure.com",
                    "azure_openai-endpoint",
                ),
            ),
            _label(
                "API version",
                _text_input(
                    "api_version",
                    SettingsState.azure_api_version,
                    "2024-10-21",
                    "azure_openai-api-version",
                ),
            ),
            _label(
                "API key",
                _key_input("azure_openai", SettingsState.azure_key, "Key 1 or Key 2"),
                "Leave empty to keep the saved key.",
            ),
        ),
    )


def compatible_card() -> rx.Component:
    return _card(
        "openai_compatible",
        "OpenAI-compatible server",
        "Ollama, vLLM, LM Studio or any server that speaks the OpenAI API.",
        key_badge("openai_compatible", SettingsState.compatible_key),
        _provider_form(
            "openai_compatible",
            SettingsState.save_compatible,
            _label(
                "Base URL",
                _text_input(
                    "base_url",
                    SettingsState.compatible_base_url,
                    "http://localhost:11434/v1",
                    "openai_compatible-base-url",
                ),
                "Usually ends in /v1.",
            ),
            _label(
                "Key's secret name (optional)",
                _text_input(
                    "key_secret",
                    SettingsState.compatible_key_secret,
                    "OPENAI_COMPATIBLE_API_KEY",
                    "openai_compatible-key-secret",
                ),
            ),
            _label(
                "API key (optional)",
                _key_input("openai_compatible", SettingsState.compatible_key, "Only if needed"),
                "Many local servers need none. Leave empty to keep the saved key.",
            ),
        ),
    )


def _secret_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(row.name, variant="ghost", weight="medium")),
        rx.table.cell(
            rx.hstack(
                rx.text(row.hint, font_family="var(--code-font-family)", size="2"),
                rx.cond(
                    ~row.readable,
                    rx.badge("Saved under another key", color_scheme="amber", variant="soft"),
                ),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.text(row.used_by, size="2", color_scheme="gray")),
        rx.table.cell(rx.text(rx.moment(row.updated_at, from_now=True, interval=60_000), size="2")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Replace",
                    size="1",
                    variant="soft",
                    on_click=SettingsState.replace_secret(row.name),
                    data_testid=rx.Var.create("secret-replace-") + row.name,
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=SettingsState.ask_delete(row.name),
                    data_testid=rx.Var.create("secret-delete-") + row.name,
                ),
                spacing="2",
                justify="end",
            ),
        ),
        data_testid="secret-row",
    )


def secrets_table() -> rx.Component:
    return rx.cond(
        SettingsState.has_secrets,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Value"),
                    rx.table.column_header_cell("Used by"),
                    rx.table.column_header_cell("Updated"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(SettingsState.secrets, _secret_row)),
            variant="surface",
            width="100%",
            data_testid="secret-list",
        ),
        rx.text(
            "No secrets saved yet.", size="2", color_scheme="gray", data_testid="secrets-empty"
        ),
    )


def secret_form() -> rx.Component:
    """Add or replace a named secret; the value input clears on submit."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.box(
                    _label(
                        "Name",
                        rx.input(
                            name="name",
                            default_value=SettingsState.secret_name,
                            placeholder="SHOP_API_TOKEN",
                            spell_check=False,
                            auto_complete="off",
                            width="100%",
                            data_testid="secret-name",
                        ),
                    ),
                    flex="1",
                ),
                rx.box(
                    _label(
                        "Value",
                        rx.input(
                            name="value",
                            id=SECRET_VALUE_INPUT_ID,
                            type="password",
                            placeholder="Pasted once, never shown again",
                            spell_check=False,
                            auto_complete="off",
                            width="100%",
                            data_testid="secret-value",
                        ),
                    ),
                    flex="2",
                ),
                rx.button("Save secret", type="submit", data_testid="secret-save"),
                align="end",
                spacing="3",
                width="100%",
            ),
            form_error(SettingsState.secret_error, "secret-error"),
            spacing="2",
            width="100%",
        ),
        on_submit=SettingsState.save_secret,
        reset_on_submit=True,
        key=SettingsState.secret_form_version,
        width="100%",
    )


def delete_dialog() -> rx.Component:
    return confirm_delete_dialog(
        "Delete ",
        SettingsState.delete_name,
        "?",
        description="Graphs that use this secret fail to run until it is added again.",
        on_confirm=SettingsState.delete_secret,
        open=SettingsState.confirming_delete,
        on_open_change=SettingsState.delete_dialog_changed,
        confirm_testid="secret-delete-confirm",
    )


def _section(title: str, intro: str, *children: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="5", as_="h2"),
        rx.text(intro, size="2", color_scheme="gray"),
        *children,
        spacing="3",
        width="100%",
        **props,
    )


def settings_page() -> rx.Component:
    return rx.box(
        header(),
        rx.el.main(
            rx.vstack(
                rx.vstack(
                    rx.heading("Settings", size="7", as_="h1"),
                    rx.text(
                        "Model providers, secrets and API keys. Keys are stored encrypted "
                        "(API keys hashed) and are never shown again after saving.",
                        color_scheme="gray",
                        size="3",
                    ),
                    spacing="1",
                ),
                rx.cond(
                    SettingsState.load_error != "",
                    rx.callout(
                        SettingsState.load_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                        data_testid="settings-error",
                    ),
                ),
                _section(
                    "Model providers",
                    "Where agents' models answer. Test connection lists the provider's models "
                    "with the saved settings.",
                    demo_card(),
                    openai_card(),
                    azure_card(),
                    compatible_card(),
                ),
                _section(
                    "Secrets",
                    "Named values that graphs refer to by name, such as a model key or an HTTP "
                    "tool's header (SHOP_API_TOKEN). Only a masked hint is ever shown.",
                    secrets_table(),
                    secret_form(),
                    data_testid="secrets-section",
                ),
                api_keys_section(),
                delete_dialog(),
                spacing="6",
                width="100%",
            ),
            max_width=PAGE_WIDTH,
            margin_x="auto",
            padding_x="24px",
            padding_y="40px",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
