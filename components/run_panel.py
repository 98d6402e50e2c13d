"""The builder's Run tab: a message box, the streamed answer, the trace, the human step."""

from __future__ import annotations

import reflex as rx

from app.pages.builder_run_state import BuilderRunState as S
from app.services.runs import TraceRow

STATUS_COLORS = {"running": "blue", "done": "green", "failed": "red", "waiting": "amber"}


def trace_row(row: rx.Var[TraceRow]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row.status == "running",
            rx.spinner(size="1"),
            rx.badge(row.status, color_scheme=rx.match(row.status, *STATUS_COLORS.items(), "gray")),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.cond(row.label != "", row.label, row.node_id), weight="medium", size="2"
                ),
                rx.text(row.kind, size="1", color_scheme="gray"),
                spacing="2",
                align="baseline",
            ),
            rx.cond(row.preview != "", rx.text(row.preview, size="1", color_scheme="gray")),
            rx.text(
                f"{row.duration_ms} ms · {row.tokens} tokens · {row.tool_calls} tool calls",
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="2",
        data_testid="trace-" + row.node_id,
        data_status=row.status,
    )


def _human_step() -> rx.Component:
    return rx.callout.root(
        rx.vstack(
            rx.text(S.waiting_prompt, weight="medium", size="2"),
            rx.cond(
                S.waiting_proposal != "",
                rx.text(S.waiting_proposal, size="2", white_space="pre-wrap"),
            ),
            rx.cond(
                S.waiting_mode == "approval",
                rx.hstack(
                    rx.button("Approve", on_click=S.approve, size="1", data_testid="run-approve"),
                    rx.button(
                        "Reject",
                        on_click=S.reject,
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        data_testid="run-reject",
                    ),
                ),
                rx.hstack(
                    rx.input(
                        value=S.answer_input,
                        on_change=S.set_answer_input,
                        placeholder="Your answer",
                        size="1",
                        flex="1",
                        data_testid="run-answer-input",
                    ),
                    rx.button(
                        "Answer", on_click=S.send_answer, size="1", data_testid="run-send-answer"
                    ),
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        color_scheme="amber",
        size="1",
        data_testid="run-waiting",
    )


def _error() -> rx.Component:
    return rx.callout.root(
        rx.vstack(
            rx.text(S.error, size="2"),
            rx.cond(
                S.error_detail != "",
                rx.el.details(
                    rx.el.summary("Details"),
                    rx.code(S.error_detail, size="1", white_space="pre-wrap"),
                ),
            ),
            spacing="1",
        ),
        color_scheme="red",
        role="alert",
        size="1",
        data_testid="run-error",
    )


def run_panel(graph_id: rx.Var[str]) -> rx.Component:
    """Run the graph ``graph_id`` with a message and watch it."""
    return rx.vstack(
        rx.text_area(
            value=S.message,
            on_change=S.set_message,
            placeholder="Message to send to the graph",
            rows="3",
            width="100%",
            data_testid="run-input",
        ),
        rx.hstack(
            rx.button(
                rx.icon("play", size=14),
                "Run",
                on_click=S.start_run(graph_id),
                loading=S.running,
                disabled=S.waiting,
                data_testid="run-button",
            ),
            rx.cond(
                S.running | S.waiting,
                rx.button(
                    "Cancel",
                    on_click=S.cancel_run,
                    variant="soft",
                    color_scheme="gray",
                    data_testid="run-cancel",
                ),
            ),
            rx.spacer(),
            rx.text(
                rx.hstack(
                    rx.switch(
                        checked=S.continue_thread,
                        on_change=S.set_continue_thread,
                        size="1",
                        data_testid="run-continue",
                    ),
                    "Continue this conversation",
                    spacing="1",
                    align="center",
                ),
                as_="label",
                size="1",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(S.error != "", _error()),
        rx.cond(S.waiting, _human_step()),
        rx.cond(
            S.answer_text != "",
            rx.box(
                rx.text(S.answer_text, size="2", white_space="pre-wrap"),
                padding="8px",
                border_radius="6px",
                background="var(--gray-a3)",
                width="100%",
                data_testid="run-answer",
                data_status=S.status,
            ),
        ),
        rx.vstack(
            rx.foreach(S.trace, trace_row),
            spacing="2",
            width="100%",
            data_testid="run-trace",
        ),
        spacing="3",
        width="100%",
        data_testid="run-panel",
    )
