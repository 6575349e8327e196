package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.DurableRules;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.JobRef;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.SignalResult;
import dev.spindle.queue.spi.StepRecord;
import dev.spindle.queue.spi.StepWrite;
import dev.spindle.queue.spi.WaitFor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The check each store's durable-execution migration test ends with: a QUEUED job written before
 * the migration (queue {@code q}) can be claimed, record a step, suspend on a signal and be woken by
 * that signal sent by its unique key, with its record kept.
 */
public final class MigratedDurableJob {
  private MigratedDurableJob() {}

  /** Asserts the whole sequence on {@code store} for the job {@code id} with unique key {@code uniqueKey}. */
  public static void runsDurably(JobStore store, String id, String uniqueKey) {
    assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    DurableStore durable = store.durable().orElseThrow();
    JobInfo j = store.claim(new ClaimRequest("w1", List.of("q"), 1, store.storeTime())).jobs().get(0);
    assertThat(j.id()).isEqualTo(id);
    StepRecord step = new StepRecord("charge", 0, 0, StepRecord.Kind.VALUE, "42", j.fence(), j.attempt(), 1,
        Instant.EPOCH);
    assertThat(durable.record(id, j.fence(), "w1", step, DurableRules.defaults()).status())
        .isEqualTo(StepWrite.Status.APPLIED);
    Instant now = store.storeTime();
    assertThat(durable.suspend(id, j.fence(), "w1", WaitFor.signal("go", 0, 1, now.plus(Duration.ofDays(1))), now))
        .isTrue();
    assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(durable.signal(JobRef.uniqueKey(uniqueKey), "go", "true", DurableRules.defaults(), now))
        .isEqualTo(SignalResult.WOKE);
    assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(durable.view(id).orElseThrow().steps()).extracting(StepRecord::resultJson).containsExactly("42");
  }
}
