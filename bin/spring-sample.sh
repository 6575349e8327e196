#!/usr/bin/env bash
# Runs the Spring Boot sample application (module spindle-spring-boot-sample) from this checkout:
#   ./spindle spring-sample [--server.port=9090 ...]      the sample (Spindle starter)
#   bin/spring-sample.sh --print-classpath               prints its class path (for the benchmark)
# Builds the module on first use and again when a source changed. Jobs go to
# spindle-data/spring-sample.db under the current directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bin/find-jdk.sh" && spindle_find_jdk
module="$root/spindle-spring-boot-sample"
cp_file="$module/target/sample.classpath"
stale() {
  [ ! -f "$cp_file" ] || [ -n "$(find "$root" -path "$root/*/target" -prune -o \
    \( -name '*.java' -o -name pom.xml -o -path '*/src/main/resources/*' \) -newer "$cp_file" -print -quit)" ]
}
if stale; then
  mkdir -p "$module/target"
  exec 9>"$module/target/.build.lock"
  flock 9
  if stale; then
    echo "spring-sample: building (first use or sources changed)..." >&2
    (cd "$root" && mvn -B -q -ntp -DskipTests -Dmaven.javadoc.skip=true -pl spindle-spring-boot-sample -am \
        package dependency:build-classpath -Dmdep.outputFile=target/deps.classpath -DincludeScope=runtime >&2) \
      || { echo "spring-sample: build failed" >&2; exit 1; }
    printf '%s:%s' "$module/target/classes" "$(cat "$module/target/deps.classpath")" > "$cp_file"
  fi
  exec 9>&-
fi
if [ "${1:-}" = --print-classpath ]; then
  cat "$cp_file"
  exit 0
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${SPINDLE_JAVA_OPTS:-} -cp "$(cat "$cp_file")" dev.spindle.spring.sample.SampleApplication "$@"
