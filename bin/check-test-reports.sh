# Sourced by ./run-tests: fails when any test of this run was skipped or aborted (an assumption that
# did not hold, a missing component), so nothing passes by not running. Reports older than
# spindle_mark_test_run's marker (an earlier run) are ignored.
spindle_mark_test_run() {
  SPINDLE_TEST_MARK=$(mktemp)
}
spindle_check_test_reports() {
  local reports bad
  reports=$(find . -path '*/target/surefire-reports/TEST-*.xml' -newer "$SPINDLE_TEST_MARK")
  rm -f "$SPINDLE_TEST_MARK"
  bad=$(echo "$reports" | xargs -r grep -l -E '<testsuite [^>]*skipped="[1-9]' || true)
  if [ -n "$bad" ]; then
    echo "spindle: skipped tests are failures; see:" >&2
    echo "$bad" | sed 's/^/  /' >&2
    return 1
  fi
  echo "spindle: $(echo "$reports" | grep -c . || true) test classes ran, none skipped" >&2
}
