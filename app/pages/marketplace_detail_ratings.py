"""The ratings and reviews of a template's page: a summary with a bar per star count, my
rating and review (one per person, editable), and everyone's reviews."""

from __future__ import annotations

import reflex as rx

from app.pages.marketplace_detail_state import TemplateState
from app.services.marketplace import ReviewView, StarBar

S = TemplateState


def _bar(bar: rx.Var[StarBar]) -> rx.Component:
    return rx.hstack(
        rx.text(bar.stars, " ★", size="1", width="28px"),
        rx.progress(value=bar.percent, max=100, flex="1", color_scheme="amber"),
        rx.text(bar.count, size="1", color_scheme="gray", width="20px", text_align="right"),
        align="center",
        spacing="2",
        width="100%",
    )


def star_picker() -> rx.Component:
    def star(n: int) -> rx.Component:
        on = S.draft_stars >= n
        return rx.icon_button(
            rx.icon(
                "star",
                size=22,
                fill=rx.cond(on, "var(--amber-9)", "none"),
                color=rx.cond(on, "var(--amber-9)", "var(--gray-8)"),
            ),
            variant="ghost",
            type="button",
            on_click=S.choose_stars(n),
            aria_label=f"{n} star{'s' if n > 1 else ''}",
            aria_pressed=on,
            data_testid=f"star-{n}",
        )

    return rx.hstack(
        *(star(n) for n in range(1, 6)),
        spacing="2",
        data_testid="star-picker",
        data_stars=S.draft_stars,
    )


def review_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(S.my_stars > 0, "Your review", "Rate this template"),
                size="3",
                weight="medium",
                as_="h3",
            ),
            star_picker(),
            rx.text_area(
                name="review",
                default_value=S.draft_text,
                key=S.review_key,
                placeholder="A short review: what it did for you (optional)",
                max_length=1000,
                rows="3",
                width="100%",
                data_testid="review-text",
            ),
            rx.cond(
                S.rating_error != "",
                rx.text(
                    S.rating_error,
                    color_scheme="red",
                    size="2",
                    role="alert",
                    data_testid="review-error",
                ),
            ),
            rx.button(
                rx.cond(S.my_stars > 0, "Update review", "Save review"),
                type="submit",
                loading=S.saving_review,
                data_testid="review-save",
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=S.save_review,
        reset_on_submit=False,
        width="100%",
    )


def _review(review: rx.Var[ReviewView]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(review.stars_text, color="var(--amber-9)", size="2", letter_spacing="1px"),
            rx.text(review.reviewer, weight="medium", size="2"),
            rx.cond(review.mine, rx.badge("yours", size="1", variant="soft")),
            rx.spacer(),
            rx.text(review.date, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(review.text != "", rx.text(review.text, size="2", white_space="pre-line")),
        spacing="1",
        width="100%",
        padding_y="10px",
        border_top="1px solid var(--gray-a4)",
        data_testid="review",
        data_reviewer=review.reviewer,
    )


def ratings() -> rx.Component:
    summary = rx.vstack(
        rx.text(S.rating_summary, size="3", weight="medium", data_testid="rating-summary"),
        rx.foreach(S.star_bars, _bar),
        spacing="2",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Ratings and reviews", size="4", as_="h2"),
            rx.flex(
                rx.box(summary, flex="1 1 240px", min_width="0"),
                rx.box(review_form(), flex="2 1 360px", min_width="0"),
                spacing="6",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                S.has_reviews,
                rx.vstack(
                    rx.foreach(S.reviews, _review),
                    spacing="0",
                    width="100%",
                    data_testid="review-list",
                ),
                rx.text("No reviews yet: be the first.", size="2", color_scheme="gray"),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        data_testid="template-ratings",
    )
