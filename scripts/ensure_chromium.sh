#!/usr/bin/env bash
# Make sure the browser tests have a Chromium: Debian's `chromium` package where
# apt-get is available (Playwright cannot download browsers on our machines),
# otherwise Playwright's own build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_install_chromium() {
  local as_root=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || return 1
    as_root=(sudo)
  fi
  echo "Installing Debian's chromium for the browser tests..."
  "${as_root[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" \
      apt-get install -y -qq --no-install-recommends chromium
}

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && apt_install_chromium && command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Installing Playwright's Chromium for the browser tests..."
"$root/.venv/bin/playwright" install chromium
