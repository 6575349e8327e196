#!/usr/bin/env bash
# The Spring starter's cost: start-up time and memory of the sample application with Spindle
# (dev.spindle.spring.sample.SampleApplication: starter, SQLite store, worker, cron schedule,
# health and metrics) and without (dev.spindle.spring.baseline.BaselineApplication: the same web,
# JDBC and Actuator stack, spindle.enabled=false), each started RUNS times (default 5) in a fresh JVM
# on the same class path and JVM options, one at a time, alternating, after one unrecorded start of
# each (warm file cache).
#   bin/spring-sample-bench.sh [RUNS]
# Per run: "ready" is Spring Boot's "process running for" figure when the application has started
# (JVM start to ready, seconds) and the CPU time (user + system) the JVM used by then; then a full
# GC (jcmd GC.run) and the heap in use (GC.heap_info), the resident set (VmRSS) and the classes
# loaded. Prints each run and the medians. Only child JVMs
# it started are stopped (by their pid, SIGTERM). Port 0 (a free loopback port); data in a temp dir.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bin/find-jdk.sh" && spindle_find_jdk
runs="${1:-5}"
cp="$("$root/bin/spring-sample.sh" --print-classpath)"
work="$(mktemp -d)"
chmod 700 "$work"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
opts=(--enable-native-access=ALL-UNNAMED -Xshare:auto ${SPINDLE_JAVA_OPTS:-})

measure() { # name main-class run -> prints "name run ready_s heap_mb rss_mb classes"
  local name="$1" main="$2" run="$3" log="$work/$1-$3.log"
  (cd "$work" && exec "$JAVA_HOME/bin/java" "${opts[@]}" -cp "$cp" "$main" --server.port=0 \
      --spindle.store.location="sqlite:$work/$name-$run.db" \
      --management.endpoints.web.exposure.include=health >"$log" 2>&1) &
  pid=$!
  local waited=0
  until grep -q "process running for" "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "$name did not start:" >&2; tail -20 "$log" >&2; exit 1; fi
    if [ "$waited" -ge 1200 ]; then echo "$name: not started after 120 s" >&2; exit 1; fi
    sleep 0.1; waited=$((waited + 1))
  done
  local jvm
  jvm="$(pgrep -P "$pid" java || echo "$pid")"
  local ready
  ready="$(grep -o "process running for [0-9.]*" "$log" | head -1 | awk '{print $4}')"
  # CPU time (user + system) the JVM used until now: less sensitive than wall time to other load.
  local cpu_ticks
  cpu_ticks="$(awk '{ print $14 + $15 }' "/proc/$jvm/stat")"
  "$JAVA_HOME/bin/jcmd" "$jvm" GC.run >/dev/null
  local heap_k rss_k classes
  heap_k="$("$JAVA_HOME/bin/jcmd" "$jvm" GC.heap_info | grep -o "used [0-9]*K" | head -1 | tr -dc 0-9)"
  rss_k="$(awk '/VmRSS/ {print $2}' "/proc/$jvm/status")"
  classes="$("$JAVA_HOME/bin/jcmd" "$jvm" PerfCounter.print | awk -F= '/java.cls.loadedClasses=/ {print $2}')"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  awk -v n="$name" -v r="$run" -v s="$ready" -v h="$heap_k" -v m="$rss_k" -v c="$classes" \
    -v t="$cpu_ticks" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%-8s run %d  ready %5.2f s  heap after GC %6.1f MB  RSS %6.1f MB  classes %6d  cpu %5.2f s\n", n, r, s, h / 1024, m / 1024, c, t / hz }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, alternating"
results="$work/results"
# One unrecorded start of each first, so neither pays for a cold file cache.
measure baseline dev.spindle.spring.baseline.BaselineApplication 0 >/dev/null
measure spindle dev.spindle.spring.sample.SampleApplication 0 >/dev/null
for run in $(seq 1 "$runs"); do
  measure baseline dev.spindle.spring.baseline.BaselineApplication "$run" | tee -a "$results"
  measure spindle dev.spindle.spring.sample.SampleApplication "$run" | tee -a "$results"
done
echo "medians (load $(cut -d' ' -f1-3 /proc/loadavg)):"
for name in baseline spindle; do
  r="$(grep "^$name " "$results" | awk '{print $5}' | median)"
  h="$(grep "^$name " "$results" | awk '{print $10}' | median)"
  m="$(grep "^$name " "$results" | awk '{print $13}' | median)"
  c="$(grep "^$name " "$results" | awk '{print $16}' | median)"
  t="$(grep "^$name " "$results" | awk '{print $18}' | median)"
  printf "%-8s ready %5.2f s  heap after GC %6.1f MB  RSS %6.1f MB  classes %6d  cpu %5.2f s\n" "$name" "$r" "$h" "$m" "$c" "$t"
done
