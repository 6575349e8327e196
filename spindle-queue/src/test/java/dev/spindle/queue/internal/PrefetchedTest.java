package dev.spindle.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The buffer of jobs a worker claimed ahead of its free slots, on given times. */
class PrefetchedTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static JobInfo job(String id) {
    return new JobInfo(id, "t.noop", "default", JobState.RUNNING, 0, "null", null, null, null, null, 1, 0, 0, 7,
        "w1", false, T0, T0, T0, null, null, 0, JobPolicy.defaults(), null);
  }

  private static List<String> ids(List<Prefetched.Held> held) {
    return held.stream().map(h -> h.job().id()).toList();
  }

  @Test
  void jobsLeaveInClaimOrder() {
    Prefetched p = new Prefetched();
    p.add(job("a"), 0);
    p.add(job("b"), 1);
    p.add(job("c"), 2);
    assertThat(p.size()).isEqualTo(3);
    assertThat(p.poll().job().id()).isEqualTo("a");
    assertThat(p.remove("c").job().id()).isEqualTo("c");
    assertThat(p.remove("c")).isNull();
    assertThat(p.contains("b")).isTrue();
    assertThat(ids(p.drain())).containsExactly("b");
    assertThat(p.poll()).isNull();
    assertThat(p.size()).isZero();
  }

  @Test
  void aJobTakenOutIsStillHeldUntilPlaced() {
    Prefetched p = new Prefetched();
    p.add(job("a"), 0);
    p.add(job("b"), 1);
    p.add(job("c"), 2 * Prefetched.MAX_WAIT);
    assertThat(p.poll().job().id()).isEqualTo("a");
    assertThat(ids(p.removeStale(Prefetched.MAX_WAIT + 2))).containsExactly("b");
    assertThat(ids(p.drain())).containsExactly("c");
    assertThat(p.size()).as("none waits").isZero();
    assertThat(List.of("a", "b", "c")).as("taken out, not yet running or handed back").allMatch(p::contains);
    p.placed("a");
    p.placed("b");
    assertThat(p.contains("a")).isFalse();
    assertThat(p.contains("b")).isFalse();
    assertThat(p.contains("c")).isTrue();
    p.placed("c");
    assertThat(p.contains("c")).isFalse();
  }

  @Test
  void onlyJobsThatWaitedLongerThanTheLimitAreStale() {
    Prefetched p = new Prefetched();
    p.add(job("old"), 0);
    p.add(job("edge"), 10 * MS);
    p.add(job("new"), 50 * MS);
    long now = 10 * MS + Prefetched.MAX_WAIT;
    assertThat(ids(p.removeStale(now))).containsExactly("old");
    assertThat(ids(p.removeStale(now))).isEmpty();
    assertThat(ids(p.removeStale(now + 1))).containsExactly("edge");
    assertThat(ids(p.drain())).containsExactly("new");
  }

  @Test
  void aStaleJobPausesClaimingAheadUntilAJobEnds() {
    Prefetched p = new Prefetched();
    p.ran(50_000);
    assertThat(p.jobsShorterThan(1 * MS)).isTrue();
    p.add(job("a"), 0);
    p.removeStale(Prefetched.MAX_WAIT / 2);
    assertThat(p.jobsShorterThan(1 * MS)).as("nothing was stale").isTrue();
    p.removeStale(Prefetched.MAX_WAIT + 1);
    assertThat(p.jobsShorterThan(1 * MS)).as("after a stale job").isFalse();
    p.ran(2_000 * MS); // the long job that held the slot ends
    assertThat(p.jobsShorterThan(1 * MS)).isFalse();
  }

  @Test
  void theRunTimeAverageFollowsJobsAndNeedsBothTimes() {
    Prefetched p = new Prefetched();
    assertThat(p.jobsShorterThan(1 * MS)).as("no job ended yet").isFalse();
    p.ran(10 * MS);
    assertThat(p.jobsShorterThan(1 * MS)).isFalse();
    assertThat(p.jobsShorterThan(-1)).as("no store call yet").isFalse();
    for (int i = 0; i < 40; i++) {
      p.ran(100_000);
    }
    assertThat(p.jobsShorterThan(1 * MS)).as("short jobs pulled the average down").isTrue();
    p.ran(-5); // a clock step never makes the average negative
    assertThat(p.jobsShorterThan(1 * MS)).isTrue();
  }

  @Test
  void aHeartbeatDropsOnlyJobsClaimedBeforeItThatTheStoreNoLongerHolds() {
    Prefetched p = new Prefetched();
    p.add(job("kept"), 0);
    p.add(job("lost"), 1 * MS);
    p.add(job("later"), 20 * MS); // claimed after the heartbeat was sent: its answer cannot list it
    assertThat(ids(p.removeNotHeld(Set.of("kept"), 10 * MS))).containsExactly("lost");
    assertThat(ids(p.drain())).containsExactly("kept", "later");
  }
}
