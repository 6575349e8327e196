package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Workflows through the client API, run by a real worker on the in-memory store. */
class WorkflowTest {
  private static final Task<Long, Long> SQUARE = Task.of("wf.square", Long.class, Long.class, x -> x * x);
  private static final Task<Long, Long> PLUS_ONE = Task.of("wf.plus-one", Long.class, Long.class, x -> x + 1);
  private static final Task<Long[], Long> SUM = Task.of("wf.sum", Long[].class, Long.class, xs -> {
    long s = 0;
    for (Long x : xs) {
      s += x;
    }
    return s;
  });
  private static final Task<Long, Long> FAIL = Task.of("wf.fail", Long.class, Long.class, x -> {
    throw new IllegalStateException("no " + x);
  });
  private static final Task<JobOutcome[], String> REPORT = Task.of("wf.report", JobOutcome[].class, String.class,
      os -> {
        StringBuilder b = new StringBuilder();
        for (JobOutcome o : os) {
          b.append(o.state()).append(o.error() != null ? ":" + o.error().message() : "").append(';');
        }
        return b.toString();
      });
  /** Adds one SQUARE child per number below its input, then returns its input. */
  private static final Task<Long, Long> SPAWN = Task.withContext("wf.spawn", Long.class, Long.class, (n, ctx) -> {
    Workflow[] kids = new Workflow[n.intValue()];
    for (int i = 0; i < kids.length; i++) {
      kids[i] = Workflow.task(SQUARE, (long) i);
    }
    List<String> ids = RunningJob.of(ctx).orElseThrow().addChildren(Workflow.group(kids));
    if (ids.size() != n) {
      throw new IllegalStateException("added " + ids.size() + " children, not " + n);
    }
    return n;
  });
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(SQUARE).add(PLUS_ONE).add(SUM).add(FAIL)
      .add(REPORT).add(SPAWN).build();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JobOptions ONCE = JobOptions.builder().retry(RetryPolicy.none()).build();

  private static Worker worker(InMemoryJobStore store) {
    return Worker.builder(store).registry(REGISTRY).concurrency(4).pollInterval(Duration.ofMillis(20)).start();
  }

  @Test
  void aChordOfChainsSumsEveryBranchAfterTheLast() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build();
         Worker w = worker(store)) {
      Workflow branches = Workflow.group(
          Workflow.chain(Workflow.task(SQUARE, 2L), Workflow.fromUpstream(PLUS_ONE)),   // 5
          Workflow.chain(Workflow.task(SQUARE, 3L), Workflow.fromUpstream(PLUS_ONE)),   // 10
          Workflow.task(SQUARE, 4L));                                           // 16
      WorkflowHandle h = q.submit(Workflow.chord(branches, Workflow.fromUpstream(SUM)));
      assertThat(h.jobs()).hasSize(6);
      assertThat(h.last()).hasSize(1);
      assertThat(h.last().get(0).result(WAIT).asLong()).isEqualTo(31L);
      assertThat(h.await(WAIT)).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
    }
  }

  @Test
  void aFailureCancelsTheRestAndTheFinallyCallbackReportsIt() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).defaults(ONCE).build();
         Worker w = worker(store)) {
      Workflow body = Workflow.chain(Workflow.task(FAIL, 7L), Workflow.fromUpstream(PLUS_ONE));
      WorkflowHandle h = q.submit(body.onComplete(Workflow.fromUpstream(REPORT)));
      List<JobInfo> ends = h.await(WAIT);
      assertThat(ends).extracting(JobInfo::state)
          .containsExactly(JobState.FAILED, JobState.CANCELLED, JobState.SUCCEEDED);
      assertThat(ends.get(1).errorJson()).contains("job " + ends.get(0).id());
      assertThat(h.last().get(0).result(WAIT).asText()).startsWith("CANCELLED:job " + ends.get(1).id());
    }
  }

  @Test
  void aDagRunsInDependencyOrderAndNamesItsNodes() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build();
         Worker w = worker(store)) {
      Workflow dag = Workflow.dag()
          .nodeFromUpstream("sum", SUM).node("a", SQUARE, 3L).node("b", SQUARE, 4L)
          .edge("a", "sum").edge("b", "sum").build();
      WorkflowHandle h = q.submit(dag);
      assertThat(h.job("sum").result(WAIT).asLong()).isEqualTo(25L);
      assertThat(h.ids()).hasSize(3);
    }
  }

  @Test
  void badWorkflowsAreRefusedWithNothingEnqueued() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).maxWorkflowSize(3).build()) {
      assertThatThrownBy(() -> Workflow.dag().nodeFromUpstream("a", SUM).nodeFromUpstream("b", SUM)
          .node("c", SQUARE, 1L).edge("a", "b").edge("b", "a").edge("c", "a").build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycle").hasMessageContaining("a -> b");
      assertThatThrownBy(() -> q.submit(Workflow.group(Workflow.task(SQUARE, 1L), Workflow.task(SQUARE, 2L),
          Workflow.task(SQUARE, 3L), Workflow.task(SQUARE, 4L))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 3");
      Task<Long, Long> stranger = Task.of("wf.stranger", Long.class, Long.class, x -> x);
      assertThatThrownBy(() -> q.submit(Workflow.chain(Workflow.task(SQUARE, 1L), Workflow.fromUpstream(stranger))))
          .isInstanceOf(UnknownTaskException.class);
      assertThat(store.countByState().values().stream().mapToLong(Long::longValue).sum()).isZero();
    }
  }

  @Test
  void cancellingAWorkflowEndsEveryJob() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build()) {
      WorkflowHandle h = q.submit(Workflow.chain(Workflow.task(SQUARE, 1L), Workflow.fromUpstream(PLUS_ONE),
          Workflow.fromUpstream(PLUS_ONE)));
      assertThat(h.cancel()).isEqualTo(3);
      assertThat(h.await(WAIT)).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.CANCELLED));
    }
  }

  @Test
  void aRunningJobAddsChildrenAndWhatFollowsItWaitsForThemToo() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).build();
         Worker w = worker(store)) {
      WorkflowHandle h = q.submit(Workflow.chain(Workflow.task(SPAWN, 5L), Workflow.fromUpstream(PLUS_ONE)));
      assertThat(h.last().get(0).result(WAIT).asLong()).isEqualTo(6L); // its input: the spawner's result only
      JobInfo next = h.await(WAIT).get(1);
      List<JobInfo> squares = store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all().withTask("wf.square"));
      assertThat(squares).hasSize(5).allSatisfy(sq -> {
        assertThat(sq.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(sq.finishedAt()).isBeforeOrEqualTo(next.startedAt()); // the follower waited for every child
      });
      assertThat(store.inspector().dependencyEdges(next.id())).hasSize(6);
    }
  }

  @Test
  void aTaskOutsideAQueueJobHasNoRunningJob() {
    assertThat(RunningJob.of(new dev.spindle.TaskContext() {
      @Override
      public String taskName() {
        return "t";
      }

      @Override
      public String executionId() {
        return "1";
      }

      @Override
      public int attempt() {
        return 1;
      }

      @Override
      public String workerName() {
        return "w";
      }

      @Override
      public boolean isCancelled() {
        return false;
      }
    })).isEmpty();
  }
}
