package dev.spindle.testkit.store;

import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up contract suites share: a new store on a {@link ManualClock} per test, two live
 * workers ({@code w1}, {@code w2}) with long leases on the given queues, and whatever a test opens
 * (workers, clients) closed after it, newest first, before the store. Subclass it and implement
 * {@link #openStore()}; a suite's own {@code @BeforeEach} runs after this one's. Not thread-safe
 * (JUnit runs one test of an instance at a time).
 */
public abstract class ClockedStoreFixture {
  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final Instant start;
  private final List<String> queues;

  /**
   * @param start the clock's first instant
   * @param queues the queues the two registered workers consume
   */
  protected ClockedStoreFixture(Instant start, String... queues) {
    this.start = start;
    this.queues = List.of(queues);
  }

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void openStoreAndRegisterWorkers() throws Exception {
    clock = new ManualClock(start);
    store = openStore();
    register("w1");
    register("w2");
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    store.close();
  }

  /** {@code resource}, closed after the test (before the store). */
  protected <T extends AutoCloseable> T closeAfter(T resource) {
    opened.add(resource);
    return resource;
  }

  private void register(String worker) {
    Instant now = clock.instant();
    store.heartbeat(new WorkerRecord(worker, worker, "host", 1, queues, 8, "THREADS", "RUNNING", now, now,
        now.plus(Duration.ofDays(400)), 0, 0, 0, 0));
  }
}
