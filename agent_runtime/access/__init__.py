"""Who may call the HTTP API, and how often: API keys and per-key rate limits.

keys = ApiKeys(store)
made, secret = keys.create("CRM bot")     # the secret is shown once; stored hashed
key = keys.verify(secret)                 # AccessError when missing/unknown/revoked/expired
limiter = RateLimiter.from_settings(settings)
limiter.hit(key)                          # RateLimitedError (retry_after) when over
"""

from agent_runtime.access._keys import KEY_PREFIX, ApiKey, ApiKeys
from agent_runtime.access._limits import SLOT_TTL_S, RateLimiter

__all__ = ["KEY_PREFIX", "SLOT_TTL_S", "ApiKey", "ApiKeys", "RateLimiter"]
