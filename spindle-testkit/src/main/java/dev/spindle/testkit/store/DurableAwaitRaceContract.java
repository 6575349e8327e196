package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.WorkflowInput;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Dependency;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WaitFor;
import dev.spindle.queue.spi.WorkerRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The race between a job's end and a transaction that starts waiting for it, on a store whose
 * writers run concurrently (row locks, READ COMMITTED). Two transactions start waiting for a job
 * that has not ended: a durable job suspending on it ({@code awaitJob}: a wake edge) and a new job
 * depending on it (a dependency edge). Each reads the job's row with a shared lock and adds its
 * edge; the end updates that row, then looks for the edges from it. Whatever the order, the waiter
 * must be woken and the dependent released when the end commits, long before the wait's timeout.
 *
 * <p>The test holds row locks from its own connection and watches the server's lock waits (no
 * sleeps), to force the two orders: the end's UPDATE waits behind a shared lock while both edges
 * are added and committed (so the end's statement began before the edges existed), and the
 * adders' shared reads wait behind the end's uncommitted UPDATE. The store and the test share a
 * {@link ManualClock} that never moves, so only a wake-up can queue the waiter. Subclass it per
 * backend.
 */
public abstract class DurableAwaitRaceContract {
  private static final Instant T0 = Instant.parse("2030-07-08T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  private StoreBackend store;
  private DurableStore durable;
  private Connection holder;
  private Connection observer;
  private ExecutorService threads;

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  /**
   * A new connection to the store's tables (unqualified names resolve to them) at READ COMMITTED,
   * auto-commit on. The test closes it.
   */
  protected abstract Connection connect() throws SQLException;

  /** The suffix of a SELECT that takes shared row locks in this database's SQL. */
  protected abstract String forShare();

  /** How many transactions of the server wait for a lock now, read on {@code c} (auto-commit). */
  protected abstract int lockWaits(Connection c) throws SQLException;

  /**
   * Whether a shared row lock is granted while a writer waits for the row behind another shared
   * lock (PostgreSQL: yes; a database that queues it behind the writer: no). Decides which
   * interleaving {@link #anEndWaitingBehindASharedLockStillWakesWhatWasAddedMeanwhile} forces.
   */
  protected abstract boolean sharedLocksPassAWaitingWriter();

  @BeforeEach
  void openIt() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    durable = store.durable().orElseThrow();
    for (String w : List.of("w1", "w2")) {
      store.heartbeat(new WorkerRecord(w, w, "host", 1, List.of("q", "other"), 8, "THREADS", "RUNNING", T0, T0,
          T0.plus(Duration.ofDays(400)), 0, 0, 0, 0));
    }
    holder = connect();
    holder.setAutoCommit(false);
    observer = connect();
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void closeIt() throws Exception {
    holder.rollback();
    holder.close();
    observer.close();
    threads.shutdownNow();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("the store calls ended").isTrue();
    store.close();
  }

  /** The job whose end is awaited, RUNNING in queue "other" under worker w2, and the waiter, RUNNING in "q" under w1. */
  private record Jobs(String target, long targetFence, String waiter, long waiterFence) {}

  private Jobs running(JobPolicy targetPolicy) {
    String target = enqueue("other", targetPolicy);
    long targetFence = claim("w2", "other", target);
    String waiter = enqueue("q", JobPolicy.defaults());
    long waiterFence = claim("w1", "q", waiter);
    return new Jobs(target, targetFence, waiter, waiterFence);
  }

  private String enqueue(String queue, JobPolicy policy) {
    return store.enqueue(List.of(new NewJob("t.race", "{}", queue, 0, T0, null, policy, T0)))
        .get(0).jobId();
  }

  private String enqueueAfter(String parent) {
    NewJob j = new NewJob("t.dependent", "{}", "deps", 0, T0, null, JobPolicy.defaults(), T0)
        .dependingOn(List.of(Dependency.onJob(parent, DependencyPolicy.REQUIRE_SUCCESS)), WorkflowInput.ARGS);
    EnqueueResult r = store.enqueue(List.of(j)).get(0);
    return r.jobId();
  }

  private long claim(String worker, String queue, String expected) {
    var jobs = store.claim(new ClaimRequest(worker, List.of(queue), 1, clock.instant())).jobs();
    assertThat(jobs).as("the job to claim in " + queue).hasSize(1);
    assertThat(jobs.get(0).id()).isEqualTo(expected);
    return jobs.get(0).fence();
  }

  private JobState state(String id) {
    return store.find(id).orElseThrow().state();
  }

  private boolean suspend(Jobs j) {
    return durable.suspend(j.waiter(), j.waiterFence(), "w1",
        WaitFor.job(j.target(), 0, T0.plus(Duration.ofDays(7))), clock.instant());
  }

  private List<Boolean> end(Jobs j) {
    return store.complete(List.of(Completion.succeeded(j.target(), j.targetFence(), "w2", "\"done\"")),
        clock.instant());
  }

  private void lockRow(String sql, long id) throws SQLException {
    try (PreparedStatement ps = holder.prepareStatement(sql)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the row to lock").isTrue();
      }
    }
  }

  private int waits() throws SQLException {
    return lockWaits(observer);
  }

  /** Waits until every call of {@code calls} not yet done waits for a lock, besides {@code others}. */
  private void awaitSettled(int others, List<Future<?>> calls) {
    await().atMost(WAIT).until(() -> waits() == others + calls.stream().filter(f -> !f.isDone()).count());
  }

  private static <T> T result(Future<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * The end's UPDATE waits behind a shared lock on the job's row (held here); meanwhile a waiter
   * suspends on the job and a dependent is added, each reading the row with a shared lock. Where
   * shared locks pass the waiting writer both commit before the end's statement goes on, so that
   * statement began before their edges existed; elsewhere they queue behind it and see the end.
   */
  @Test
  void anEndWaitingBehindASharedLockStillWakesWhatWasAddedMeanwhile() throws Exception {
    endWaitingBehindASharedLock(JobPolicy.defaults());
  }

  /**
   * As {@link #anEndWaitingBehindASharedLockStillWakesWhatWasAddedMeanwhile} for a job whose policy
   * keeps no result ({@code resultTtl} 0), which a store may delete as it ends: with a dependent and
   * a waiter it is kept until they were told its end.
   */
  @Test
  void anEndThatKeepsNoResultStillWakesWhatWasAddedMeanwhile() throws Exception {
    endWaitingBehindASharedLock(JobPolicy.defaults().withTtls(Duration.ZERO, Duration.ofDays(7)));
  }

  private void endWaitingBehindASharedLock(JobPolicy targetPolicy) throws Exception {
    Jobs j = running(targetPolicy);
    lockRow("SELECT id FROM spindle_jobs WHERE id = ?" + forShare(), Long.parseLong(j.target()));
    Future<List<Boolean>> ending = threads.submit(() -> end(j));
    await().atMost(WAIT).until(() -> waits() == 1);

    Future<Boolean> suspending = threads.submit(() -> suspend(j));
    Future<String> adding = threads.submit(() -> enqueueAfter(j.target()));
    awaitSettled(1, List.of(suspending, adding));
    if (sharedLocksPassAWaitingWriter()) {
      assertThat(suspending).as("the suspension passed the waiting end").isDone();
      assertThat(adding).as("the dependent passed the waiting end").isDone();
      assertThat(state(j.waiter())).isEqualTo(JobState.SCHEDULED);
      assertThat(state(result(adding))).isEqualTo(JobState.WAITING);
    } else {
      assertThat(List.of(suspending, adding)).as("the suspension and the dependent queue behind the waiting end")
          .noneMatch(Future::isDone);
    }
    assertThat(ending).as("the end waits for the row").isNotDone();

    holder.rollback();
    assertThat(result(ending)).containsExactly(true);
    assertThat(result(suspending)).isTrue();
    String dependent = result(adding);
    assertThat(List.of(state(j.waiter()), state(dependent)))
        .as("the waiter woken and the dependent released by the end (the waiter's timeout is a week away)")
        .containsExactly(JobState.QUEUED, JobState.QUEUED);
    assertThat(store.find(j.target())).as("the ended job, kept while it has a dependent").isPresent()
        .hasValueSatisfying(t -> assertThat(t.state()).isEqualTo(JobState.SUCCEEDED));
    assertThat(claim("w1", "q", j.waiter())).isPositive();
    assertThat(durable.awaited(j.target()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }

  /**
   * The end has updated the job's row and waits (here, on the row of an earlier dependent's edge)
   * before it commits; a waiter suspending on the job and a new dependent wait behind the end's
   * row lock, then see the job ended: the waiter stays QUEUED and the dependent starts QUEUED.
   */
  @Test
  void aSuspensionWaitingBehindTheEndsUpdateSeesTheEnd() throws Exception {
    Jobs j = running(JobPolicy.defaults());
    String earlier = enqueueAfter(j.target());
    lockRow("SELECT child FROM spindle_deps WHERE parent = ? FOR UPDATE", Long.parseLong(j.target()));
    Future<List<Boolean>> ending = threads.submit(() -> end(j));
    await().atMost(WAIT).until(() -> waits() == 1);

    Future<Boolean> suspending = threads.submit(() -> suspend(j));
    Future<String> adding = threads.submit(() -> enqueueAfter(j.target()));
    await().atMost(WAIT).until(() -> waits() == 3);
    assertThat(List.of(ending, suspending, adding)).noneMatch(Future::isDone);

    holder.rollback();
    assertThat(result(ending)).containsExactly(true);
    assertThat(result(suspending)).isTrue();
    String dependent = result(adding);
    assertThat(state(j.target())).isEqualTo(JobState.SUCCEEDED);
    assertThat(state(j.waiter())).as("the suspension saw the end").isEqualTo(JobState.QUEUED);
    assertThat(state(dependent)).as("the dependent saw the end").isEqualTo(JobState.QUEUED);
    assertThat(state(earlier)).isEqualTo(JobState.QUEUED);
    assertThat(claim("w1", "q", j.waiter())).isPositive();
  }
}
