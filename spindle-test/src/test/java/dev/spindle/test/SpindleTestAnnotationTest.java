package dev.spindle.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobState;
import dev.spindle.test.ShopTasks.Mail;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code @SpindleTest} with catalogs and a start: a fresh test queue per test, by parameter. */
@SpindleTest(catalogs = ShopTasks.class, start = "2031-06-01T08:00:00Z")
class SpindleTestAnnotationTest {
  private static final Mail MAIL = new Mail("a@example.com", "Hi");
  private static final Set<SpindleTestQueue> SEEN = ConcurrentHashMap.newKeySet();
  private SpindleTestQueue fromBeforeEach;

  @BeforeEach
  void enqueueOne(SpindleTestQueue spindle) {
    fromBeforeEach = spindle;
    spindle.queue().enqueue(ShopTasks.SEND_MAIL, MAIL);
  }

  @Test
  void eachTestGetsAFreshQueueAlsoSeenByBeforeEach(SpindleTestQueue spindle) {
    assertThat(spindle).isSameAs(fromBeforeEach);
    assertThat(SEEN.add(spindle)).isTrue();
    spindle.assertEnqueued(ShopTasks.SEND_MAIL, MAIL, JobMatch.any().count(1));
    assertThat(spindle.now()).isEqualTo(Instant.parse("2031-06-01T08:00:00Z"));
  }

  @Test
  void anotherTestStartsFromOnlyItsOwnJobs(SpindleTestQueue spindle) {
    assertThat(SEEN.add(spindle)).isTrue();
    assertThat(spindle.jobs()).hasSize(1);
    assertThat(spindle.runDue()).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
  }

  @AfterAll
  static void twoQueuesWereGiven() {
    assertThat(SEEN).hasSize(2);
  }
}
