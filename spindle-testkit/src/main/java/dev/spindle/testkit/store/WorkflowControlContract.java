package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.KeyRing;
import dev.spindle.queue.ResumePlan;
import dev.spindle.queue.WorkflowGraph;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.WorkflowResume;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ResumeMove;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.WorkflowControl;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link WorkflowControl} on one store: resuming a FAILED or DEAD node requeues it
 * and re-arms, recursively, the dependents its failure cancelled (never the ones an operator
 * cancelled, nor ones another dependency still cancels), optionally with new arguments, in one
 * atomic step that two concurrent resumes do once; the preview of {@link
 * dev.spindle.queue.WorkflowResume} names the same moves. Subclass it per backend and implement
 * {@link #openStore()}.
 */
public abstract class WorkflowControlContract {
  private static final Instant T0 = Instant.parse("2030-02-11T08:00:00Z");
  private static final String ERROR = "{\"type\":\"E\",\"message\":\"boom\",\"stack\":[]}";

  /** The store under test. */
  protected StoreBackend store;
  private WorkflowControl control;

  /** Opens a new, empty store. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore();
    control = store.control().workflows().orElseThrow();
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(JobOptions.DEFAULT_QUEUE), 64, "THREADS",
        "RUNNING", T0, T0, T0.plus(Duration.ofHours(1)), 0, 0, 0, 0));
  }

  @AfterEach
  void close() {
    store.close();
  }

  // ---------------------------------------------------------------- helpers

  private static NewJob job(String args) {
    return new NewJob("t.x", args, JobOptions.DEFAULT_QUEUE, 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static NewJob after(String args, WorkflowInput input, Dependency... deps) {
    return job(args).dependingOn(List.of(deps), input);
  }

  private static Dependency at(int index) {
    return Dependency.onBatchJob(index, DependencyPolicy.REQUIRE_SUCCESS);
  }

  private List<String> add(NewJob... jobs) {
    return store.enqueue(List.of(jobs)).stream().map(EnqueueResult::jobId).toList();
  }

  private JobInfo get(String id) {
    return store.find(id).orElseThrow();
  }

  private JobState state(String id) {
    return get(id).state();
  }

  /** Claims {@code id} (handing back anything else claimed) and ends it as {@code outcome}. */
  private void finish(String id, Completion.Outcome outcome) {
    List<JobInfo> claimed = store.claim(new ClaimRequest("w1", List.of(JobOptions.DEFAULT_QUEUE), 64,
        T0.plusSeconds(1))).jobs();
    JobInfo j = claimed.stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("job " + id + " was not claimable; it is " + state(id)));
    Completion c = outcome == Completion.Outcome.SUCCEEDED ? Completion.succeeded(id, j.fence(), "w1", "1")
        : Completion.failed(id, j.fence(), "w1", ERROR);
    assertThat(store.complete(List.of(c), T0.plusSeconds(2))).containsExactly(true);
    for (JobInfo other : store.inspector().listJobs(JobFilter.all().withStates(EnumSet.of(JobState.RUNNING)))) {
      store.complete(List.of(Completion.released(other.id(), other.fence(), "w1")), T0.plusSeconds(2));
    }
  }

  private void fail(String id) {
    finish(id, Completion.Outcome.FAILED);
  }

  private JobQueue queue(@Nullable KeyRing ring) {
    JobQueue.Builder b = JobQueue.builder(store);
    if (ring != null) {
      b.encryption(ring);
    }
    return b.build();
  }

  private static ResumeMove move(String id, JobState from, JobState to) {
    return new ResumeMove(id, from, to);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void resumingAFailedNodeRequeuesItAndRearmsWhatItsFailureCancelled() {
    List<String> ids = add(job("1"), after("null", WorkflowInput.RESULT, at(0)),
        after("null", WorkflowInput.RESULT, at(1)));
    fail(ids.get(0));
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);

    List<ResumeMove> moves = control.resume(ids.get(0), null, T0.plusSeconds(3));

    assertThat(moves).containsExactly(move(ids.get(0), JobState.FAILED, JobState.QUEUED),
        move(ids.get(1), JobState.CANCELLED, JobState.WAITING), move(ids.get(2), JobState.CANCELLED, JobState.WAITING));
    JobInfo node = get(ids.get(0));
    assertThat(node.state()).isEqualTo(JobState.QUEUED);
    assertThat(node.failures()).isZero();
    assertThat(get(ids.get(1)).errorJson()).isNull();
    finish(ids.get(0), Completion.Outcome.SUCCEEDED);
    assertThat(state(ids.get(1))).isEqualTo(JobState.QUEUED);
    assertThat(state(ids.get(2))).isEqualTo(JobState.WAITING);
  }

  @Test
  void thePreviewNamesTheMovesTheResumeMakesAndChangesNothing() {
    List<String> ids = add(job("1"), after("null", WorkflowInput.RESULT, at(0)),
        after("null", WorkflowInput.RESULT, at(1)), job("2").dependingOn(
            List.of(Dependency.onBatchJob(0, DependencyPolicy.ALLOW_FAILURE)), WorkflowInput.ARGS));
    fail(ids.get(0));
    assertThat(state(ids.get(3))).isEqualTo(JobState.QUEUED); // it runs with the failure
    try (JobQueue q = queue(null)) {
      ResumePlan preview = WorkflowResume.of(q, store).preview(ids.get(2), null, null);
      assertThat(preview.applied()).isFalse();
      assertThat(preview.nodeId()).isEqualTo(ids.get(0));
      assertThat(state(ids.get(0))).isEqualTo(JobState.FAILED);
      assertThat(state(ids.get(1))).isEqualTo(JobState.CANCELLED);

      ResumePlan done = WorkflowResume.of(q, store).resume(ids.get(2), null, null);

      assertThat(done.applied()).isTrue();
      assertThat(done.moves()).containsExactlyElementsOf(preview.moves());
      assertThat(done.moves()).extracting(ResumeMove::jobId).containsExactly(ids.get(0), ids.get(1), ids.get(2));
      assertThat(done.summary()).contains("job " + ids.get(0) + " FAILED -> QUEUED, 2 dependent(s) re-armed");
    }
  }

  @Test
  void jobsAnOperatorCancelledStayCancelled() {
    List<String> ids = add(job("1"), after("null", WorkflowInput.RESULT, at(0)),
        after("null", WorkflowInput.RESULT, at(1)), after("null", WorkflowInput.RESULT, at(0)));
    assertThat(store.cancel(ids.get(1), T0.plusSeconds(1))).isEqualTo(CancelResult.CANCELLED);
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED); // because of the operator's cancel
    fail(ids.get(0));
    assertThat(state(ids.get(3))).isEqualTo(JobState.CANCELLED);

    try (JobQueue q = queue(null)) {
      assertThat(WorkflowResume.of(q, store).preview(ids.get(0), null, null).moves())
          .containsExactly(move(ids.get(0), JobState.FAILED, JobState.QUEUED),
              move(ids.get(3), JobState.CANCELLED, JobState.WAITING));
    }
    assertThat(control.resume(ids.get(0), null, T0.plusSeconds(3))).containsExactly(
        move(ids.get(0), JobState.FAILED, JobState.QUEUED), move(ids.get(3), JobState.CANCELLED, JobState.WAITING));
    assertThat(state(ids.get(1))).isEqualTo(JobState.CANCELLED);
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aDependentAnotherFailureStillCancelsStaysCancelledUntilThatOneResumes() {
    List<String> ids = add(job("1"), job("2"), after("null", WorkflowInput.RESULTS, at(0), at(1)));
    fail(ids.get(0));
    fail(ids.get(1));
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);

    assertThat(control.resume(ids.get(0), null, T0.plusSeconds(3)))
        .containsExactly(move(ids.get(0), JobState.FAILED, JobState.QUEUED));
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    try (JobQueue q = queue(null)) {
      ResumePlan plan = WorkflowResume.of(q, store).preview(ids.get(2), null, null);
      assertThat(plan.moves()).containsExactly(move(ids.get(1), JobState.FAILED, JobState.QUEUED),
          move(ids.get(2), JobState.CANCELLED, JobState.WAITING));
    }
    assertThat(control.resume(ids.get(1), null, T0.plusSeconds(4))).containsExactly(
        move(ids.get(1), JobState.FAILED, JobState.QUEUED), move(ids.get(2), JobState.CANCELLED, JobState.WAITING));
  }

  @Test
  void aNodeWhoseDependencyRunsAgainIsRefusedUntilThatOneEnded() {
    List<String> ids = add(job("1"), job("5").dependingOn(List.of(Dependency.onBatchJob(0,
        DependencyPolicy.ALLOW_FAILURE)), WorkflowInput.ARGS), after("null", WorkflowInput.RESULT, at(1)));
    fail(ids.get(0));
    fail(ids.get(1));
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    control.resume(ids.get(0), null, T0.plusSeconds(3)); // the first node runs again

    assertThatThrownBy(() -> control.resume(ids.get(1), "6", T0.plusSeconds(4)))
        .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("WAITING");
    try (JobQueue q = queue(null)) {
      assertThatThrownBy(() -> WorkflowResume.of(q, store).preview(ids.get(1), ids.get(1), null))
          .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("WAITING");
    }
    assertThat(get(ids.get(1)).argsJson()).isEqualTo("5");
    assertThat(state(ids.get(1))).isEqualTo(JobState.FAILED);
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    finish(ids.get(0), Completion.Outcome.SUCCEEDED);
    assertThat(control.resume(ids.get(1), null, T0.plusSeconds(5))).containsExactly(
        move(ids.get(1), JobState.FAILED, JobState.QUEUED), move(ids.get(2), JobState.CANCELLED, JobState.WAITING));
  }

  @Test
  void newArgumentsBecomeTheNodesOwnAndAnInputFromResultsCannotBeEdited() {
    List<String> ids = add(job("{\"n\":1}"), after("null", WorkflowInput.RESULT, at(0)));
    fail(ids.get(0));
    control.resume(ids.get(0), "{\"n\":2}", T0.plusSeconds(3));
    assertThat(get(ids.get(0)).argsJson()).isEqualTo("{\"n\":2}");

    finish(ids.get(0), Completion.Outcome.SUCCEEDED);
    fail(ids.get(1));
    String input = get(ids.get(1)).argsJson();
    assertThatThrownBy(() -> control.resume(ids.get(1), "7", T0.plusSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its dependencies' results");
    JobInfo unchanged = get(ids.get(1));
    assertThat(unchanged.state()).isEqualTo(JobState.FAILED);
    assertThat(unchanged.argsJson()).isEqualTo(input);
  }

  @Test
  void onlyAFailedOrDeadNodeResumes() {
    List<String> ids = add(job("1"), job("2"), job("3"));
    finish(ids.get(0), Completion.Outcome.SUCCEEDED);
    store.cancel(ids.get(1), T0.plusSeconds(1));
    for (String id : ids) {
      assertThatThrownBy(() -> control.resume(id, null, T0.plusSeconds(3)))
          .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("FAILED or DEAD");
    }
    assertThat(state(ids.get(0))).isEqualTo(JobState.SUCCEEDED);
    assertThat(state(ids.get(1))).isEqualTo(JobState.CANCELLED);
    assertThatThrownBy(() -> control.resume("987654321", null, T0)).isInstanceOf(JobNotFoundException.class);
  }

  @Test
  void twoConcurrentResumesOfOneNodeResumeItOnce() throws Exception {
    List<String> ids = add(job("1"), after("null", WorkflowInput.RESULT, at(0)));
    fail(ids.get(0));
    CountDownLatch start = new CountDownLatch(1);
    Callable<Boolean> resume = () -> {
      start.await();
      try {
        control.resume(ids.get(0), null, T0.plusSeconds(3));
        return true;
      } catch (IllegalJobTransitionException e) {
        return false;
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Boolean> a = pool.submit(resume);
      Future<Boolean> b = pool.submit(resume);
      start.countDown();
      assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
    } finally {
      pool.shutdownNow();
    }
    assertThat(state(ids.get(0))).isEqualTo(JobState.QUEUED);
    assertThat(state(ids.get(1))).isEqualTo(JobState.WAITING);
    assertThat(get(ids.get(0)).attempt()).isEqualTo(1);
  }

  @Test
  void theResumerPicksTheOnlyFailedNodeAndRefusesWhatItCannotTell() {
    List<String> ids = add(job("1"), job("2"), after("null", WorkflowInput.RESULTS, at(0), at(1)));
    String other = add(job("9")).get(0);
    fail(ids.get(0));
    try (JobQueue q = queue(null)) {
      var resumer = WorkflowResume.of(q, store);
      WorkflowGraph g = resumer.graph(ids.get(2));
      assertThat(g.jobs()).extracting(JobInfo::id).containsExactlyElementsOf(ids);
      assertThat(g.edges()).hasSize(2);
      assertThat(g.layers()).containsEntry(ids.get(0), 0).containsEntry(ids.get(2), 1);
      assertThat(resumer.preview(ids.get(1), null, null).nodeId()).isEqualTo(ids.get(0));
      assertThatThrownBy(() -> resumer.preview(ids.get(1), other, null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not part of the workflow");
      fail(ids.get(1));
      assertThatThrownBy(() -> resumer.preview(ids.get(2), null, null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 FAILED or DEAD nodes");
      assertThat(resumer.preview(ids.get(2), ids.get(1), null).nodeId()).isEqualTo(ids.get(1));
      assertThatThrownBy(() -> resumer.preview(ids.get(0), null, "{not json"))
          .isInstanceOf(dev.spindle.PayloadException.class);
    }
    assertThat(state(ids.get(0))).isEqualTo(JobState.FAILED);
  }

  @Test
  void newArgumentsOfAnEncryptedJobAreEncryptedAgain() {
    KeyRing ring = KeyRing.of("k1", Map.of("k1", KeyRing.newKey()));
    String id;
    try (JobQueue q = queue(ring)) {
      id = q.enqueue("t.x", "{\"card\":\"4111\"}").id();
    }
    assertThat(KeyRing.isEncrypted(get(id).argsJson())).isTrue();
    fail(id);
    try (JobQueue plain = queue(null)) {
      assertThatThrownBy(() -> WorkflowResume.of(plain, store).resume(id, null, "{\"card\":\"5500\"}"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("key ring");
    }
    assertThat(state(id)).isEqualTo(JobState.FAILED);
    try (JobQueue q = queue(ring)) {
      ResumePlan done = WorkflowResume.of(q, store).resume(id, null, "{\"card\":\"5500\"}");
      assertThat(done.argsEdited()).isTrue();
    }
    String stored = get(id).argsJson();
    assertThat(stored).doesNotContain("5500");
    assertThat(ring.decrypt(KeyRing.ARGS, "t.x", stored)).isEqualTo("{\"card\":\"5500\"}");
    assertThat(Objects.requireNonNull(get(id)).state()).isEqualTo(JobState.QUEUED);
  }
}
