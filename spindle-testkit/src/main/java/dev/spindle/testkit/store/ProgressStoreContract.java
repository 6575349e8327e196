package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobHandle;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobProgress;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.ProgressLimits;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.ProgressStore;
import dev.spindle.queue.spi.ProgressUpdate;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RetentionLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ProgressStore} on one store: the latest progress replaces the earlier one,
 * log lines are numbered per job across attempts and only the last ones are kept, writes apply only
 * under the job's current fence (each update of a batch on its own), long and non-ASCII text comes
 * back as written, reading never creates, and the reports go with their job (delete, retention). The
 * worker half runs a real {@link Worker} on the store: progress shows while the job runs, the last
 * reports are written with its outcome, and bad input is refused. Subclass it per backend and
 * implement {@link #openStore()}.
 */
public abstract class ProgressStoreContract extends ClockedStoreFixture {
  private static final Instant T0 = Instant.parse("2030-05-06T07:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ProgressStore progress;

  protected ProgressStoreContract() {
    super(T0, "q");
  }

  @BeforeEach
  void openRole() {
    progress = store.progress().orElseThrow();
  }

  private String enqueue() {
    Instant now = clock.instant();
    return store.enqueue(List.of(new NewJob("t.progress", "{}", "q", 0, now, null, JobPolicy.defaults(), now)))
        .get(0).jobId();
  }

  private JobInfo claim(String worker) {
    List<JobInfo> jobs = store.claim(new ClaimRequest(worker, List.of("q"), 1, clock.instant())).jobs();
    assertThat(jobs).as("a job to claim").hasSize(1);
    return jobs.get(0);
  }

  private static String worker(JobInfo j) {
    return Objects.requireNonNull(j.workerId(), "a claimed job's worker");
  }

  private JobProgress.Line line(String text) {
    return new JobProgress.Line(0, clock.instant(), TaskContext.LogLevel.INFO, text);
  }

  private ProgressUpdate update(JobInfo j, @Nullable Double fraction, String message, String... lines) {
    return new ProgressUpdate(j.id(), j.fence(), worker(j), fraction, message, clock.instant(),
        java.util.Arrays.stream(lines).map(this::line).toList());
  }

  private JobProgress view(String id) {
    return progress.view(id).orElseThrow();
  }

  @Test
  void theLatestProgressReplacesTheEarlierAndLinesAreNumbered() {
    String id = enqueue();
    JobInfo j = claim("w1");
    assertThat(view(id)).isEqualTo(JobProgress.NONE);
    assertThat(progress.write(List.of(update(j, 0.25, "reading", "started", "opened the file")), 100))
        .containsExactly(true);
    clock.advance(Duration.ofSeconds(3));
    assertThat(progress.write(List.of(update(j, 0.75, "writing", "read 12 rows")), 100)).containsExactly(true);
    JobProgress p = view(id);
    assertThat(p.fraction()).isEqualTo(0.75);
    assertThat(p.message()).isEqualTo("writing");
    assertThat(p.updatedAt()).isEqualTo(clock.instant());
    assertThat(p.linesTotal()).isEqualTo(3);
    assertThat(p.lines()).extracting(JobProgress.Line::seq).containsExactly(1L, 2L, 3L);
    assertThat(p.lines()).extracting(JobProgress.Line::message)
        .containsExactly("started", "opened the file", "read 12 rows");
    assertThat(p.lines().get(0).at()).isEqualTo(T0);
    assertThat(p.lines().get(0).level()).isEqualTo(TaskContext.LogLevel.INFO);
  }

  @Test
  void anUpdateWithoutProgressKeepsTheEarlierProgress() {
    String id = enqueue();
    JobInfo j = claim("w1");
    progress.write(List.of(update(j, 0.5, "half")), 100);
    progress.write(List.of(update(j, null, "", "a line")), 100);
    JobProgress p = view(id);
    assertThat(p.fraction()).isEqualTo(0.5);
    assertThat(p.message()).isEqualTo("half");
    assertThat(p.lines()).extracting(JobProgress.Line::message).containsExactly("a line");
  }

  @Test
  void onlyTheLastLinesAreKept() {
    String id = enqueue();
    JobInfo j = claim("w1");
    progress.write(List.of(update(j, null, "", "1", "2", "3", "4")), 3);
    progress.write(List.of(update(j, null, "", "5")), 3);
    JobProgress p = view(id);
    assertThat(p.linesTotal()).isEqualTo(5);
    assertThat(p.lines()).extracting(JobProgress.Line::seq).containsExactly(3L, 4L, 5L);
    assertThat(p.lines()).extracting(JobProgress.Line::message).containsExactly("3", "4", "5");
    assertThat(p.linesAfter(4)).extracting(JobProgress.Line::message).containsExactly("5");
  }

  @Test
  void aWorkerThatLostTheJobWritesNothing() {
    String id = enqueue();
    JobInfo first = claim("w1");
    progress.write(List.of(update(first, 0.1, "first", "from w1")), 100);
    assertThat(store.complete(List.of(Completion.released(id, first.fence(), "w1")), clock.instant()))
        .containsExactly(true);
    assertThat(progress.write(List.of(update(first, 0.9, "stale", "queued now")), 100)).as("queued")
        .containsExactly(false);
    JobInfo second = claim("w2");
    assertThat(progress.write(List.of(update(first, 0.9, "stale", "old fence")), 100)).as("old fence")
        .containsExactly(false);
    ProgressUpdate wrongWorker = new ProgressUpdate(id, second.fence(), "w1", 0.9, "stale", clock.instant(),
        List.of(line("wrong worker")));
    assertThat(progress.write(List.of(wrongWorker), 100)).as("another worker").containsExactly(false);
    assertThat(view(id).fraction()).isEqualTo(0.1);
    assertThat(view(id).lines()).extracting(JobProgress.Line::message).containsExactly("from w1");
    progress.write(List.of(update(second, 0.2, "second", "from w2")), 100);
    assertThat(view(id).lines()).as("numbered across attempts").extracting(JobProgress.Line::seq)
        .containsExactly(1L, 2L);
    store.complete(List.of(Completion.succeeded(id, second.fence(), "w2", "1")), clock.instant());
    assertThat(progress.write(List.of(update(second, 1.0, "done", "after the end")), 100)).as("finished")
        .containsExactly(false);
    assertThat(view(id).fraction()).as("kept after the end").isEqualTo(0.2);
    assertThat(view(id).linesTotal()).isEqualTo(2);
  }

  @Test
  void eachUpdateOfABatchAppliesOnItsOwn() {
    String a = enqueue();
    String b = enqueue();
    JobInfo ja = claim("w1");
    JobInfo jb = claim("w2");
    ProgressUpdate stale = new ProgressUpdate(b, jb.fence() + 1, "w2", 0.5, "", clock.instant(), List.of());
    assertThat(progress.write(List.of(update(ja, 0.3, "a", "line a"), stale, update(jb, 0.6, "b")), 100))
        .containsExactly(true, false, true);
    assertThat(view(a).fraction()).isEqualTo(0.3);
    assertThat(view(b).fraction()).isEqualTo(0.6);
    assertThat(view(b).lines()).isEmpty();
    assertThat(progress.write(List.of(), 100)).isEmpty();
  }

  @Test
  void longAndNonAsciiTextComesBackAsWritten() {
    String id = enqueue();
    JobInfo j = claim("w1");
    String longest = "x".repeat(ProgressLimits.MAX_LINE_CHARS - 2) + "é€";
    String unicode = "größe 🐘 \"quoted\" \\ back\nslash";
    progress.write(List.of(update(j, 0.0, unicode, longest, unicode, "")), 100);
    JobProgress p = view(id);
    assertThat(p.fraction()).isEqualTo(0.0);
    assertThat(p.message()).isEqualTo(unicode);
    assertThat(p.lines()).extracting(JobProgress.Line::message).containsExactly(longest, unicode, "");
  }

  @Test
  void readingNeverCreates() {
    assertThat(progress.view("424242")).isEmpty();
    assertThat(progress.view("not-a-number")).isEmpty();
    assertThat(store.find("424242")).isEmpty();
    JobInfo ghost = new JobInfo("424242", "t", "q", dev.spindle.queue.JobState.RUNNING, 0, "{}", null, null, null,
        null, 1, 0, 0, 1, "w1", false, T0, T0, T0, null, null, 0, JobPolicy.defaults(), null);
    assertThat(progress.write(List.of(update(ghost, 0.5, "ghost", "ghost line")), 100)).containsExactly(false);
    assertThat(progress.view("424242")).isEmpty();
  }

  @Test
  void theReportsGoWithTheirJob() {
    String deleted = enqueue();
    JobInfo j = claim("w1");
    progress.write(List.of(update(j, 0.5, "m", "line")), 100);
    store.complete(List.of(Completion.succeeded(deleted, j.fence(), "w1", "1")), clock.instant());
    assertThat(view(deleted).linesTotal()).isEqualTo(1);
    assertThat(store.control().deleteJob(deleted)).isEqualTo(QueueControl.DeleteResult.DELETED);
    assertThat(progress.view(deleted)).isEmpty();

    String expired = enqueue();
    JobInfo k = claim("w1");
    progress.write(List.of(update(k, 0.5, "m", "line")), 100);
    store.complete(List.of(Completion.succeeded(expired, k.fence(), "w1", "1")), clock.instant());
    clock.advance(JobPolicy.defaults().resultTtl().plusMinutes(1));
    assertThat(store.purgeExpired(clock.instant(), RetentionLimits.defaults())).isGreaterThanOrEqualTo(1);
    assertThat(store.find(expired)).isEmpty();
    assertThat(progress.view(expired)).isEmpty();
  }

  // ---------------------------------------------------------------- a real worker

  private Worker worker(TaskRegistry reg, Duration flush) {
    Worker w = Worker.builder(store).registry(reg).queues("q").concurrency(2).clock(clock)
        .pollInterval(Duration.ofMillis(20)).leaseDuration(Duration.ofDays(365)).heartbeatInterval(Duration.ofMillis(100))
        .progressFlushInterval(flush).progressLimits(new ProgressLimits(5, 40)).start();
    closeAfter(w);
    return w;
  }

  private JobQueue queue(TaskRegistry reg) {
    JobQueue q = JobQueue.builder(store).registry(reg).clock(clock).build();
    closeAfter(q);
    return q;
  }

  @Test
  void aRunningJobShowsItsProgressAndItsLastReportsAreWrittenWithItsOutcome() throws Exception {
    CountDownLatch reported = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Task<String, String> task = Task.withContext("p.report", String.class, String.class, (in, tc) -> {
      tc.progress(0.5, "half of " + in);
      IntStream.range(0, 7).forEach(i -> tc.log("line " + i));
      tc.log(TaskContext.LogLevel.WARN, "y".repeat(100));
      reported.countDown();
      assertThat(finish.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      tc.progress(1, "done");
      tc.log(TaskContext.LogLevel.ERROR, "last words");
      return in;
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, Duration.ofMillis(50));
    JobHandle<String> h = q.enqueue(task, "job", dev.spindle.queue.JobOptions.builder().queue("q").build());
    assertThat(reported.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> view(h.id()).fraction() != null);
    JobProgress running = view(h.id());
    assertThat(running.fraction()).isEqualTo(0.5);
    assertThat(running.message()).isEqualTo("half of job");
    assertThat(running.lines()).hasSize(5);
    assertThat(running.lines().get(4).message()).hasSize(40).endsWith("…");
    assertThat(running.lines().get(4).level()).isEqualTo(TaskContext.LogLevel.WARN);
    finish.countDown();
    assertThat(h.result(WAIT)).isEqualTo("job");
    JobProgress done = view(h.id());
    assertThat(done.fraction()).isEqualTo(1.0);
    assertThat(done.message()).isEqualTo("done");
    assertThat(done.lines()).hasSize(5);
    assertThat(done.lines().get(4).message()).isEqualTo("last words");
    assertThat(done.linesTotal()).isEqualTo(running.linesTotal() + 1);
  }

  @Test
  void reportsOfAShortJobAreWrittenWithItsOutcomeOnly() throws Exception {
    Task<String, String> task = Task.withContext("p.short", String.class, String.class, (in, tc) -> {
      tc.progress(1);
      tc.log("only line");
      return in;
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, Duration.ofDays(1)); // the timer never writes: the outcome's round does
    JobHandle<String> h = q.enqueue(task, "x", dev.spindle.queue.JobOptions.builder().queue("q").build());
    assertThat(h.result(WAIT)).isEqualTo("x");
    JobProgress p = view(h.id());
    assertThat(p.fraction()).isEqualTo(1.0);
    assertThat(p.message()).isEmpty();
    assertThat(p.lines()).extracting(JobProgress.Line::message).containsExactly("only line");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void badReportsAreRefusedWithClearErrors() throws Exception {
    Task<String, String> task = Task.withContext("p.bad", String.class, String.class, (in, tc) -> {
      List<String> errors = new ArrayList<>();
      for (double f : new double[] {Double.NaN, -0.01, 1.01, Double.POSITIVE_INFINITY}) {
        try {
          tc.progress(f, "x");
        } catch (IllegalArgumentException e) {
          errors.add(e.getMessage());
        }
      }
      try {
        tc.log(null);
      } catch (NullPointerException e) {
        errors.add(e.getMessage());
      }
      try {
        tc.progress(0.5, null);
      } catch (NullPointerException e) {
        errors.add(e.getMessage());
      }
      return String.join("|", errors);
    });
    TaskRegistry reg = TaskRegistry.builder().add(task).build();
    JobQueue q = queue(reg);
    worker(reg, Duration.ofMillis(50));
    JobHandle<String> h = q.enqueue(task, "x", dev.spindle.queue.JobOptions.builder().queue("q").build());
    String errors = h.result(WAIT);
    assertThat(errors.split("\\|")).hasSize(6);
    assertThat(errors).contains("progress fraction must be from 0 to 1, got NaN", "got -0.01", "got 1.01",
        "got Infinity", "log message", "progress message");
    assertThat(view(h.id())).as("nothing kept from refused reports").isEqualTo(JobProgress.NONE);
  }
}
