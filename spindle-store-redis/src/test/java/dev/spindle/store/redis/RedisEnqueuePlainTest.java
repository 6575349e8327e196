package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jobs without unique keys, dependencies or flow keys go through {@code enqueue_plain}, the lean
 * script: it must leave Redis as the general {@code enqueue} does (every key, value and score) but
 * for one key a job (a job's first status follows its header after a NUL instead of having a key of
 * its own), issue fewer commands, and keep the request-id rule of a repeated call.
 */
class RedisEnqueuePlainTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00.123456789Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static Stream<Arguments> jobs() {
    JobPolicy custom = new JobPolicy(Duration.ofSeconds(30), RetryPolicy.none(), 2, Duration.ofHours(1),
        Duration.ofDays(2));
    return Stream.of(
        Arguments.of("ready now", job("default", 0, NOW, JobPolicy.defaults())),
        Arguments.of("a priority and its own queue", job("mail", 7, NOW, JobPolicy.defaults())),
        Arguments.of("a negative priority", job("mail", -3, NOW, JobPolicy.defaults())),
        Arguments.of("delayed", job("default", 0, NOW.plusSeconds(90).plusNanos(1), JobPolicy.defaults())),
        Arguments.of("run at in the past", job("default", 0, NOW.minusMillis(1500), JobPolicy.defaults())),
        Arguments.of("its own policy", job("default", 0, NOW, custom)),
        Arguments.of("a trace context", job("default", 0, NOW, JobPolicy.defaults())
            .withTraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobs")
  void aLoneJobIsStoredAsTheGeneralEnqueueStoresIt(String name, NewJob job) {
    try (RedisJobStore lean = SharedRedis.open("plain-one", CLOCK); RedisJobStore general = SharedRedis.open("plain-one", CLOCK)) {
      EnqueueResult viaLean = lean.enqueue(List.of(job)).get(0);
      EnqueueResult viaGeneral = enqueueGenerally(general, job);

      assertThat(viaLean).isEqualTo(viaGeneral);
      assertThat(viaLean.state()).isEqualTo(job.isDelayed() ? JobState.SCHEDULED : JobState.QUEUED);
      assertThat(firstStatusesApart(dump(lean))).isEqualTo(dump(general)).isNotEmpty();
    }
  }

  @Test
  void aBatchOfSeveralGroupsIsStoredAsTheGeneralEnqueueStoresIt() {
    JobPolicy custom = new JobPolicy(null, RetryPolicy.none(), 1, Duration.ofHours(1), Duration.ofDays(2));
    List<NewJob> batch = List.of(job("a", 0, NOW, JobPolicy.defaults()), job("a", 0, NOW, JobPolicy.defaults()),
        job("b", 2, NOW, custom), job("a", 0, NOW.plusSeconds(5), JobPolicy.defaults()),
        job("b", 2, NOW, custom), job("a", 0, NOW, JobPolicy.defaults()));
    assertStoredAsTheGeneralEnqueueStoresThem("plain", batch, JobState.QUEUED, JobState.QUEUED, JobState.QUEUED,
        JobState.SCHEDULED, JobState.QUEUED, JobState.QUEUED);
  }

  @Test
  void combinedSingleEnqueuesEachInTheirOwnGroupAreStoredAsTheGeneralEnqueueStoresThem() {
    // what the combiner sends for single enqueues from many threads: one group per job, created
    // apart, most alike but for their creation time; alike neighbours share their start
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batch.add(created("a", 0, NOW.plusNanos(i), Duration.ZERO));
    }
    batch.add(created("a", 4, NOW.plusNanos(3), Duration.ZERO));
    batch.add(created("b", 4, NOW.plusNanos(4), Duration.ZERO));
    batch.add(created("b", 4, NOW.plusNanos(5), Duration.ofSeconds(5)));
    batch.add(created("b", 4, NOW.plusNanos(6), Duration.ofSeconds(5)));
    batch.add(created("b", 4, NOW.plusNanos(7), Duration.ofSeconds(6)));
    batch.add(created("a", 0, NOW.plusNanos(8), Duration.ZERO));
    assertStoredAsTheGeneralEnqueueStoresThem("plain-singles", batch, JobState.QUEUED, JobState.QUEUED,
        JobState.QUEUED, JobState.QUEUED, JobState.QUEUED, JobState.SCHEDULED, JobState.SCHEDULED, JobState.SCHEDULED,
        JobState.QUEUED);
  }

  /**
   * Enqueues {@code batch} through the lean script and, in a second store on the same namespace,
   * through the general one: both answer alike, with {@code states}, and store the same keys.
   */
  private static void assertStoredAsTheGeneralEnqueueStoresThem(String namespace, List<NewJob> batch,
      JobState... states) {
    try (RedisJobStore lean = SharedRedis.open(namespace, CLOCK);
        RedisJobStore general = SharedRedis.open(namespace, CLOCK)) {
      List<EnqueueResult> viaLean = lean.enqueue(batch);
      List<String> args = new ArrayList<>(List.of(general.rid(), "", "60000", general.nowArg(NOW)));
      EnqueueArgs.appendJobs(args, batch);
      List<EnqueueResult> viaGeneral = EnqueueArgs.results(batch,
          general.link().script(Script.ENQUEUE, true, args.toArray(String[]::new)), 0);

      assertThat(viaLean).isEqualTo(viaGeneral).extracting(EnqueueResult::state).containsExactly(states);
      assertThat(dump(lean).keySet()).as("one key a job").noneMatch(k -> k.startsWith("s:"));
      assertThat(firstStatusesApart(dump(lean))).isEqualTo(dump(general));
    }
  }

  @Test
  void aLoneJobIntoAFlowKeyedQueueClearsTheQueuesHeldMarkAsTheGeneralEnqueueDoes() {
    try (RedisJobStore lean = SharedRedis.open("plain-flow", CLOCK);
        RedisJobStore general = SharedRedis.open("plain-flow", CLOCK)) {
      NewJob keyed = job("flowq", 0, NOW, JobPolicy.defaults()).withFlowKey("tenant:a");
      NewJob plain = job("flowq", 0, NOW, JobPolicy.defaults());
      for (RedisJobStore s : List.of(lean, general)) {
        s.enqueue(List.of(keyed)); // marks flowq as a keyed queue
        SharedRedis.server().command("HSET", s.link().config().keyPrefix() + "fh", "flowq", "1");
      }
      lean.enqueue(List.of(plain));
      enqueueGenerally(general, plain);

      assertThat(firstStatusesApart(dump(lean))).isEqualTo(dump(general)).doesNotContainKey("fh");
    }
  }

  /**
   * A claim drops a header's first status, read with the status (a queued job) or after it (a job
   * that was SCHEDULED): a finished job keeps what the general enqueue wrote.
   */
  @Test
  void aClaimLeavesTheHeaderTheGeneralEnqueueWrites() {
    ManualClock clock = new ManualClock(NOW);
    try (RedisJobStore store = SharedRedis.open("plain-claim", clock)) {
      NewJob now = job("default", 0, NOW, JobPolicy.defaults());
      store.enqueue(List.of(now)); // job 1, lean
      enqueueGenerally(store, now); // job 2
      store.enqueue(List.of(job("default", 0, NOW.plusSeconds(5), JobPolicy.defaults()))); // job 3, lean, SCHEDULED
      Map<String, Object> queued = dump(store);

      ClaimResult claimed = store.claim(new ClaimRequest("w1", List.of("default"), 3, clock.advance(Duration.ofSeconds(10))));

      assertThat(claimed.jobs()).extracting(JobInfo::id, JobInfo::argsJson, JobInfo::state).containsExactlyInAnyOrder(
          tuple("1", now.argsJson(), JobState.RUNNING), tuple("2", now.argsJson(), JobState.RUNNING),
          tuple("3", now.argsJson(), JobState.RUNNING));
      Map<String, Object> running = dump(store);
      assertThat((String) queued.get("h:1")).contains("\0QUEUED|");
      assertThat((String) queued.get("h:3")).contains("\0SCHEDULED|");
      assertThat(running.get("h:1")).isEqualTo(running.get("h:2")).isEqualTo(queued.get("h:2"));
      assertThat((String) running.get("h:3")).doesNotContain("\0");
      assertThat((String) running.get("s:1")).isEqualTo(running.get("s:2")).startsWith("RUNNING|1|1|");
    }
  }

  @Test
  void aRepeatedCallIsAnsweredFromItsFirstReply() {
    try (RedisJobStore store = SharedRedis.open("plain-retry", CLOCK)) {
      NewJob j = job("default", 0, NOW, JobPolicy.defaults());
      String rid = store.rid();
      List<?> first = store.link().script(Script.ENQUEUE_PLAIN, true, oneArgs(store, rid, j));
      List<?> retried = store.link().script(Script.ENQUEUE_PLAIN, true, oneArgs(store, rid, j));

      assertThat(retried).isEqualTo(first);
      assertThat(store.find((String) first.get(1))).isPresent();
      assertThat(SharedRedis.server().command("BITCOUNT", store.link().config().keyPrefix() + "jb:0"))
          .as("one job in the existence index, not two").isEqualTo(1L);
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void anEnqueuesReplyIsKeptForTheClientsRetryWindowNotTenMinutes() {
    try (RedisJobStore store = SharedRedis.open("plain-ttl", CLOCK)) {
      store.enqueue(List.of(job("default", 0, NOW, JobPolicy.defaults())));
      store.enqueue(List.of(job("default", 0, NOW, JobPolicy.defaults()).withFlowKey("k:1"))); // the general script
      String prefix = store.link().config().keyPrefix().replace("{", "\\{").replace("}", "\\}");
      List<String> replies = (List<String>) SharedRedis.server().command("KEYS", prefix + "req:*");

      assertThat(replies).hasSize(2).allSatisfy(k -> assertThat((Long) SharedRedis.server().command("PTTL", k))
          .isPositive().isLessThanOrEqualTo(RedisEnqueue.MIN_REPLY_TTL.toMillis()));
    }
    RedisStoreConfig patient = RedisStoreConfig.fromUrl("redis://127.0.0.1:1/0?retryBudget=60s&timeout=5s", Map.of());
    assertThat(RedisEnqueue.replyTtl(patient)).isEqualTo(Duration.ofSeconds(130));
  }

  @Test
  void aLoneEnqueueIssuesNineCommandsOnceItsPolicyIsStored() {
    try (RedisServer server = RedisServer.builder().appendOnly(false).start();
        RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(server.url() + "/0?namespace=count",
            Map.of()))) {
      store.enqueue(List.of(jobNow())); // stores the policy
      store.enqueue(List.of(jobNow())); // the queue is known
      server.command("CONFIG", "RESETSTAT");
      store.enqueue(List.of(jobNow()));

      // MGET (reply, epoch, waiting, top bucket), TIME, INCRBY, MSET, ZADD (ready set), BITFIELD (existence
      // index), HINCRBY, SISMEMBER, SET reply (the
      // general enqueue adds the policy's HSETNX and SADD queues, and 3 more commands to a combined call
      // of enqueues into one queue)
      assertThat(commandCounts(server)).containsExactlyInAnyOrderEntriesOf(Map.of("fcall", 1L, "time", 1L, "mget", 1L,
          "incrby", 1L, "mset", 1L, "zadd", 1L, "bitfield", 1L, "hincrby", 1L, "sismember", 1L, "set", 1L));

      // with a waiter, the same call also deletes the mark and announces the change
      server.command("SET", store.link().config().keyPrefix() + "wait", "1");
      server.command("CONFIG", "RESETSTAT");
      store.enqueue(List.of(jobNow()));
      assertThat(commandCounts(server)).containsEntry("del", 1L).containsEntry("publish", 1L);
      assertThat(server.command("EXISTS", store.link().config().keyPrefix() + "wait")).isEqualTo(0L);
    }
  }

  private static NewJob job(String queue, int priority, Instant runAt, JobPolicy policy) {
    return new NewJob("t", "{\"n\":1}", queue, priority, runAt, null, policy, NOW);
  }

  /** A job created at {@code created}, to run {@code delay} after it. */
  private static NewJob created(String queue, int priority, Instant created, Duration delay) {
    return new NewJob("t", "{\"n\":1}", queue, priority, created.plus(delay), null, JobPolicy.defaults(), created);
  }

  private static NewJob jobNow() {
    Instant now = Instant.now();
    return new NewJob("t", "{\"n\":1}", "default", 0, now, null, JobPolicy.defaults(), now);
  }

  /** The job through the general script, as a batch of one is sent when it cannot take the lean one. */
  private static EnqueueResult enqueueGenerally(RedisJobStore store, NewJob job) {
    List<String> args = new ArrayList<>(List.of(store.rid(), "", "60000", store.nowArg(job.createdAt())));
    EnqueueArgs.appendJobs(args, List.of(job));
    if (job.flowKey() != null) {
      EnqueueArgs.appendDependencies(args, List.of(job));
      EnqueueArgs.appendFlowKeys(args, List.of(job));
    }
    List<?> r = store.link().script(Script.ENQUEUE, true, args.toArray(String[]::new));
    return EnqueueArgs.results(List.of(job), r, 0).get(0);
  }

  private static String[] oneArgs(RedisJobStore store, String rid, NewJob j) {
    List<String> args = new ArrayList<>(List.of(rid, "", "60000", store.nowArg(j.createdAt())));
    EnqueueArgs.appendJobs(args, List.of(j));
    return args.toArray(String[]::new);
  }

  /** Every key of the store's namespace but its epoch marker and kept replies, with its whole value. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> dump(RedisJobStore store) {
    RedisServer s = SharedRedis.server();
    String prefix = store.link().config().keyPrefix();
    Map<String, Object> out = new TreeMap<>();
    for (String key : (List<String>) s.command("KEYS", prefix.replace("{", "\\{").replace("}", "\\}") + "*")) {
      String k = key.substring(prefix.length());
      if (k.equals("epoch") || k.startsWith("req:")) {
        continue;
      }
      UnaryOperator<List<Object>> sorted = l -> l.stream().map(String::valueOf).sorted().map(x -> (Object) x).toList();
      out.put(k, switch ((String) s.command("TYPE", key)) {
        case "string" -> s.command("GET", key);
        case "hash" -> fields((List<Object>) s.command("HGETALL", key));
        case "set" -> sorted.apply((List<Object>) s.command("SMEMBERS", key));
        case "zset" -> s.command("ZRANGE", key, "0", "-1", "WITHSCORES");
        default -> throw new AssertionError("unexpected type of " + key);
      });
    }
    return out;
  }

  /**
   * Keys as the general script lays them out: a job's first status, kept after a NUL at the end of
   * its header, moved to a status key of its own.
   */
  private static Map<String, Object> firstStatusesApart(Map<String, Object> keys) {
    Map<String, Object> out = new TreeMap<>(keys);
    keys.forEach((k, v) -> {
      if (k.startsWith("h:") && v instanceof String h && h.indexOf('\0') >= 0) {
        String id = k.substring(2);
        assertThat(keys).as("a job whose first status is in its header has no status key").doesNotContainKey("s:" + id);
        out.put(k, h.substring(0, h.indexOf('\0')));
        out.put("s:" + id, h.substring(h.indexOf('\0') + 1));
      }
    });
    return out;
  }

  private static Map<String, String> fields(List<Object> hgetall) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < hgetall.size(); i += 2) {
      m.put(String.valueOf(hgetall.get(i)), String.valueOf(hgetall.get(i + 1)));
    }
    return m;
  }

  /** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
  private static Map<String, Long> commandCounts(RedisServer server) {
    Map<String, Long> out = new TreeMap<>();
    String info = (String) server.command("INFO", "commandstats");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
        if (!name.startsWith("info") && !name.startsWith("config")) {
          out.put(name, calls);
        }
      }
    }
    return out;
  }
}
