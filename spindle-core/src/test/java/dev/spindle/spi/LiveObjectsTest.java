package dev.spindle.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The pickling trap of the Python texts, in Java: an input holding a thread queue, a thread or a
 * lock cannot go to another process. The codec refuses it when the input is serialized (at submit
 * on PROCESSES, at enqueue on the queue), naming the field, instead of copying the queue into a
 * list nobody else sees or failing later with an opaque error.
 */
class LiveObjectsTest {
  /** An input as a newcomer writes it: work plus the queue the results should go to. */
  public record Job(String url, LinkedBlockingQueue<String> results) {}

  /** Nested deeper, in a list. */
  public record Batch(List<Holder> items) {}

  /** Holds a lock. */
  public record Holder(String name, ReentrantLock lock) {}

  /** Holds a thread. */
  public record Started(Thread worker) {}

  @Test
  void aThreadQueueInAnInputIsRefusedNamingTheField() {
    JsonCodec codec = JsonCodec.defaults();
    assertThatThrownBy(() -> codec.toBytes(new Job("http://x/a.jpg", new LinkedBlockingQueue<>()),
        "input of task 'download'"))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("input of task 'download'")
        .hasMessageContaining("at field results")
        .hasMessageContaining("java.util.concurrent.LinkedBlockingQueue")
        .hasMessageContaining("cannot be sent to another process");
  }

  @Test
  void locksAndThreadsAreRefusedWhereverTheyAre() {
    JsonCodec codec = JsonCodec.defaults();
    assertThatThrownBy(() -> codec.toBytes(new Batch(List.of(new Holder("a", null), new Holder("b",
        new ReentrantLock()))), "input"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("at field items[1].lock");
    assertThatThrownBy(() -> codec.toBytes(new Started(Thread.currentThread()), "input"))
        .isInstanceOf(PayloadException.class).hasMessageContaining("at field worker")
        .hasMessageContaining("a Thread");
  }

  @Test
  void plainDataStillGoes() {
    JsonCodec codec = JsonCodec.defaults();
    assertThat(codec.toJson(new Holder("a", null), "input")).isEqualTo("{\"name\":\"a\",\"lock\":null}");
    assertThat(codec.toJson(List.of(1, 2, 3), "input")).isEqualTo("[1,2,3]");
  }
}
