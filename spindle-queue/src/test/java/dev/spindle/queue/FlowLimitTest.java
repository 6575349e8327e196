package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.FlowHold;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A flow limit is validated when declared; a task's rate limit pauses its key. */
class FlowLimitTest {
  @Test
  void invalidLimitsAreRefusedWithAClearError() {
    assertThatThrownBy(() -> FlowLimit.builder("api").concurrency(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flow limit 'api': concurrency must be in 1..1,000,000, not 0");
    assertThatThrownBy(() -> FlowLimit.builder("api").rate(-1, Duration.ofSeconds(1)))
        .hasMessageContaining("rate must be in 1..1,000,000, not -1");
    assertThatThrownBy(() -> FlowLimit.builder("api").rate(5, Duration.ZERO))
        .hasMessageContaining("the rate period must be in 1 ms..1 day");
    assertThatThrownBy(() -> FlowLimit.builder("api").window(5, Duration.ofDays(2)))
        .hasMessageContaining("the window period must be in 1 ms..1 day");
    assertThatThrownBy(() -> FlowLimit.builder("api").burst(3).build()).hasMessageContaining("a burst needs a rate");
    assertThatThrownBy(() -> FlowLimit.builder("api").perArgument(" "))
        .hasMessageContaining("the argument that gives the key must be a name");
    assertThatThrownBy(() -> FlowLimit.builder("no spaces")).hasMessageContaining("a flow limit's name");
    assertThatThrownBy(() -> FlowLimit.parse("api concurrency=x")).hasMessageContaining("must be a whole number");
    assertThatThrownBy(() -> FlowLimit.parse("api rate=5/1y")).hasMessageContaining("is not a period");
  }

  @Test
  void weightsReadBackAndInvalidOnesAreRefused() {
    FlowLimit l = FlowLimit.parse("fair per=arg:tenant weights=beta:2,acme:3");
    assertThat(l.toSpec()).isEqualTo("fair per=arg:tenant weights=acme:3,beta:2");
    assertThat(FlowLimit.parse(l.toSpec())).isEqualTo(l);
    assertThat(l.weightOf("fair:acme")).isEqualTo(3);
    assertThat(l.weightOf("fair:other")).isEqualTo(1);
    assertThatThrownBy(() -> FlowLimit.builder("f").weight("a", 0)).hasMessageContaining("must be in 1..100, not 0");
    assertThatThrownBy(() -> FlowLimit.builder("f").weight("a b", 2)).hasMessageContaining("a weighted value");
    assertThatThrownBy(() -> FlowLimit.parse("f weights=a")).hasMessageContaining("weights must be VALUE:N");
  }

  @Test
  void theTextFormReadsBackAndKeysComeFromQueueTaskOrArgument() {
    FlowLimit l = FlowLimit.parse("api per=arg:tenant concurrency=5 rate=200/1s burst=10 window=1000/60s");
    assertThat(l.toSpec()).isEqualTo("api per=arg:tenant concurrency=5 rate=200/1s burst=10 window=1000/60s");
    assertThat(FlowLimit.parse(l.toSpec())).isEqualTo(l);
    assertThat(l.intervalMicros()).isEqualTo(5000);
    assertThat(l.keyFor("q", "t", "{\"tenant\":\"acme\"}")).isEqualTo("api:acme");
    assertThat(l.keyFor("q", "t", "{\"tenant\":42}")).isEqualTo("api:42");
    assertThat(FlowLimit.builder("t").perTask().build().keyFor("q", "mail.send", "1")).isEqualTo("t:mail.send");
    assertThat(FlowLimit.parse("q1 rate=3/500ms").keyFor("imports", "t", "1")).isEqualTo("q1:imports");
    assertThat(FlowLimit.parse("q1 rate=3/500ms").burst()).isEqualTo(1);
    assertThatThrownBy(() -> l.keyFor("q", "t", "[1]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> l.keyFor("q", "t", "{\"tenant\":{\"id\":1}}"))
        .hasMessageContaining("not a string, number or boolean");
    assertThatThrownBy(() -> l.keyFor("q", "t", "{\"user\":1}")).hasMessageContaining("which the job's arguments lack");
  }

  record Call(String tenant) {}

  @Test
  void aTaskThatReportsARateLimitPausesItsKeyAndWaitsWithoutUsingUpAnAttempt() {
    AtomicInteger calls = new AtomicInteger();
    Task<Call, String> call = Task.of("t.call", Call.class, String.class, c -> {
      calls.incrementAndGet();
      throw new RateLimitedException(Duration.ofHours(1));
    });
    FlowLimit limit = FlowLimit.builder("remote").perArgument("tenant").build();
    TaskRegistry registry = TaskRegistry.builder().add(call).build();
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).registry(registry).build();
         Worker w = Worker.builder(store).registry(registry).concurrency(1).pollInterval(Duration.ofMillis(50))
             .shutdownGrace(Duration.ofSeconds(5)).start()) {
      JobHandle<String> h = q.enqueue(call, new Call("acme"), JobOptions.builder().flow(limit).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1
          && store.find(h.id()).orElseThrow().state() == JobState.QUEUED);
      JobInfo j = store.find(h.id()).orElseThrow();
      assertThat(j.attempt()).isZero();
      assertThat(j.failures()).isZero();
      FlowHold hold = store.flowAdmin().orElseThrow().holdOf(h.id()).orElseThrow();
      assertThat(hold.rule()).isEqualTo(FlowHold.Rule.PAUSED);
      assertThat(hold.key()).isEqualTo("remote:acme");
      assertThat(hold.until()).isAfter(j.runAt().plus(Duration.ofMinutes(59)));
      assertThat(store.flowAdmin().orElseThrow().limits()).containsExactly(limit);
      assertThat(calls.get()).isEqualTo(1);
      assertThat(w.failure()).isEmpty();
    }
  }

  @Test
  void aJobWithoutTheKeyArgumentIsDeadLetteredWithTheReason() {
    FlowLimit limit = FlowLimit.builder("remote").perArgument("tenant").concurrency(2).build();
    try (InMemoryJobStore store = new InMemoryJobStore();
         JobQueue q = JobQueue.builder(store).build()) {
      JobHandle<?> h = q.enqueue("t.call", "{\"user\":\"x\"}", JobOptions.builder().flow(limit).build());
      JobInfo j = store.find(h.id()).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.DEAD);
      assertThat(j.deadReason()).isEqualTo(FlowControl.BAD_FLOW_KEY);
      assertThat(JobError.fromJson(j.errorJson()).message())
          .isEqualTo("flow limit 'remote' keys jobs by argument 'tenant', which the job's arguments lack");
      assertThat(Map.of("n", store.countByState().get(JobState.DEAD))).isEqualTo(Map.of("n", 1L));
    }
  }
}
