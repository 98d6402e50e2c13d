"""Services: the only way the UI reaches the runtime and the store.

States call these functions and get plain, Reflex-friendly values back.
"""
