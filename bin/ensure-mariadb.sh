# Sourced by ./run-tests: makes sure MariaDB's server binaries are available for the MariaDB store tests.
# Tests run mariadb-install-db in a temporary directory and start their own server on a free loopback port; this
# only installs the binaries (Debian's mariadb-server package). The package's system service is kept from
# starting while it installs, then stopped and disabled: the tests never use it.
spindle_find_mariadb() {
  local dir
  for dir in "${SPINDLE_MARIADB_BIN:-}" /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin /usr/local/mysql/bin; do
    if [ -n "$dir" ] && [ -x "$dir/mariadbd" ]; then echo "$dir"; return 0; fi
  done
  return 1
}
spindle_ensure_mariadb() {
  local found
  if found="$(spindle_find_mariadb)" && command -v mariadb-install-db >/dev/null 2>&1; then
    export SPINDLE_MARIADB_BIN="$found"; return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "spindle: MariaDB not found; installing Debian's mariadb-server package (tests start their own instance)" >&2
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      # forbid service starts while the package installs (invoke-rc.d honours policy-rc.d)
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
    fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      mariadb-server >/dev/null) || true
    if [ -n "$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi
    (systemctl disable --now mariadb 2>/dev/null || service mariadb stop 2>/dev/null) >/dev/null 2>&1 || true
    (update-rc.d mariadb disable 2>/dev/null) >/dev/null 2>&1 || true
  fi
  if found="$(spindle_find_mariadb)" && command -v mariadb-install-db >/dev/null 2>&1; then
    export SPINDLE_MARIADB_BIN="$found"; return 0
  fi
  echo "spindle: MariaDB is required by the MariaDB store tests and could not be installed." >&2
  echo "spindle: install it (apt-get install mariadb-server) or set SPINDLE_MARIADB_BIN to the directory of mariadbd." >&2
  return 1
}
