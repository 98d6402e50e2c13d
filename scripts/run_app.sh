#!/usr/bin/env bash
# Start the Orchestrall app: frontend http://localhost:3000, backend :8000.
#
# This is the one launcher: `make run` calls it and `orchestrall run` execs it.
# Extra arguments go to `reflex run` (e.g. --frontend-port 3100 --backend-port 8100).
# It expects the set-up `make run` does: .venv with the package, bun in .bun/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bun_bin="$root/.bun/node_modules/.bin"
if [[ ! -x "$bun_bin/bun" ]]; then
  echo "error: bun is not installed in $root/.bun; run 'make run' once to set it up." >&2
  exit 1
fi
venv_python="$root/.venv/bin/python"
if [[ ! -x "$venv_python" ]]; then
  echo "error: $root/.venv is missing; run 'make run' once to set it up." >&2
  exit 1
fi

export PATH="$bun_bin:$root/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1
export REFLEX_TELEMETRY_ENABLED=false
# Reflex otherwise probes a second, mirror registry before installing frontend packages.
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"

"$venv_python" - <<'PY'
from sqlalchemy.engine import make_url

from agent_runtime.settings import get_settings

settings = get_settings()
data_dir = settings.ensure_data_dir().resolve()


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


runs = f"Celery via {shown(settings.broker_url)}" if settings.broker_url else "in-process"
print(f"Orchestrall data lives in {data_dir}")
print(f"  database: {shown(settings.resolved_database_url())}")
print(f"  runs:     {runs}")
print("Reflex prints the app URL once it has compiled; Ctrl+C stops it.", flush=True)
PY

exec "$root/.venv/bin/reflex" run "$@"
