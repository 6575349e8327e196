# Sourced by ./run-tests: makes sure a redis-server binary is available for the Redis tests.
# Tests start their own server on a free loopback port; this only installs the binary.
spindle_ensure_redis() {
  if [ -n "${SPINDLE_REDIS_SERVER:-}" ] && [ -x "$SPINDLE_REDIS_SERVER" ]; then return 0; fi
  if command -v redis-server >/dev/null 2>&1; then
    export SPINDLE_REDIS_SERVER="$(command -v redis-server)"; return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "spindle: redis-server not found; installing Debian's redis-server package (tests start their own instance)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null) || true
    # The package starts a system service on 6379; the tests never use it.
    (systemctl disable --now redis-server 2>/dev/null || service redis-server stop 2>/dev/null) >/dev/null 2>&1 || true
  fi
  if command -v redis-server >/dev/null 2>&1; then
    export SPINDLE_REDIS_SERVER="$(command -v redis-server)"; return 0
  fi
  echo "spindle: redis-server is required by the Redis tests and could not be installed." >&2
  echo "spindle: install it (apt-get install redis-server) or set SPINDLE_REDIS_SERVER to its path." >&2
  return 1
}
