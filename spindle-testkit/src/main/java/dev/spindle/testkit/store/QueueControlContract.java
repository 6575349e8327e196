package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of the optional {@link QueueControl} and {@link AuditLog} SPIs: pausing queues (a
 * paused queue is never claimed), bulk requeue and cancel by filter, deleting one finished job, the
 * audit log. Subclass it per backend that offers them and implement {@link #openStore()}.
 */
public abstract class QueueControlContract {
  private static final Instant T0 = Instant.parse("2030-01-07T10:00:00Z");

  /** The store under test. */
  protected JobStore store;
  private QueueControl control;

  /** Opens a new, empty store that implements {@link QueueControl} and {@link AuditLog}. */
  protected abstract JobStore openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore();
    control = store.control();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private String enqueue(String queue) {
    NewJob j = new NewJob("t.x", "1", queue, 0, T0, null, JobPolicy.defaults(), T0);
    return store.enqueue(List.of(j)).get(0).jobId();
  }

  private List<JobInfo> claim(int max, String... queues) {
    Instant now = T0.plusSeconds(1);
    store.heartbeat(new WorkerRecord("w1", "w", "host", 1, List.of(queues), 4, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    return store.claim(new ClaimRequest("w1", List.of(queues), max, now)).jobs();
  }

  @Test
  void aPausedQueueIsNotClaimedUntilResumed() {
    String mail = enqueue("mail");
    String other = enqueue(JobOptions.DEFAULT_QUEUE);
    control.pauseQueue("mail");
    control.pauseQueue("mail");
    assertThat(control.pausedQueues()).containsExactly("mail");
    assertThat(claim(10, "mail", JobOptions.DEFAULT_QUEUE)).extracting(JobInfo::id).containsExactly(other);
    assertThat(claim(10, "mail")).isEmpty();
    assertThat(store.find(mail).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    control.resumeQueue("mail");
    assertThat(control.pausedQueues()).isEmpty();
    assertThat(claim(10, "mail")).extracting(JobInfo::id).containsExactly(mail);
    assertThatThrownBy(() -> control.pauseQueue("bad queue!")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requeueMatchingMovesFinishedJobsBackNewestFirst() {
    List<String> ids = List.of(enqueue("a"), enqueue("a"), enqueue("a"), enqueue("b"));
    ids.forEach(id -> store.cancel(id, T0));
    JobFilter a = JobFilter.all().withQueue("a").withLimit(2);
    assertThat(control.requeueMatching(a, T0.plusSeconds(5))).isEqualTo(2);
    assertThat(store.find(ids.get(2)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(store.find(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(store.find(ids.get(0)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(ids.get(3)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(control.requeueMatching(a.withLimit(100), T0)).isEqualTo(1);
    assertThatThrownBy(() -> control.requeueMatching(JobFilter.all().withState(JobState.QUEUED), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancelMatchingCancelsWaitingJobsAndAsksRunningOnesToStop() {
    String a1 = enqueue("a");
    String a2 = enqueue("a");
    String a3 = enqueue("a");
    String b1 = enqueue("b");
    assertThat(claim(1, "a")).extracting(JobInfo::id).containsExactly(a1);
    JobFilter a = JobFilter.all().withQueue("a").withLimit(100);
    assertThat(control.cancelMatching(a, T0.plusSeconds(2))).isEqualTo(3);
    assertThat(store.find(a1).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.find(a1).orElseThrow().cancelRequested()).isTrue();
    assertThat(store.find(a2).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(a3).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(b1).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(control.cancelMatching(a, T0.plusSeconds(3))).isZero();
    assertThat(store.finishedAfter(0, 10).jobs()).extracting(JobInfo::id).containsExactlyInAnyOrder(a2, a3);
    assertThatThrownBy(() -> control.cancelMatching(JobFilter.all().withState(JobState.DEAD), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteJobDeletesOnlyFinishedJobsAndIdsAreNeverReused() {
    String waiting = enqueue("a");
    String done = enqueue("a");
    store.cancel(done, T0);
    assertThat(control.deleteJob(waiting)).isEqualTo(QueueControl.DeleteResult.NOT_FINISHED);
    assertThat(control.deleteJob(done)).isEqualTo(QueueControl.DeleteResult.DELETED);
    assertThat(control.deleteJob(done)).isEqualTo(QueueControl.DeleteResult.NOT_FOUND);
    assertThat(control.deleteJob("nope")).isEqualTo(QueueControl.DeleteResult.NOT_FOUND);
    assertThat(store.find(done)).isEmpty();
    assertThat(Long.parseLong(enqueue("a"))).isGreaterThan(Long.parseLong(done));
  }

  @Test
  void theAuditLogKeepsEntriesNewestFirst() {
    AuditLog log = store.auditLog();
    for (int i = 0; i < 3; i++) {
      log.appendAudit(new AuditRecord(0, T0.plusSeconds(i), "alice", "job.retry", "job " + i, i == 1 ? null
          : "ok\tand\\ a\nnew line"));
    }
    List<AuditRecord> recent = log.recentAudit(2);
    assertThat(recent).extracting(AuditRecord::target).containsExactly("job 2", "job 1");
    assertThat(recent.get(0).id()).isGreaterThan(recent.get(1).id());
    assertThat(recent.get(0).at()).isEqualTo(T0.plusSeconds(2));
    assertThat(recent.get(1).detail()).isNull();
    assertThat(recent.get(0).user()).isEqualTo("alice");
    assertThat(recent.get(0).detail()).isEqualTo("ok\tand\\ a\nnew line");
  }
}
