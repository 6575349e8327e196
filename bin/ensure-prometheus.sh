# Sourced by ./run-tests: makes sure the prometheus and promtool binaries are available for the
# metrics tests. Tests start their own server on a free loopback port with a temporary
# configuration; this only installs the binaries (Debian's 'prometheus' package).
spindle_ensure_prometheus() {
  if [ -n "${SPINDLE_PROMETHEUS:-}" ] && [ -x "$SPINDLE_PROMETHEUS" ] && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "spindle: prometheus not found; installing Debian's prometheus package (tests start their own instance)" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) || true
      # The package starts a system service on 9090 (and a node exporter); the tests never use them.
      (systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null \
        || { service prometheus stop; service prometheus-node-exporter stop; } 2>/dev/null) >/dev/null 2>&1 || true
    fi
  fi
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    export SPINDLE_PROMETHEUS="$(command -v prometheus)"
    export SPINDLE_PROMTOOL="$(command -v promtool)"
    return 0
  fi
  echo "spindle: prometheus and promtool are required by the metrics tests and could not be installed." >&2
  echo "spindle: install them (apt-get install prometheus) or set SPINDLE_PROMETHEUS to the server's path." >&2
  return 1
}
