package dev.spindle.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.NewJob;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a claim may start where the last one of its queue ended, on a clock the test moves. */
class ClaimPositionsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ClaimPositions positions = new ClaimPositions(nanos::get);

  private static JobInfo running(long id, int priority) {
    Instant t = Instant.EPOCH;
    return new JobInfo(Long.toString(id), "t", "q", JobState.RUNNING, priority, "null", null, null, null, null, 1, 0,
        0, 1, "w", false, t, t, t, null, null, 0, JobPolicy.defaults());
  }

  private static NewJob job(String queue, int priority) {
    Instant t = Instant.EPOCH;
    return new NewJob("t", "null", queue, priority, t, null, JobPolicy.defaults(), t);
  }

  private static EnqueueResult queued(long id) {
    return new EnqueueResult(Long.toString(id), true, JobState.QUEUED);
  }

  /** A claim of "q" that walked from the head and took these jobs. */
  private void walked(JobInfo... taken) {
    positions.ended("q", positions.epoch(), null, List.of(taken));
  }

  @Test
  void aClaimStartsAfterTheLastJobTheLastClaimTookInClaimOrder() {
    assertThat(positions.start("q")).as("no claim yet: from the head").isNull();
    walked(running(7, 5), running(12, 0), running(9, 0), running(3, 5));
    ClaimPositions.Position p = positions.start("q");
    assertThat(p).isNotNull();
    assertThat(p.priority()).as("the lowest priority taken").isZero();
    assertThat(p.id()).as("the highest id at that priority").isEqualTo(12);
    assertThat(positions.start("other")).as("positions are per queue").isNull();
  }

  @Test
  void aPositionIsUsedForAQuarterSecondFromTheLastWalkFromTheHead() {
    walked(running(1, 0));
    nanos.addAndGet(ClaimPositions.WALK_EVERY_NANOS - 1);
    ClaimPositions.Position p = positions.start("q");
    assertThat(p).isNotNull();
    // a claim from the position keeps the time of the walk it started from
    positions.ended("q", positions.epoch(), p, List.of(running(2, 0)));
    assertThat(positions.start("q")).isNotNull().extracting(ClaimPositions.Position::id).isEqualTo(2L);
    nanos.addAndGet(1);
    assertThat(positions.start("q")).as("then the next claim walks from the head").isNull();
    walked(running(3, 0));
    assertThat(positions.start("q")).as("and starts a new quarter second").isNotNull();
  }

  @Test
  void aClaimThatTookNothingForgetsThePosition() {
    walked(running(1, 0));
    walked();
    assertThat(positions.start("q")).isNull();
  }

  @Test
  void jobsReadiedThroughTheStoreSendEveryClaimToTheHead() {
    walked(running(1, 0));
    long began = positions.epoch();
    positions.readied();
    assertThat(positions.start("q")).isNull();
    positions.ended("q", began, null, List.of(running(2, 0)));
    assertThat(positions.start("q")).as("a claim that began before the jobs were readied records nothing usable")
        .isNull();
    walked(running(3, 0));
    assertThat(positions.start("q")).isNotNull();
  }

  @Test
  void anEnqueueResetsThePositionsOnlyForAJobReadyBeforeIt() {
    walked(running(5000, 1));
    positions.enqueued(List.of(job("q", 1), job("q", 0), job("other", 9)),
        List.of(queued(6000), queued(6001), queued(6002)));
    assertThat(positions.start("q")).as("later ids, same or lower priority, other queues: after it").isNotNull();
    positions.enqueued(List.of(job("q", 1)), List.of(queued(5000 - ClaimPositions.SLACK + 1)));
    assertThat(positions.start("q")).as("committed late, but within the slack").isNotNull();
    positions.enqueued(List.of(job("q", 1)), List.of(new EnqueueResult("1", true, JobState.SCHEDULED)));
    assertThat(positions.start("q")).as("delayed: ready later, when a claim makes it ready").isNotNull();
    positions.enqueued(List.of(job("q", 1)), List.of(queued(5000 - ClaimPositions.SLACK)));
    assertThat(positions.start("q")).as("committed late, beyond the slack").isNull();
    walked(running(5000, 1));
    positions.enqueued(List.of(job("q", 2)), List.of(queued(7000)));
    assertThat(positions.start("q")).as("a higher priority").isNull();
  }
}
