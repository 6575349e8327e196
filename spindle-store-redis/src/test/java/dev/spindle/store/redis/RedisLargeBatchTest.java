package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A large batch must not run as one long Lua script (Redis runs one script at a
 * time, so every other client, workers' heartbeats included, waits for it). The batch is split into
 * bounded script calls; each call's size is read back from the server's SLOWLOG, which records
 * every command's argument count.
 */
class RedisLargeBatchTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Pattern MORE = Pattern.compile("\\.\\.\\. \\((\\d+) more arguments\\)");
  private RedisServer redis;
  private RedisJobStore store;

  @BeforeEach
  void start() {
    redis = RedisServer.builder().appendOnly(false).config("slowlog-log-slower-than", "0")
        .config("slowlog-max-len", "100000").start();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?retryBudget=2s", Map.of()));
  }

  @AfterEach
  void stop() {
    store.close();
    redis.close();
  }

  private static List<NewJob> jobs(int n, String unique) {
    List<NewJob> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new NewJob("batch.task", Integer.toString(i), "default", 0, T0, unique == null ? null : unique + i,
          JobPolicy.defaults(), T0));
    }
    return out;
  }

  /**
   * The argument counts of the script calls (FCALL, or EVAL/EVALSHA) in the SLOWLOG (command name,
   * function or SHA, numkeys and key included).
   */
  private List<Integer> scriptCallSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (Object o : (List<?>) redis.command("SLOWLOG", "GET", "-1")) {
      List<?> entry = (List<?>) o;
      List<?> args = (List<?>) entry.get(3);
      String name = String.valueOf(args.get(0)).toUpperCase();
      if (!name.equals("FCALL") && !name.equals("EVALSHA") && !name.equals("EVAL")) {
        continue;
      }
      int n = args.size();
      Matcher m = MORE.matcher(String.valueOf(args.get(args.size() - 1)));
      if (m.matches()) {
        n = args.size() - 1 + Integer.parseInt(m.group(1));
      }
      sizes.add(n);
    }
    return sizes;
  }

  @Test
  void oneClaimTakesMoreJobsThanLuaUnpacksAtOnce() {
    store.enqueue(jobs(10_123, null));
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of("default"), 10_123, "THREADS", "RUNNING", T0,
        T0, T0.plusSeconds(3600), 0, 0, 0, 0));
    // before: "too many results to unpack" (the claimed jobs were read with one MGET of every key)
    List<JobInfo> got = store.claim(new ClaimRequest("w1", List.of("default"), 10_123, T0)).jobs();
    assertThat(got).hasSize(10_123);
    assertThat(got.stream().map(JobInfo::id).collect(java.util.stream.Collectors.toSet())).hasSize(10_123);
    assertThat(got).allMatch(j -> j.state() == dev.spindle.queue.JobState.RUNNING);
  }

  @Test
  void aLargeBatchRunsAsBoundedScriptCallsAndEveryJobArrives() {
    int total = 5 * RedisJobStore.MAX_JOBS_PER_SCRIPT + 123;
    redis.command("SLOWLOG", "RESET");
    List<EnqueueResult> results = store.enqueue(jobs(total, null));

    List<Integer> sizes = scriptCallSizes();
    assertThat(sizes).as("one script call per chunk").hasSizeGreaterThanOrEqualTo(6);
    assertThat(sizes).as("no script call carries more than one chunk of jobs (2 arguments per job)")
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2 * RedisJobStore.MAX_JOBS_PER_SCRIPT + 32));
    assertThat(results).hasSize(total).allSatisfy(r -> assertThat(r.created()).isTrue());
    Set<String> ids = new HashSet<>();
    long last = 0;
    for (EnqueueResult r : results) {
      long id = Long.parseLong(r.jobId());
      assertThat(id).as("ids increase in batch order").isGreaterThan(last);
      last = id;
      ids.add(r.jobId());
    }
    assertThat(ids).hasSize(total);
    assertThat(store.inspector().queueSummaries()).singleElement().extracting(QueueSummary::waiting).isEqualTo((long) total);
    assertThat(store.inspector().listJobs(JobFilter.all().withLimit(total + 10))).hasSize(total);
  }

  @Test
  void uniqueKeysHoldAcrossChunks() {
    int total = 2 * RedisJobStore.MAX_JOBS_PER_SCRIPT + 10;
    List<NewJob> batch = new ArrayList<>(jobs(total, "k"));
    batch.add(batch.get(3)); // the same key again, in the last chunk
    List<EnqueueResult> results = store.enqueue(batch);
    assertThat(results.get(total).created()).isFalse();
    assertThat(results.get(total).jobId()).isEqualTo(results.get(3).jobId());
    assertThat(store.inspector().listJobs(JobFilter.all().withLimit(total + 10))).hasSize(total);
  }

  @Test
  void aChunkThatFailsSaysHowManyJobsWereAdded() {
    // big arguments: the byte budget splits the batch; Redis runs out of memory part-way through
    String big = "\"" + "x".repeat(64 * 1024) + "\"";
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      batch.add(new NewJob("batch.task", big, "default", 0, T0, null, JobPolicy.defaults(), T0));
    }
    long used = Long.parseLong(redis.info("memory", "used_memory"));
    redis.command("CONFIG", "SET", "maxmemory", Long.toString(used + 12L * 1024 * 1024));
    redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
    assertThatThrownBy(() -> store.enqueue(batch)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.DISK_FULL))
        .hasMessageMatching("(?s)enqueued only the first \\d+ of 400 jobs .*the last id added is \\d+.*"
            + "out of memory.*");
    redis.command("CONFIG", "SET", "maxmemory", "0");
    long added = store.inspector().listJobs(JobFilter.all().withLimit(1000)).size();
    assertThat(added).isBetween(1L, 399L);
  }
}
