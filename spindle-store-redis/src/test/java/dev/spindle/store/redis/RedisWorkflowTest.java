package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.Workflows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Redis store adds to the workflow contract: its cancellation errors are the shared ones,
 * an end applied twice (a repeated completion, a requeued dependency ending again) counts once,
 * deleting a workflow's jobs leaves no dependency keys behind, and a chord's callback is released
 * exactly once while several workers complete its children concurrently.
 */
class RedisWorkflowTest {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private RedisJobStore store;
  private String ns;

  @BeforeEach
  void open() {
    ns = "wfr-" + NAMESPACES.incrementAndGet();
    store = RedisJobStore.open(RedisStoreConfig.fromUrl(SharedRedis.server().url() + "/0?namespace=" + ns + "&watchdog=200ms",
        Map.of()));
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(JobOptions.DEFAULT_QUEUE), 64, "THREADS",
        "RUNNING", T0, T0, T0.plus(Duration.ofHours(1)), 0, 0, 0, 0));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static NewJob job(String args) {
    return new NewJob("t.x", args, JobOptions.DEFAULT_QUEUE, 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static Dependency at(int index, DependencyPolicy p) {
    return Dependency.onBatchJob(index, p);
  }

  private List<String> add(NewJob... jobs) {
    return store.enqueue(List.of(jobs)).stream().map(EnqueueResult::jobId).toList();
  }

  private JobInfo get(String id) {
    return store.find(id).orElseThrow();
  }

  private JobInfo claim(String id) {
    List<JobInfo> got = store.claim(new ClaimRequest("w1", List.of(JobOptions.DEFAULT_QUEUE), 64,
        T0.plusSeconds(1))).jobs();
    JobInfo mine = null;
    for (JobInfo j : got) {
      if (j.id().equals(id)) {
        mine = j;
      } else {
        store.complete(List.of(Completion.released(j.id(), j.fence(), "w1")), T0.plusSeconds(1));
      }
    }
    assertThat(mine).as("job %s claimable", id).isNotNull();
    return mine;
  }

  private void succeed(String id, String result) {
    JobInfo j = claim(id);
    assertThat(store.complete(List.of(Completion.succeeded(id, j.fence(), "w1", result)), T0.plusSeconds(2)))
        .containsExactly(true);
  }

  private void fail(String id) {
    JobInfo j = claim(id);
    assertThat(store.complete(List.of(Completion.failed(id, j.fence(), "w1",
        "{\"type\":\"E\",\"message\":\"boom\",\"stack\":[]}")), T0.plusSeconds(2))).containsExactly(true);
  }

  @SuppressWarnings("unchecked")
  private List<String> keys(String pattern) {
    return (List<String>) SharedRedis.server().command("KEYS", "{" + ns + "}:" + pattern);
  }

  @Test
  void theCancellationErrorsAreTheSharedOnes() {
    List<String> ids = add(job("1"), job("2").dependingOn(List.of(at(0, DependencyPolicy.REQUIRE_SUCCESS)),
        WorkflowInput.RESULT));
    fail(ids.get(0));
    assertThat(get(ids.get(1)).errorJson()).isEqualTo(Workflows.dependencyError(ids.get(1), ids.get(0),
        JobState.FAILED));

    List<String> ok = add(job("1"), job("0").dependingOn(List.of(at(0, DependencyPolicy.ON_FAILURE)),
        WorkflowInput.OUTCOMES));
    succeed(ok.get(0), "1");
    assertThat(get(ok.get(1)).errorJson()).isEqualTo(Workflows.notNeededError(ok.get(1)));
  }

  @Test
  void aCompletionSentTwiceCountsOnce() {
    List<String> ids = add(job("1"), job("2"), job("0").dependingOn(
        List.of(at(0, DependencyPolicy.REQUIRE_SUCCESS), at(1, DependencyPolicy.REQUIRE_SUCCESS)),
        WorkflowInput.RESULTS));
    JobInfo first = claim(ids.get(0));
    Completion done = Completion.succeeded(ids.get(0), first.fence(), "w1", "10");
    assertThat(store.complete(List.of(done), T0.plusSeconds(2))).containsExactly(true);
    // the same completion again (a worker whose reply was lost): recognised, not counted again
    assertThat(store.complete(List.of(done, done), T0.plusSeconds(3))).containsExactly(true, true);
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.WAITING);
    succeed(ids.get(1), "20");
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.QUEUED);
    assertThat(get(ids.get(2)).argsJson()).isEqualTo("[10,20]");
  }

  @Test
  void aRequeuedDependencyEndingAgainCountsOnce() {
    List<String> ids = add(job("1"), job("2"), job("0").dependingOn(
        List.of(at(0, DependencyPolicy.ALWAYS), at(1, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.OUTCOMES));
    fail(ids.get(0));
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.WAITING);
    store.inspector().requeue(ids.get(0), T0.plusSeconds(3));
    succeed(ids.get(0), "1");
    // the edge was told the first end: the second does not count, so it still waits for job 2
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.WAITING);
    succeed(ids.get(1), "2");
    assertThat(get(ids.get(2)).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aCallbackWithManyDependenciesKeepsItsEndsCompactlyWithTheSameRules() {
    int n = 40; // over the 32 above which the ends go to a bitmap and a log
    List<NewJob> jobs = new ArrayList<>();
    List<Dependency> deps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job(Integer.toString(i)));
      deps.add(at(i, i == 0 ? DependencyPolicy.ALWAYS : DependencyPolicy.REQUIRE_SUCCESS));
    }
    jobs.add(job("0").dependingOn(deps, WorkflowInput.OUTCOMES));
    List<String> ids = store.enqueue(jobs).stream().map(EnqueueResult::jobId).toList();
    String cb = ids.get(n);
    fail(ids.get(0));
    store.inspector().requeue(ids.get(0), T0.plusSeconds(3));
    succeed(ids.get(0), "0"); // told already (FAILED): not counted again
    for (int i = n - 1; i >= 1; i--) {
      assertThat(get(cb).state()).isEqualTo(JobState.WAITING);
      succeed(ids.get(i), Integer.toString(i * 10));
    }
    JobInfo c = get(cb);
    assertThat(c.state()).isEqualTo(JobState.QUEUED);
    assertThat(c.argsJson()).startsWith("[{\"jobId\":\"" + ids.get(0) + "\",\"state\":\"FAILED\",\"result\":null,"
        + "\"error\":{\"type\":\"E\"").contains("{\"jobId\":\"" + ids.get(1) + "\",\"state\":\"SUCCEEDED\","
        + "\"result\":10,\"error\":null}").endsWith("\"result\":390,\"error\":null}]");
    assertThat(keys("wb:" + cb)).hasSize(1);
    assertThat(keys("we:" + cb)).hasSize(1);
    assertThat(store.inspector().dependencyEdges(cb)).hasSize(n);
  }

  @Test
  void aFailedDependencyOfABigCallbackCancelsItAndItsRequeueRevivesIt() {
    int n = 40;
    List<NewJob> jobs = new ArrayList<>();
    List<Dependency> deps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job(Integer.toString(i)));
      deps.add(at(i, DependencyPolicy.REQUIRE_SUCCESS));
    }
    jobs.add(job("0").dependingOn(deps, WorkflowInput.RESULTS));
    List<String> ids = store.enqueue(jobs).stream().map(EnqueueResult::jobId).toList();
    String cb = ids.get(n);
    for (int i = 1; i < n; i++) {
      succeed(ids.get(i), Integer.toString(i));
    }
    fail(ids.get(0));
    assertThat(get(cb).state()).isEqualTo(JobState.CANCELLED);
    store.inspector().requeue(ids.get(0), T0.plusSeconds(3));
    assertThat(get(cb).state()).isEqualTo(JobState.WAITING);
    succeed(ids.get(0), "100");
    assertThat(get(cb).state()).isEqualTo(JobState.QUEUED);
    assertThat(get(cb).argsJson()).startsWith("[100,1,2,").endsWith(",39]");
  }

  @Test
  void deletingAWorkflowsJobsLeavesNoDependencyKeys() {
    List<String> ids = add(job("1"), job("2"), job("3"), job("0").dependingOn(
        List.of(at(0, DependencyPolicy.REQUIRE_SUCCESS), at(1, DependencyPolicy.ALWAYS),
            at(2, DependencyPolicy.ALLOW_FAILURE)), WorkflowInput.OUTCOMES),
        job("0").dependingOn(List.of(at(3, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.RESULT));
    assertThat(keys("wt:*")).hasSize(2);
    assertThat(keys("dn:*")).isNotEmpty();
    succeed(ids.get(0), "1");
    fail(ids.get(1));
    succeed(ids.get(2), "3");
    succeed(ids.get(3), "\"cb\"");
    succeed(ids.get(4), "5");
    // the callback's own records go with it, and it leaves its dependencies' lists
    assertThat(store.control().deleteJob(ids.get(3))).isEqualTo(dev.spindle.queue.spi.QueueControl.DeleteResult.DELETED);
    assertThat(keys("wt:" + ids.get(3))).isEmpty();
    assertThat(store.inspector().dependencyEdges(ids.get(0))).isEmpty();
    assertThat(store.inspector().dependencyEdges(ids.get(4))).isEmpty();
    assertThat(SharedRedis.server().command("HEXISTS", "{" + ns + "}:dn:" + Long.parseLong(ids.get(0)) / 64, ids.get(0)))
        .isEqualTo(0L);
    assertThat(store.inspector().purge(JobFilter.all())).isEqualTo(4);
    assertThat(keys("wt:*")).isEmpty();
    assertThat(keys("wb:*")).isEmpty();
    assertThat(keys("we:*")).isEmpty();
    assertThat(keys("dn:*")).isEmpty();
    assertThat(keys("nwt")).isEmpty();
  }

  @Test
  void aChordCallbackIsReleasedExactlyOnceWhileWorkersCompleteItsChildrenConcurrently() throws Exception {
    AtomicInteger callbacks = new AtomicInteger();
    Task<Long, Long> child = Task.of("wf.child", Long.class, Long.class, x -> x);
    Task<long[], Long> sum = Task.of("wf.sum", long[].class, Long.class, xs -> {
      callbacks.incrementAndGet();
      long s = 0;
      for (long x : xs) {
        s += x;
      }
      return s;
    });
    TaskRegistry reg = TaskRegistry.builder().add(child).add(sum).build();
    int n = 400;
    List<Workflow> kids = new ArrayList<>(n);
    for (long i = 1; i <= n; i++) {
      kids.add(Workflow.task(child, i));
    }
    try (JobQueue q = JobQueue.builder(store).registry(reg).build();
        Worker a = Worker.builder(store).registry(reg).model(ExecutionModel.VIRTUAL).concurrency(16).name("a")
            .pollInterval(Duration.ofMillis(20)).start();
        Worker b = Worker.builder(store).registry(reg).model(ExecutionModel.VIRTUAL).concurrency(16).name("b")
            .pollInterval(Duration.ofMillis(20)).start()) {
      WorkflowHandle h = q.submit(Workflow.chord(Workflow.group(kids), Workflow.fromUpstream(sum)));
      assertThat(h.last().get(0).result(Duration.ofSeconds(60)).asLong()).isEqualTo((long) n * (n + 1) / 2);
      assertThat(h.await(Duration.ofSeconds(60))).extracting(JobInfo::state).containsOnly(JobState.SUCCEEDED);
    }
    assertThat(callbacks.get()).isEqualTo(1);
  }
}
