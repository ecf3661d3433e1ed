#!/usr/bin/env bash
# Install what the browser tests need beyond the Python packages:
#  - Debian's Chromium (driven by Playwright through executable_path=/usr/bin/chromium)
#  - the cairo library, which cairosvg needs to draw PNG figures
#  - axe-core (accessibility rules), from the npm registry into .cache/axe/ (gitignored)
#  - Debian's PostgreSQL server binaries (scripts/test.sh starts a private server from them)
#  - nginx and openssl, to run the reverse-proxy example of docs/deploy/ for real
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
ldconfig -p 2>/dev/null | grep -q 'libcairo.so.2' || missing="$missing libcairo2"  # PNG figures
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v openssl >/dev/null || missing="$missing openssl"
if [ -n "$missing" ]; then
    sudo_cmd=""
    if [ "$(id -u)" != "0" ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq $missing
fi

axe_dir="$root/.cache/axe"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$axe_dir"
    (cd "$axe_dir" && npm install --no-audit --no-fund --silent axe-core@4)
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
echo "axe-core: $axe_dir/node_modules/axe-core/axe.min.js"
echo "postgresql: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
echo "nginx: $(/usr/sbin/nginx -v 2>&1)"
