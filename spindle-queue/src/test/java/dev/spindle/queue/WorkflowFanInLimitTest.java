package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.spi.JsonCodec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A fan-in whose combined input can exceed the argument limit is refused when the workflow is
 * submitted, before any job is added, instead of running every member and then dead-lettering the
 * callback ({@code bad_args}) that no retry can help. The check is the queue's, ahead of any store.
 */
class WorkflowFanInLimitTest {
  private static final Task<Long, Long> SQUARE = Task.of("fanin.square", Long.class, Long.class, x -> x * x);
  private static final Task<Long, String> WORDS = Task.of("fanin.words", Long.class, String.class, x -> "n" + x);
  private static final Task<Long[], Long> SUM = Task.of("fanin.sum", Long[].class, Long.class, xs -> {
    long s = 0;
    for (Long x : xs) {
      s += x;
    }
    return s;
  });
  private static final Task<JobOutcome[], Integer> COUNT = Task.of("fanin.count", JobOutcome[].class, Integer.class,
      os -> os.length);
  private static final TaskRegistry REGISTRY = TaskRegistry.builder().add(SQUARE).add(WORDS).add(SUM).add(COUNT)
      .build();
  /** A small argument limit, so that a fan-in of 60 numbers (up to 1,261 bytes) is over it. */
  private static final JsonCodec SMALL = new JsonCodec(1000);

  private static Workflow squares(int n) {
    Workflow[] members = new Workflow[n];
    for (int i = 0; i < n; i++) {
      members[i] = Workflow.task(SQUARE, (long) i + 1);
    }
    return Workflow.group(members);
  }

  @Test
  void aChordWhoseNumbersCanOutgrowTheLimitIsRefusedAndNothingIsAdded() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).codec(SMALL).build()) {
      assertThatThrownBy(() -> q.submit(Workflow.chord(squares(60), Workflow.fromUpstream(SUM))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node 60 (task 'fanin.sum') combines the results of 60 jobs")
          .hasMessageContaining("up to 1,261 bytes").hasMessageContaining("over the argument limit of 1,000 bytes")
          .hasMessageContaining("nothing was added");
      assertThat(store.inspector().listJobs(JobFilter.all())).isEmpty();
    }
  }

  @Test
  void aChordUnderTheLimitRunsItsCallback() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).codec(SMALL).build();
         Worker w = Worker.builder(store).registry(REGISTRY).codec(SMALL).concurrency(4)
             .pollInterval(Duration.ofMillis(20)).start()) {
      WorkflowHandle h = q.submit(Workflow.chord(squares(40), Workflow.fromUpstream(SUM)));
      assertThat(h.last().get(0).result(Duration.ofSeconds(30)).asLong()).isEqualTo(22_140L);
    }
  }

  @Test
  void theReportedFanInOf99999NumbersIsRefusedAtTheDefaultLimit() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).maxWorkflowSize(100_000).build()) {
      assertThatThrownBy(() -> q.submit(Workflow.chord(squares(99_999), Workflow.fromUpstream(SUM))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99,999 jobs")
          .hasMessageContaining("up to 2,099,980 bytes").hasMessageContaining("1,048,576 bytes");
      assertThat(store.inspector().listJobs(JobFilter.all())).isEmpty();
    }
  }

  @Test
  void unboundedResultsAreRefusedOnlyWhenEvenTheLeastInputIsOverTheLimit() {
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(REGISTRY).codec(SMALL).build()) {
      Workflow[] words = new Workflow[60];
      for (int i = 0; i < words.length; i++) {
        words[i] = Workflow.task(WORDS, (long) i);
      }
      // strings have no bound: 60 of at least one byte each fit, so it is accepted
      assertThat(q.submit(Workflow.chord(Workflow.group(words), Workflow.fromUpstream(COUNT))).jobs()).hasSize(61);
      // outcomes carry fixed fields: 60 of them are over 3,000 bytes, whatever the results
      assertThatThrownBy(() -> q.submit(squares(60).onComplete(Workflow.fromUpstream(COUNT))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("combines the outcomes of 60 jobs")
          .hasMessageContaining("at least ");
    }
  }
}
