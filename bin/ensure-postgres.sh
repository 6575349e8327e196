# Sourced by ./run-tests: makes sure PostgreSQL's server binaries are available for the PostgreSQL store tests.
# Tests run initdb in a temporary directory and start their own server on a free loopback port; this only
# installs the binaries (Debian's postgresql package; its system cluster is stopped, the tests never use it).
spindle_ensure_postgres() {
  if [ -n "${SPINDLE_PG_BIN:-}" ] && [ -x "$SPINDLE_PG_BIN/postgres" ]; then return 0; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$found" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "spindle: PostgreSQL not found; installing Debian's postgresql package (tests start their own instance)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null) || true
    (systemctl disable --now postgresql 2>/dev/null || service postgresql stop 2>/dev/null) >/dev/null 2>&1 || true
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  fi
  if [ -n "$found" ] && [ -x "$found/postgres" ]; then
    export SPINDLE_PG_BIN="$found"; return 0
  fi
  echo "spindle: PostgreSQL is required by the PostgreSQL store tests and could not be installed." >&2
  echo "spindle: install it (apt-get install postgresql) or set SPINDLE_PG_BIN to its bin directory." >&2
  return 1
}
