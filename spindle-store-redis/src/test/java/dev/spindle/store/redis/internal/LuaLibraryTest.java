package dev.spindle.store.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.store.Workflows;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Lua library's own functions, called one by one on a real redis-server with table-driven
 * cases, each against the Java code whose rule it encodes: times ({@link Times}), wait buckets
 * ({@link MinuteStats#bucket}), escaping and the status codec, claims of a status, the dependency
 * rules ({@link Workflows#evaluate}), the ends kept for a dependent's input and the flow rules that
 * hold a key (on keys the test writes). The library is
 * loaded under another name with one more function that calls a named library function with the
 * given arguments.
 */
class LuaLibraryTest {
  private static final String PROBE_LIBRARY = "spindle_probe";
  private static final String PROBE = """

      local function split(text)
        local out = {}
        for v in string.gmatch(text, '([^,]*),') do out[#out + 1] = v end
        return out
      end
      -- evaluate() on comma-terminated lists of policy codes and states ('' = gone): "pending,failures"
      -- or "cancel:<position>"
      local function probe_evaluate(pols, states)
        local st = split(states)
        for k = 1, #st do if st[k] == '' then st[k] = false end end
        local w, at = evaluate(split(pols), st)
        if not w then return 'cancel:' .. at end
        return w.p .. ',' .. w.f
      end
      -- An end kept for input mode 'mode', read back: state, result or '-', error or '-'.
      local function probe_endroundtrip(st, r, e, mode)
        local v = parseend(endvalue(st, r ~= '-' and r or nil, e ~= '-' and e or nil, mode))
        return v.s, v.r or '-', v.e or '-'
      end
      redis.register_function{function_name = 'spindle_probe_call', flags = {'no-writes'},
        callback = function(keys, args)
          begin(keys, args)
          local fns = {tadd = tadd, tsub = tsub, ceilus = ceilus, floorus = floorus,
            waitbucket = function(ms) return waitbucket(tonumber(ms)) end, esc = esc, unesc = unesc, mem = mem, unmem = unmem,
            startindex = function(q, p, delayed, ra) return startindex(q, tonumber(p), delayed == '1', ra) end,
            statusroundtrip = function(text) return status(parse('1', text)) end,
            claimstatus = claimstatus, evaluate = probe_evaluate, endroundtrip = probe_endroundtrip,
            statustexts = function(...)
              local texts = statustexts({...})
              for k = 1, select('#', ...) do texts[k] = texts[k] or '-' end
              return unpack(texts)
            end,
            flowhold = function(key, nowus)
              local h = flowhold(key, tonumber(nowus), false)
              if not h then return 'none' end
              return h[1], h[2], h[3]
            end}
          local out = {fns[args[1]](unpack(args, 2))}
          for i, v in ipairs(out) do
            if type(v) == 'number' then out[i] = string.format('%d', v) end
          end
          return out
        end}
      -- addexisting(first, last, top) under the test's prefix (it writes, so it has its own function)
      redis.register_function{function_name = 'spindle_probe_addexisting', flags = {},
        callback = function(keys, args)
          begin(keys, args)
          addexisting(args[1], args[2], tonumber(args[3]))
          return 'ok'
        end}
      """;
  private static RedisServer server;

  @BeforeAll
  static void load() {
    server = RedisServer.builder().appendOnly(false).start();
    Script.Library lib = Script.library();
    String text = lib.text().replace(lib.name(), PROBE_LIBRARY) + PROBE;
    server.command("FUNCTION", "LOAD", "REPLACE", text);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @SuppressWarnings("unchecked")
  private static List<String> call(String function, String... args) {
    List<String> a = new ArrayList<>(List.of("FCALL_RO", "spindle_probe_call", "1", "{probe}:", function));
    a.addAll(List.of(args));
    return (List<String>) server.command(a.toArray(String[]::new));
  }

  private static String lua(String function, String... args) {
    return call(function, args).get(0);
  }

  static Stream<Arguments> instantsAndDurations() {
    Instant[] instants = {Instant.parse("2026-11-28T12:00:00Z"), Instant.parse("2026-11-28T12:00:00.999999999Z"),
        Instant.ofEpochSecond(1_795_906_958, 474_758_034), Instant.ofEpochSecond(0, 1)};
    Duration[] durations = {Duration.ZERO, Duration.ofNanos(1), Duration.ofMillis(1500), Duration.ofMillis(-1500),
        Duration.ofSeconds(-2, 999_999_999), Duration.ofDays(7), Duration.ofNanos(-1)};
    List<Arguments> out = new ArrayList<>();
    for (Instant t : instants) {
      for (Duration d : durations) {
        out.add(Arguments.of(t, d));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("instantsAndDurations")
  void timeArithmeticMatchesJava(Instant t, Duration d) {
    String sum = Times.encode(t.plus(d));
    assertThat(lua("tadd", Times.encode(t), Times.encode(d))).isEqualTo(sum);
    assertThat(lua("tsub", sum, Times.encode(t))).isEqualTo(Times.encode(d));
  }

  @Test
  void anInstantPastYear9999IsCappedThere() {
    assertThat(lua("tadd", Times.encode(Instant.parse("9999-12-31T23:59:00Z")), Times.encode(Duration.ofDays(2))))
        .isEqualTo("253402300799.000000000");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"2026-11-28T12:00:00Z", "2026-11-28T12:00:00.000000001Z", "2026-11-28T12:00:00.000999999Z",
      "2026-11-28T12:00:00.123456789Z", "1970-01-01T00:00:00.000001Z"})
  void scoresRoundAsTimesDoes(String instant) {
    Instant t = Instant.parse(instant);
    assertThat(lua("ceilus", Times.encode(t))).isEqualTo(Long.toString(Times.ceilMicros(t)));
    assertThat(lua("floorus", Times.encode(t))).isEqualTo(Long.toString(Times.floorMicros(t)));
  }

  @Test
  void waitBucketsMatchMinuteStats() {
    LongStream powersOfTwo = LongStream.range(2, 40).flatMap(k -> LongStream.of((1L << k) - 1, 1L << k, (1L << k) + 1));
    long[] waits = LongStream.concat(LongStream.concat(LongStream.range(-3, 300),
        LongStream.iterate(300, ms -> ms < 400_000_000_000L, ms -> ms * 3 / 2 + 1)), powersOfTwo).toArray();
    for (long ms : waits) {
      assertThat(lua("waitbucket", Long.toString(ms))).as("%d ms", ms)
          .isEqualTo(Integer.toString(MinuteStats.bucket(Duration.ofMillis(ms))));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"plain", "a|b", "100%", "two\nlines", "%7C literal", "|%\n|"})
  void escapingRoundTripsAndLeavesNoSeparator(String value) {
    String escaped = lua("esc", value);
    assertThat(escaped).doesNotContain("|", "\n");
    assertThat(lua("unesc", escaped)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1", "42", "9007199254740991"})
  void sortedSetMembersAreZeroPaddedIds(String id) {
    String member = lua("mem", id);
    assertThat(member).hasSize(16).endsWith(id);
    assertThat(lua("unmem", member)).isEqualTo(id);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"QUEUED|0||||0|0||1795906958.474758034|||||0|default|def96d8d7cb23300||",
      "RUNNING|2|7|1795906958.5|w%7C1|1|0|1|1795906958.4|||||-3|mail|p||",
      "SUCCEEDED|1|1|1.0|w|0|0||1.0|2.0|3.0|17|1|5|q|p||{\"a\":\"x|y\"}",
      "DEAD|3|3|1.0|w|3|1||1.0|2.0|3.0|18|3|0|q|p|reason%0Awith a line|"})
  void theStatusCodecRoundTrips(String text) {
    assertThat(lua("statusroundtrip", text)).isEqualTo(text);
  }

  @Test
  void aNewJobWaitsInItsQueueByPriorityOrInTheScheduleByRunTime() {
    assertThat(call("startindex", "mail", "7", "0", "1795906958.474758034"))
        .containsExactly("QUEUED", "{probe}:q:mail:r", "-7");
    assertThat(call("startindex", "mail", "-2", "0", "1795906958.474758034"))
        .containsExactly("QUEUED", "{probe}:q:mail:r", "2");
    assertThat(call("startindex", "mail", "7", "1", "1795906958.474758034"))
        .containsExactly("SCHEDULED", "{probe}:sched", "1795906958474759");
  }

  /**
   * A job's status is its status key, else what follows the first NUL after its header's line (a
   * plain enqueue's first status): a NUL in the header's line and status text in the arguments do
   * not count, and a status key makes the tail stale.
   */
  @Test
  void aStatusIsItsKeyElseTheHeadersTailAfterTheArguments() {
    String first = "QUEUED|0||||0|0||1795906958.474758034|||||0|q|p||";
    String running = "RUNNING|1|1|1795906959.0|w|0|0||1795906958.474758034|||||0|q|p||";
    server.command("DEL", "{probe}:h:1", "{probe}:s:1", "{probe}:h:2", "{probe}:s:2", "{probe}:h:3", "{probe}:h:4",
        "{probe}:s:4", "{probe}:h:5", "{probe}:s:5");
    server.command("SET", "{probe}:h:1", "t|q|0|1.0|p|\n{\"a\":1}\0" + first); // a plain enqueue's job
    server.command("SET", "{probe}:h:2", "t|q|0|1.0|p|\n{\"a\":1}\0" + first); // ... claimed since
    server.command("SET", "{probe}:s:2", running);
    server.command("SET", "{probe}:h:3", "t|q|0|1.0|p|k\0ey\n[\"" + first + "\"]"); // NUL in the key, text in the args
    server.command("SET", "{probe}:h:4", "t|q|0|1.0|p|\n{}"); // the general enqueue's job
    server.command("SET", "{probe}:s:4", first);

    assertThat(call("statustexts", "1", "2", "3", "4", "5")).as("5: no such job")
        .containsExactly(first, running, "-", first, "-");
  }

  @Test
  void aClaimRewritesOnlyAQueuedStatusesHeadAndReadsItsRunTime() {
    String queued = "QUEUED|2|5|||1|0||1795906958.474758034|||||-3|mail|p||";
    assertThat(call("claimstatus", queued, "w%7C1", "1795906999.000000001"))
        .containsExactly("RUNNING|3|6|1795906999.000000001|w%7C1|1|0||1795906958.474758034|||||-3|mail|p||", "6",
            "1795906958.474758034");
    assertThat(call("claimstatus", "QUEUED|0||||0|0||1.0|||||0|q|p||", "w", "2.0"))
        .containsExactly("RUNNING|1|1|2.0|w|0|0||1.0|||||0|q|p||", "1", "1.0");
    for (String other : List.of("RUNNING|1|1|2.0|w|0|0||1.0|||||0|q|p||", "SCHEDULED|0||||0|0||1.0|||||0|q|p||",
        "WAITING|0||||0|0||1.0|||||0|q|p||")) {
      assertThat(call("claimstatus", other, "w", "3.0")).as(other).isEmpty();
    }
  }

  @Test
  void dependencyRulesMatchWorkflowsForEveryPairOfPoliciesAndStates() {
    List<JobState> states = new ArrayList<>(Arrays.asList(JobState.values()));
    states.add(null); // a dependency that is gone
    for (DependencyPolicy p1 : DependencyPolicy.values()) {
      for (DependencyPolicy p2 : DependencyPolicy.values()) {
        for (JobState s1 : states) {
          for (JobState s2 : states) {
            List<DependencyPolicy> policies = List.of(p1, p2);
            List<JobState> ends = Arrays.asList(s1, s2);
            assertThat(luaEvaluate(policies, ends)).as("%s %s", policies, ends).isEqualTo(javaEvaluate(policies, ends));
          }
        }
      }
    }
  }

  private static String luaEvaluate(List<DependencyPolicy> policies, List<JobState> states) {
    StringBuilder codes = new StringBuilder();
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < policies.size(); i++) {
      codes.append(LuaStateMachine.policyCode(policies.get(i))).append(',');
      names.append(states.get(i) == null ? "" : states.get(i).name()).append(',');
    }
    return lua("evaluate", codes.toString(), names.toString());
  }

  /** Workflows.evaluate, with the position (from 1) of the first dependency that cancels. */
  private static String javaEvaluate(List<DependencyPolicy> policies, List<JobState> states) {
    Workflows.Wait w = Workflows.evaluate(policies, states);
    if (w != null) {
      return w.pending() + "," + w.failures();
    }
    for (int i = 0; i < policies.size(); i++) {
      JobState end = states.get(i) == null ? JobState.CANCELLED : states.get(i);
      if (end.isTerminal() && policies.get(i).effectOf(end) == DependencyPolicy.Effect.CANCEL) {
        return "cancel:" + (i + 1);
      }
    }
    throw new AssertionError("cancelled by none");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("endCases")
  void aDependencysEndKeepsWhatTheInputModeNeeds(String state, String mode, String result, String error) {
    List<String> back = call("endroundtrip", state, result, error, mode);
    assertThat(back.get(0)).isEqualTo(state);
    assertThat(back.get(1)).isEqualTo(mode.equals("A") ? "-" : result);
    assertThat(back.get(2)).isEqualTo(mode.equals("O") ? error : "-");
  }

  static Stream<Arguments> endCases() {
    List<Arguments> out = new ArrayList<>();
    for (String state : List.of("SUCCEEDED", "FAILED", "DEAD", "CANCELLED")) {
      for (String mode : List.of("A", "R", "S", "O")) {
        out.add(Arguments.of(state, mode, "{\"n\":1}", "-"));
        out.add(Arguments.of(state, mode, "-", "{\"type\":\"x|y\"}"));
        out.add(Arguments.of(state, mode, "\"a|b\"", "{\"message\":\"12|3\"}"));
      }
    }
    return out.stream();
  }

  /** Ranges of new ids: within a byte, across bytes, past 32 bits (two SET ops), across buckets. */
  @ParameterizedTest(name = "{0}..{1}")
  @MethodSource("idRanges")
  void newJobsSetTheirExistenceBitsAndNoOthers(long first, long last) {
    server.command("DEL", "{probe}:jb:0", "{probe}:jb:1", "{probe}:jb:2", "{probe}:jbk", "{probe}:jbt");
    List<Long> before = LongStream.of(first - 1, first - 9, last + 1, last + 33).filter(id -> id >= 0).boxed().toList();
    for (long id : before) { // jobs that exist already, around the range: their bits stay
      server.command("SETBIT", "{probe}:jb:" + id / 4096, Long.toString(id % 4096), "1");
    }
    server.command("FCALL", "spindle_probe_addexisting", "1", "{probe}:", Long.toString(first), Long.toString(last), "-1");
    for (long id = Math.max(0, first - 40); id <= last + 40; id++) {
      long bit = (Long) server.command("GETBIT", "{probe}:jb:" + id / 4096, Long.toString(id % 4096));
      boolean exists = (id >= first && id <= last) || before.contains(id);
      assertThat(bit).as("bit of job %d", id).isEqualTo(exists ? 1L : 0L);
    }
    List<String> buckets = LongStream.rangeClosed(first / 4096, last / 4096).mapToObj(Long::toString).toList();
    assertThat(server.command("ZRANGE", "{probe}:jbk", "0", "-1")).as("buckets known").isEqualTo(buckets);
    assertThat(server.command("GET", "{probe}:jbt")).as("highest bucket").isEqualTo(Long.toString(last / 4096));
  }

  static Stream<Arguments> idRanges() {
    long[][] ranges = {{1, 1}, {1, 16}, {7, 9}, {30, 100}, {64, 95}, {1, 4095}, {4090, 4100}, {4000, 8300}, {8192, 8392}};
    return Arrays.stream(ranges).map(r -> Arguments.of(r[0], r[1]));
  }

  /** A flow limit's numbers as the scripts read them (P..'fln'): concurrency, GCRA, window. */
  private static void limit(String name, int concurrency, long intervalUs, int burst, int windowMax, long windowUs) {
    server.command("HSET", "{probe}:fln", name,
        concurrency + "|" + intervalUs + "|" + burst + "|" + windowMax + "|" + windowUs + "|");
  }

  @Test
  void aKeyIsHeldByTheFirstFlowRuleItsStateBreaks() {
    long now = 1_795_906_958_000_000L;
    server.command("DEL", "{probe}:fln", "{probe}:fp", "{probe}:ft", "{probe}:fr:api:a", "{probe}:fw:api:a");
    assertThat(call("flowhold", "api:a", Long.toString(now))).as("no limit").containsExactly("none");

    limit("api", 2, 0, 0, 0, 0);
    server.command("SET", "{probe}:s:7", "RUNNING|1|3|1.0|w|0|0||1.0|||||0|q|p||");
    server.command("SET", "{probe}:s:8", "RUNNING|1|5|1.0|w|0|0||1.0|||||0|q|p||");
    server.command("SADD", "{probe}:fr:api:a", "7:3", "8:4"); // 8 runs under fence 5 now: a stale permit
    assertThat(call("flowhold", "api:a", Long.toString(now))).as("one live permit of two").containsExactly("none");
    server.command("SADD", "{probe}:fr:api:a", "8:5");
    assertThat(call("flowhold", "api:a", Long.toString(now))).containsExactly("CONCURRENCY", "", "2 of 2 running");

    limit("api", 0, 1_000, 1, 0, 0); // one start a millisecond, no burst
    server.command("HSET", "{probe}:ft", "api:a", Long.toString(now + 500)); // the next start's earliest time
    assertThat(call("flowhold", "api:a", Long.toString(now))).containsExactly("RATE", Long.toString(now + 500),
        "rate, burst 1");
    limit("api", 0, 1_000, 2, 0, 0); // a burst of two: one more start now
    assertThat(call("flowhold", "api:a", Long.toString(now))).containsExactly("none");

    limit("api", 0, 0, 0, 2, 1_000); // two starts a millisecond, sliding
    server.command("ZADD", "{probe}:fw:api:a", Long.toString(now - 1_000), "1:1", Long.toString(now - 400), "2:1",
        Long.toString(now - 100), "3:1");
    assertThat(call("flowhold", "api:a", Long.toString(now))).as("the oldest start has left the window")
        .containsExactly("WINDOW", Long.toString(now - 400 + 1_000), "2 of 2 starts in the window");

    server.command("HSET", "{probe}:fp", "api:a", Long.toString(now + 5_000)); // a task reported a rate limit
    assertThat(call("flowhold", "api:a", Long.toString(now))).containsExactly("PAUSED", Long.toString(now + 5_000),
        "the task reported a rate limit");
    assertThat(call("flowhold", "api:a", Long.toString(now + 5_000)))
        .as("the pause is over when it ends, and the starts have left the window").containsExactly("none");
  }
}
