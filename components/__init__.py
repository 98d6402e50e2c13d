"""Reusable Reflex components (noun functions); they never import agent frameworks."""
