# Sourced by ./run-tests: makes sure Debian's chromium and chromium-driver are installed for the
# dashboard's browser tests (Selenium). Nothing is downloaded at test time; the tests start their
# own headless browser with a fresh profile.
spindle_ensure_chromium() {
  if [ -z "${SPINDLE_CHROMIUM:-}" ]; then SPINDLE_CHROMIUM="$(command -v chromium || true)"; fi
  if [ -z "${SPINDLE_CHROMEDRIVER:-}" ]; then SPINDLE_CHROMEDRIVER="$(command -v chromedriver || true)"; fi
  if { [ -z "$SPINDLE_CHROMIUM" ] || [ -z "$SPINDLE_CHROMEDRIVER" ]; } \
      && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "spindle: chromium or chromedriver not found; installing Debian's chromium and chromium-driver" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver >/dev/null) || true
    SPINDLE_CHROMIUM="$(command -v chromium || true)"
    SPINDLE_CHROMEDRIVER="$(command -v chromedriver || true)"
  fi
  if [ -z "$SPINDLE_CHROMIUM" ] || [ -z "$SPINDLE_CHROMEDRIVER" ]; then
    echo "spindle: the dashboard's browser tests need chromium and chromedriver (apt-get install chromium" \
      "chromium-driver), or SPINDLE_CHROMIUM and SPINDLE_CHROMEDRIVER set to their paths." >&2
    return 1
  fi
  export SPINDLE_CHROMIUM SPINDLE_CHROMEDRIVER
}
