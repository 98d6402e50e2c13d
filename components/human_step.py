"""The human step of a waiting run: the question or proposal, and Approve / Reject / Answer.

Shared by the builder's Run tab and the run page. Their states name things alike:
``waiting_mode``, ``waiting_prompt``, ``waiting_proposal``, ``answer_input`` and the
events ``set_answer_input``, ``approve``, ``reject``, ``send_answer``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def human_step(state: Any) -> rx.Component:
    """Approve/Reject when ``state.waiting_mode`` is "approval", a text answer for "input"."""
    mode, prompt, proposal = state.waiting_mode, state.waiting_prompt, state.waiting_proposal
    answer, on_answer_change = state.answer_input, state.set_answer_input
    on_approve, on_reject, on_send = state.approve, state.reject, state.send_answer
    return rx.callout.root(
        rx.vstack(
            rx.text(prompt, weight="medium", size="2"),
            rx.cond(
                proposal != "",
                rx.text(proposal, size="2", white_space="pre-wrap"),
            ),
            rx.cond(
                mode == "approval",
                rx.hstack(
                    rx.button("Approve", on_click=on_approve, size="1", data_testid="run-approve"),
                    rx.button(
                        "Reject",
                        on_click=on_reject,
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        data_testid="run-reject",
                    ),
                ),
                rx.hstack(
                    rx.input(
                        value=answer,
                        on_change=on_answer_change,
                        placeholder="Your answer",
                        size="1",
                        flex="1",
                        data_testid="run-answer-input",
                    ),
                    rx.button("Answer", on_click=on_send, size="1", data_testid="run-send-answer"),
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
