"""Secrets by name. Specs name secrets (``OPENAI_API_KEY``); a run gets their values here.

    key = load_secret_key(settings)            # ORCHESTRALL_SECRET_KEY or <data_dir>/secret.key
    secrets = SecretStore(store, key)          # encrypted rows in the store's ``secret`` table
    secrets.set_secret("SHOP_API_TOKEN", "…")  # -> SecretInfo(name, hint="••••1a2b", …)
    secrets.list_secrets()                     # names, hints, times: never values
    run_secrets = StoredSecrets(secrets)       # Mapping for a run; falls back to EnvSecrets
    run_secrets = stored_secrets(store, settings)   # the same, in one line

Values are encrypted with Fernet; a value saved under another key raises
``ConfigurationError(code="secret_key_mismatch")``, never garbage. Nothing here
shows a value in its repr, its errors or its logs. See ``docs/secrets.md``.
"""

from agent_runtime.secrets._env import EnvSecrets, is_secret_name
from agent_runtime.secrets._key import KEY_ENV_VAR, KEY_FILE_NAME, SecretKey, load_secret_key
from agent_runtime.secrets._mapping import StoredSecrets, stored_secrets
from agent_runtime.secrets._store import MAX_SECRET_LENGTH, SecretInfo, SecretStore, mask_secret

__all__ = [
    "KEY_ENV_VAR",
    "KEY_FILE_NAME",
    "MAX_SECRET_LENGTH",
    "EnvSecrets",
    "SecretInfo",
    "SecretKey",
    "SecretStore",
    "StoredSecrets",
    "is_secret_name",
    "load_secret_key",
    "mask_secret",
    "stored_secrets",
]
