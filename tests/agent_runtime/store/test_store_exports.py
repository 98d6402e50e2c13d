"""The store's public surface is exactly what ``__all__`` says."""

from __future__ import annotations

import inspect

import agent_runtime.store as store_pkg


def test_all_names_exist_and_nothing_else_public_leaks():
    assert sorted(store_pkg.__all__) == sorted(set(store_pkg.__all__))
    for name in store_pkg.__all__:
        assert hasattr(store_pkg, name), name
    public = {
        name
        for name, value in vars(store_pkg).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(store_pkg.__all__)
