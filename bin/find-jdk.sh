# Sourced by ./spindle, ./run-tests and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME, the java on PATH, then every JDK under /usr/lib/jvm (newest first).
spindle_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}
spindle_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/ 2>/dev/null | sort -Vr); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/javac" ] || continue
    major=$(spindle_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      # Maven's own Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every build: allowed for
      # the build tool only (the project's code does not use it)
      if [ "$major" -ge 23 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      fi
      return 0
    fi
  done
  echo "spindle: no JDK 21 or newer found (looked at \$JAVA_HOME, the javac on PATH and /usr/lib/jvm/*)." >&2
  echo "spindle: install one (for example Temurin 21+) and set JAVA_HOME." >&2
  return 1
}
