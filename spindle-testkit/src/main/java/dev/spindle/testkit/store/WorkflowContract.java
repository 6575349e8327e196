package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.Workflows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of job dependencies (workflows) every store keeps: a dependent waits (WAITING) until
 * its dependencies end, is released with its input built from their results or outcomes, or is
 * cancelled, exactly as {@link DependencyPolicy} says, in the same atomic step as the dependency's
 * end; bad batches are refused whole; a requeued dependency revives what it cancelled. Subclass it
 * per backend and implement {@link #openStore()}.
 */
public abstract class WorkflowContract {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");
  private static final Duration LEASE = Duration.ofHours(1);

  /** The store under test. */
  protected StoreBackend store;

  /** Opens a new, empty store. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore();
    Instant now = T0;
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(JobOptions.DEFAULT_QUEUE), 64, "THREADS",
        "RUNNING", now, now, now.plus(LEASE), 0, 0, 0, 0));
  }

  @AfterEach
  void close() {
    store.close();
  }

  // ---------------------------------------------------------------- helpers

  private static NewJob job(String args) {
    return new NewJob("t.x", args, JobOptions.DEFAULT_QUEUE, 0, T0, null, JobPolicy.defaults(), T0);
  }

  private static NewJob after(WorkflowInput input, Dependency... deps) {
    return job("null").dependingOn(List.of(deps), input);
  }

  private static Dependency at(int index) {
    return Dependency.onBatchJob(index, DependencyPolicy.REQUIRE_SUCCESS);
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

  private JobState state(String id) {
    return get(id).state();
  }

  private List<JobInfo> claim() {
    return store.claim(new ClaimRequest("w1", List.of(JobOptions.DEFAULT_QUEUE), 64, T0.plusSeconds(1))).jobs();
  }

  /** Claims {@code id} (among whatever is ready) and ends it with {@code outcome}. */
  private void finish(String id, Completion.Outcome outcome, @Nullable String result) {
    JobInfo j = claim().stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("job " + id + " was not claimable; it is " + state(id)));
    Completion c = switch (outcome) {
      case SUCCEEDED -> Completion.succeeded(id, j.fence(), "w1", Objects.requireNonNull(result, "the result"));
      case FAILED -> Completion.failed(id, j.fence(), "w1", "{\"type\":\"E\",\"message\":\"boom\",\"stack\":[]}");
      case CANCELLED -> Completion.cancelled(id, j.fence(), "w1");
      default -> throw new IllegalArgumentException(outcome.name());
    };
    assertThat(store.complete(List.of(c), T0.plusSeconds(2))).containsExactly(true);
    // hand back anything else claimed on the way
    for (JobInfo other : store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all().withStates(
        java.util.EnumSet.of(JobState.RUNNING)))) {
      store.complete(List.of(Completion.released(other.id(), other.fence(), "w1")), T0.plusSeconds(2));
    }
  }

  private void succeed(String id, String result) {
    finish(id, Completion.Outcome.SUCCEEDED, result);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void aChainRunsStepByStepEachOutputBecomingTheNextInput() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)), after(WorkflowInput.RESULT, at(1)));
    assertThat(ids).hasSize(3);
    assertThat(state(ids.get(1))).isEqualTo(JobState.WAITING);
    assertThat(state(ids.get(2))).isEqualTo(JobState.WAITING);
    assertThat(claim()).extracting(JobInfo::id).containsExactly(ids.get(0));
    store.complete(List.of(Completion.succeeded(ids.get(0), get(ids.get(0)).fence(), "w1", "{\"n\":2}")),
        T0.plusSeconds(2));
    JobInfo second = get(ids.get(1));
    assertThat(second.state()).isEqualTo(JobState.QUEUED);
    assertThat(second.argsJson()).isEqualTo("{\"n\":2}");
    assertThat(state(ids.get(2))).isEqualTo(JobState.WAITING);
    succeed(ids.get(1), "3");
    assertThat(get(ids.get(2)).argsJson()).isEqualTo("3");
    assertThat(state(ids.get(2))).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aChordCallbackGetsEveryResultInDeclaredOrderOnlyAfterTheLast() {
    List<String> ids = add(job("1"), job("2"), job("3"),
        after(WorkflowInput.RESULTS, at(0), at(1), at(2)));
    String cb = ids.get(3);
    succeed(ids.get(2), "30");
    succeed(ids.get(0), "10");
    assertThat(state(cb)).isEqualTo(JobState.WAITING);
    succeed(ids.get(1), "\"twenty\"");
    assertThat(state(cb)).isEqualTo(JobState.QUEUED);
    assertThat(get(cb).argsJson()).isEqualTo("[10,\"twenty\",30]");
  }

  @Test
  void aFailureCancelsFailFastDependentsAndTheirsNamingTheFailedJob() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)), after(WorkflowInput.RESULT, at(1)),
        job("0").dependingOn(List.of(at(1, DependencyPolicy.ALWAYS)), WorkflowInput.OUTCOMES));
    finish(ids.get(0), Completion.Outcome.FAILED, null);
    assertThat(state(ids.get(1))).isEqualTo(JobState.CANCELLED);
    assertThat(get(ids.get(1)).errorJson()).contains(Workflows.DEPENDENCY_FAILED).contains("job " + ids.get(0));
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    assertThat(get(ids.get(2)).errorJson()).contains("job " + ids.get(1));
    // a finally-style dependent runs whatever happened, and sees how its dependency ended
    JobInfo fin = get(ids.get(3));
    assertThat(fin.state()).isEqualTo(JobState.QUEUED);
    assertThat(fin.argsJson()).startsWith("[{\"jobId\":\"" + ids.get(1) + "\",\"state\":\"CANCELLED\"");
    assertThat(store.finishedAfter(0, 100).jobs()).extracting(JobInfo::id)
        .contains(ids.get(0), ids.get(1), ids.get(2));
  }

  @Test
  void allowFailureRunsTheDependentWithTheOutcomes() {
    List<String> ids = add(job("1"), job("2"),
        after(WorkflowInput.OUTCOMES, at(0, DependencyPolicy.ALLOW_FAILURE), at(1, DependencyPolicy.ALLOW_FAILURE)));
    succeed(ids.get(0), "5");
    finish(ids.get(1), Completion.Outcome.FAILED, null);
    JobInfo cb = get(ids.get(2));
    assertThat(cb.state()).isEqualTo(JobState.QUEUED);
    assertThat(cb.argsJson()).contains("\"state\":\"SUCCEEDED\",\"result\":5")
        .contains("\"state\":\"FAILED\",\"result\":null,\"error\":{\"type\":\"E\"");
  }

  @Test
  void anOnFailureCallbackRunsOnlyIfSomethingFailed() {
    List<String> ok = add(job("1"), job("0").dependingOn(List.of(at(0, DependencyPolicy.ON_FAILURE)),
        WorkflowInput.OUTCOMES));
    succeed(ok.get(0), "1");
    assertThat(state(ok.get(1))).isEqualTo(JobState.CANCELLED);
    assertThat(get(ok.get(1)).errorJson()).contains(Workflows.NOT_NEEDED);

    List<String> bad = add(job("1"), job("2"), job("0").dependingOn(
        List.of(at(0, DependencyPolicy.ON_FAILURE), at(1, DependencyPolicy.ON_FAILURE)), WorkflowInput.ARGS));
    finish(bad.get(0), Completion.Outcome.FAILED, null);
    assertThat(state(bad.get(2))).isEqualTo(JobState.WAITING);
    succeed(bad.get(1), "2");
    assertThat(state(bad.get(2))).isEqualTo(JobState.QUEUED);
    assertThat(get(bad.get(2)).argsJson()).isEqualTo("0");
  }

  @Test
  void aDependencyOnAFinishedJobAppliesAtOnce() {
    String done = add(job("1")).get(0);
    succeed(done, "7");
    List<String> ids = add(after(WorkflowInput.RESULT, Dependency.onJob(done, DependencyPolicy.REQUIRE_SUCCESS)));
    assertThat(state(ids.get(0))).isEqualTo(JobState.QUEUED);
    assertThat(get(ids.get(0)).argsJson()).isEqualTo("7");

    String failed = add(job("1")).get(0);
    finish(failed, Completion.Outcome.FAILED, null);
    String child = add(after(WorkflowInput.RESULT, Dependency.onJob(failed, DependencyPolicy.REQUIRE_SUCCESS)))
        .get(0);
    assertThat(state(child)).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aBadBatchIsRefusedWholeAndAddsNothing() {
    long before = store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all()).size();
    assertThatThrownBy(() -> add(job("1"), after(WorkflowInput.RESULT,
        Dependency.onJob("999999", DependencyPolicy.REQUIRE_SUCCESS))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999999");
    assertThatThrownBy(() -> add(after(WorkflowInput.RESULT, at(1)), job("1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("earlier job");
    assertThat(store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all())).hasSize((int) before);
  }

  @Test
  void cancellingAWaitingJobCancelsItsFailFastDependents() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)), after(WorkflowInput.RESULT, at(1)));
    assertThat(store.cancel(ids.get(1), T0.plusSeconds(1)))
        .isEqualTo(dev.spindle.queue.spi.CancelResult.CANCELLED);
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    assertThat(state(ids.get(0))).isEqualTo(JobState.QUEUED);
  }

  @Test
  void requeueingAFailedDependencyRevivesWhatItCancelled() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)), after(WorkflowInput.RESULT, at(1)));
    finish(ids.get(0), Completion.Outcome.FAILED, null);
    assertThat(state(ids.get(2))).isEqualTo(JobState.CANCELLED);
    assertThatThrownBy(() -> store.inspector().requeue(ids.get(2), T0.plusSeconds(3)))
        .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("retry that one");
    store.inspector().requeue(ids.get(0), T0.plusSeconds(3));
    assertThat(state(ids.get(1))).isEqualTo(JobState.WAITING);
    assertThat(state(ids.get(2))).isEqualTo(JobState.WAITING);
    succeed(ids.get(0), "4");
    succeed(ids.get(1), "5");
    assertThat(get(ids.get(2)).argsJson()).isEqualTo("5");
  }

  @Test
  void aDependencyAnOperatorDeletesWhileItsDependentWaitsStillGivesItsResult() {
    List<String> ids = add(job("1"), job("2"), job("3"),
        after(WorkflowInput.RESULTS, at(0), at(1), at(2)));
    succeed(ids.get(0), "\"p\"");
    succeed(ids.get(1), "\"q\"");
    assertThat(store.control().deleteJob(ids.get(0))).isEqualTo(QueueControl.DeleteResult.DELETED);
    assertThat(store.inspector().purge(JobFilter.all().withStates(EnumSet.of(JobState.SUCCEEDED)))).isEqualTo(1);
    assertThat(store.find(ids.get(1))).isEmpty();
    assertThat(state(ids.get(3))).isEqualTo(JobState.WAITING);

    succeed(ids.get(2), "\"r\"");
    JobInfo dependent = get(ids.get(3));
    assertThat(dependent.state()).isEqualTo(JobState.QUEUED);
    assertThat(dependent.argsJson()).as("every result is its input").isEqualTo("[\"p\",\"q\",\"r\"]");
  }

  @Test
  void aDeletedDependencyCountsByItsEndWhenItsDependentIsRevivedOrRetried() {
    List<String> ids = add(job("1"), job("2"), after(WorkflowInput.RESULTS, at(0), at(1)));
    String p = ids.get(0);
    String q = ids.get(1);
    String d = ids.get(2);
    succeed(p, "\"p\"");
    finish(q, Completion.Outcome.FAILED, null);
    assertThat(state(d)).isEqualTo(JobState.CANCELLED);
    assertThat(store.control().deleteJob(p)).isEqualTo(QueueControl.DeleteResult.DELETED);

    store.inspector().requeue(q, T0.plusSeconds(3));
    assertThat(state(d)).as("revived: its deleted dependency succeeded").isEqualTo(JobState.WAITING);
    succeed(q, "\"q\"");
    assertThat(get(d).argsJson()).isEqualTo("[\"p\",\"q\"]");

    finish(d, Completion.Outcome.FAILED, null);
    JobInfo retried = store.inspector().requeue(d, T0.plusSeconds(4));
    assertThat(retried.state()).isEqualTo(JobState.QUEUED);
    assertThat(retried.argsJson()).as("retried with the same input").isEqualTo("[\"p\",\"q\"]");
  }

  @Test
  void edgesAreListedBothWays() {
    List<String> ids = add(job("1"), job("2"), after(WorkflowInput.RESULTS, at(0), at(1, DependencyPolicy.ALWAYS)));
    assertThat(store.inspector().dependencyEdges(ids.get(2))).containsExactly(
        new DependencyEdge(ids.get(0), ids.get(2), DependencyPolicy.REQUIRE_SUCCESS, 0),
        new DependencyEdge(ids.get(1), ids.get(2), DependencyPolicy.ALWAYS, 1));
    assertThat(store.inspector().dependencyEdges(ids.get(0))).containsExactly(
        new DependencyEdge(ids.get(0), ids.get(2), DependencyPolicy.REQUIRE_SUCCESS, 0));
  }

  @Test
  void aLongChainEndsWithoutDeepRecursion() {
    int n = 5_000;
    List<NewJob> jobs = new ArrayList<>(n);
    jobs.add(job("1"));
    for (int i = 1; i < n; i++) {
      jobs.add(after(WorkflowInput.RESULT, at(i - 1)));
    }
    List<String> ids = store.enqueue(jobs).stream().map(EnqueueResult::jobId).toList();
    finish(ids.get(0), Completion.Outcome.FAILED, null);
    assertThat(state(ids.get(n - 1))).isEqualTo(JobState.CANCELLED);
  }

  // ---------------------------------------------------------------- children added by a running job

  private JobInfo claimOnly(String id) {
    return claim().stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("job " + id + " was not claimable; it is " + state(id)));
  }

  private List<String> children(String parent, long fence, List<NewJob> jobs, Integer... exits) {
    return store.addChildren(parent, fence, jobs, List.of(exits)).stream().map(EnqueueResult::jobId).toList();
  }

  @Test
  void aRunningJobAddsChildrenThatItsDependentsAlsoWaitForButDoNotTakeAsInput() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)));
    String a = ids.get(0);
    String b = ids.get(1);
    JobInfo running = claimOnly(a);
    List<String> kids = children(a, running.fence(), List.of(job("10"), after(WorkflowInput.RESULT, at(0))), 1);
    assertThat(state(kids.get(0))).isEqualTo(JobState.QUEUED); // children start at once, not after the parent
    assertThat(state(kids.get(1))).isEqualTo(JobState.WAITING);
    assertThat(store.inspector().dependencyEdges(b)).containsExactly(
        new DependencyEdge(a, b, DependencyPolicy.REQUIRE_SUCCESS, 0),
        new DependencyEdge(kids.get(1), b, DependencyPolicy.REQUIRE_SUCCESS, DependencyEdge.ADDED));

    assertThat(store.complete(List.of(Completion.succeeded(a, running.fence(), "w1", "\"a\"")), T0.plusSeconds(2)))
        .containsExactly(true);
    assertThat(state(b)).isEqualTo(JobState.WAITING); // the parent ended; its children have not
    succeed(kids.get(0), "11");
    assertThat(state(b)).isEqualTo(JobState.WAITING);
    succeed(kids.get(1), "12");
    assertThat(state(b)).isEqualTo(JobState.QUEUED);
    assertThat(get(b).argsJson()).isEqualTo("\"a\""); // its input is still its own dependency's result
  }

  @Test
  void aFailedChildCancelsTheFailFastDependentsOfItsParentNamingTheChild() {
    List<String> ids = add(job("1"), after(WorkflowInput.RESULT, at(0)),
        job("0").dependingOn(List.of(at(0, DependencyPolicy.ALWAYS)), WorkflowInput.OUTCOMES));
    String a = ids.get(0);
    JobInfo running = claimOnly(a);
    String kid = children(a, running.fence(), List.of(job("2")), 0).get(0);
    assertThat(store.complete(List.of(Completion.succeeded(a, running.fence(), "w1", "1")), T0.plusSeconds(2)))
        .containsExactly(true);
    finish(kid, Completion.Outcome.FAILED, null);
    assertThat(state(ids.get(1))).isEqualTo(JobState.CANCELLED);
    assertThat(get(ids.get(1)).errorJson()).contains(Workflows.DEPENDENCY_FAILED).contains("job " + kid);
    JobInfo fin = get(ids.get(2)); // a finally-style dependent runs, with its own dependency's outcome only
    assertThat(fin.state()).isEqualTo(JobState.QUEUED);
    assertThat(fin.argsJson()).startsWith("[{\"jobId\":\"" + a + "\",\"state\":\"SUCCEEDED\"")
        .doesNotContain("\"jobId\":\"" + kid + "\"");
  }

  @Test
  void aDependencyDeletedWhileItsDependentWaitsCountsByItsEndWhenAnotherAddsChildren() {
    List<String> ids = add(job("1"), job("2"), after(WorkflowInput.OUTCOMES, at(0), at(1)));
    String p = ids.get(0);
    String r = ids.get(1);
    String d = ids.get(2);
    succeed(p, "\"p\"");
    assertThat(store.control().deleteJob(p)).isEqualTo(QueueControl.DeleteResult.DELETED);
    JobInfo running = claimOnly(r);
    String kid = children(r, running.fence(), List.of(job("3")), 0).get(0);
    assertThat(state(d)).as("its deleted dependency succeeded").isEqualTo(JobState.WAITING);

    assertThat(store.complete(List.of(Completion.succeeded(r, running.fence(), "w1", "\"r\"")), T0.plusSeconds(2)))
        .containsExactly(true);
    succeed(kid, "4");
    JobInfo dependent = get(d);
    assertThat(dependent.state()).isEqualTo(JobState.QUEUED);
    assertThat(dependent.argsJson()).isEqualTo("[{\"jobId\":\"" + p + "\",\"state\":\"SUCCEEDED\",\"result\":\"p\","
        + "\"error\":null},{\"jobId\":\"" + r + "\",\"state\":\"SUCCEEDED\",\"result\":\"r\",\"error\":null}]");
  }

  @Test
  void childrenOfAJobNotRunningUnderThatClaimAreRefusedAndNothingIsAdded() {
    String a = add(job("1")).get(0);
    JobInfo running = claimOnly(a);
    assertThatThrownBy(() -> store.addChildren(a, running.fence() + 1, List.of(job("2")), List.of(0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("job " + a + " cannot add children")
        .hasMessageContaining("nothing was added");
    assertThatThrownBy(() -> store.addChildren(a, running.fence(), List.of(job("2")), List.of(3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("child exit 3");
    assertThat(store.complete(List.of(Completion.succeeded(a, running.fence(), "w1", "1")), T0.plusSeconds(2)))
        .containsExactly(true);
    assertThatThrownBy(() -> store.addChildren(a, running.fence(), List.of(job("2")), List.of(0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("it is SUCCEEDED");
    assertThatThrownBy(() -> store.addChildren("987654", 1, List.of(job("2")), List.of(0)))
        .isInstanceOf(JobNotFoundException.class);
    assertThat(store.inspector().listJobs(dev.spindle.queue.spi.JobFilter.all())).extracting(JobInfo::id)
        .containsExactly(a);
  }
}
