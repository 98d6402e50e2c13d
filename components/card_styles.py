"""Styles the cards share (graphs, templates): a link stretched over the whole card, a
two-line clamp, and the card's hover and keyboard-focus ring."""

from __future__ import annotations

TWO_LINES = {
    "display": "-webkit-box",
    "-webkit-line-clamp": "2",
    "-webkit-box-orient": "vertical",
    "overflow": "hidden",
}

# The title's link covers the whole card, so a click anywhere on it opens it, while
# controls raised above the link (a menu) stay their own.
STRETCHED_LINK = {
    "&::after": {"content": '""', "position": "absolute", "inset": "0", "z_index": "0"},
    "&:focus-visible": {"outline": "none"},
}


def card_style(transition: str = "box-shadow 120ms") -> dict:
    """A card that lifts on hover and shows the focus ring when its link has focus."""
    return {
        "position": "relative",
        "transition": transition,
        "_hover": {"box_shadow": "var(--shadow-3)"},
        "&:has(a:focus-visible)": {"outline": "2px solid var(--focus-8)", "outline_offset": "2px"},
    }
