package dev.spindle.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.queue.memory.InMemoryJobStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link JobQueue#enqueueAsync}: the job is stored as {@link JobQueue#enqueue} stores it and the
 * future gives its handle; checks of the task and its input throw on the calling thread before
 * anything is sent; listeners hear of the job; a flow limit the queue has not used is stored first.
 * On the in-memory store this is the store SPI's default (a virtual thread per call).
 */
class JobQueueEnqueueAsyncTest {
  record Greeting(String name, int times) {}

  static final Task<Greeting, String> GREET = Task.of("greet", Greeting.class, String.class, g -> g.name());
  private final InMemoryJobStore store = new InMemoryJobStore();
  private final List<JobEvent> events = new CopyOnWriteArrayList<>();
  private final JobQueue queue = JobQueue.builder(store).registry(TaskRegistry.builder().add(GREET).build())
      .listener(events::add).build();

  @AfterEach
  void close() {
    queue.close();
    store.close();
  }

  @Test
  void aTypedJobIsStoredAsEnqueueStoresItAndTheFutureGivesItsHandle() throws Exception {
    JobHandle<String> h = queue.enqueueAsync(GREET, new Greeting("ada", 2)).get();

    assertThat(h.isNew()).isTrue();
    assertThat(h.taskName()).isEqualTo("greet");
    JobInfo info = store.find(h.id()).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.argsJson()).isEqualTo(queue.enqueue(GREET, new Greeting("ada", 2)).info().orElseThrow()
        .argsJson());
    assertThat(events).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(JobEvent.Type.ENQUEUED);
      assertThat(e.jobId()).isEqualTo(h.id());
    });
  }

  @Test
  void aJobByNameGetsItsOptionsAndAUniqueKeyAnswersTheExistingJob() throws Exception {
    JobOptions once = JobOptions.builder().queue("mail").uniqueKey("greet-ada").build();

    JobHandle<JsonNode> first = queue.enqueueAsync("greet", "{\"name\":\"ada\",\"times\":1}", once).get();
    JobHandle<JsonNode> again = queue.enqueueAsync("greet", "{\"name\":\"ada\",\"times\":1}", once).get();

    assertThat(first.isNew()).isTrue();
    assertThat(again.isNew()).isFalse();
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(store.find(first.id()).orElseThrow().queue()).isEqualTo("mail");
  }

  @Test
  void checksOfTheTaskAndItsInputThrowOnTheCallingThreadAndNothingIsStored() {
    JobOptions defaults = JobOptions.defaults();

    assertThatThrownBy(() -> queue.enqueueAsync("no.such.task", "{}", defaults))
        .isInstanceOf(UnknownTaskException.class);
    assertThatThrownBy(() -> queue.enqueueAsync("greet", "{\"name\":\"ada\",\"times\":1.5}", defaults))
        .isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> queue.enqueueAsync("greet", "not json", defaults)).isInstanceOf(PayloadException.class);

    assertThat(store.find("1")).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void aFlowLimitThisQueueHasNotUsedIsStoredBeforeTheJob() throws Exception {
    FlowLimit api = FlowLimit.builder("api").concurrency(2).build();
    JobOptions limited = JobOptions.builder().flow(api).build();

    CompletableFuture<JobHandle<String>> first = queue.enqueueAsync(GREET, new Greeting("ada", 1), limited);
    JobHandle<String> second = queue.enqueueAsync(GREET, new Greeting("bob", 1), limited).get();

    assertThat(first.get().isNew()).isTrue();
    assertThat(second.isNew()).isTrue();
    assertThat(store.flow().orElseThrow().defineLimit(api)).as("already stored, unchanged").isFalse();
  }
}
