package dev.spindle.testkit.store;

import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the process-level durable contracts share ({@link DurableKillContract}, {@link
 * DurableStopContract}): a scratch directory, the store's location and how this JVM opens it, the
 * child worker's lease and the survivor's. A backend subclasses the contracts, not this class.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class DurableChildContract {
  /** How long a test waits for the child or the survivor to get somewhere. */
  static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * The lease of the worker in this JVM: long, as nothing waits for it to end, and a lapse would
   * strike the job or let a thawed child take it back.
   */
  static final Duration SURVIVOR_LEASE = Duration.ofSeconds(60);

  /** A scratch directory of the test. */
  @TempDir
  protected Path dir;

  /** A new, empty store's location, as {@link JobStores#open} takes it. */
  protected abstract String location(Path dir) throws Exception;

  /** Opens the store at {@code location} in this JVM ({@link JobStores#open}). */
  protected StoreBackend open(String location) {
    return JobStores.open(location);
  }

  /**
   * The child workers' lease; each kill or freeze costs the test one lease. 5 s: one second lost the
   * lease to a child JVM starved on a loaded machine, and 3 s did at a load of 25 on two cores.
   */
  protected Duration childLease() {
    return Duration.ofSeconds(5);
  }
}
