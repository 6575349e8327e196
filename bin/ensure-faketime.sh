# Sourced by ./run-tests: makes sure libfaketime's `faketime` command is available for the
# process-level clock-skew test (a worker JVM started under `faketime -f -60s`). Installs Debian's
# faketime package when missing and running as root.
spindle_ensure_faketime() {
  if [ -n "${SPINDLE_FAKETIME:-}" ] && [ -x "$SPINDLE_FAKETIME" ]; then return 0; fi
  if ! command -v faketime >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "spindle: faketime not found; installing Debian's faketime package (clock-skew test)" >&2
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null 2>&1 \
      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        faketime >/dev/null)) || true
  fi
  if command -v faketime >/dev/null 2>&1; then
    export SPINDLE_FAKETIME="$(command -v faketime)"; return 0
  fi
  echo "spindle: faketime (libfaketime) is required by the clock-skew test and could not be installed." >&2
  echo "spindle: install it (apt-get install faketime) or set SPINDLE_FAKETIME to its path." >&2
  return 1
}
