package dev.spindle.examples.locking;

import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.FencedLock;
import dev.spindle.coordination.FencedRegister;
import dev.spindle.coordination.Lease;
import dev.spindle.supervisor.Service;
import dev.spindle.supervisor.ServiceContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A supervised service whose workers take turns through one fenced lock: each worker, in a loop,
 * acquires the lock (waiting up to a second), works {@code workMillis}, reads the shared counter (a fenced register, reading under its lease's token), writes
 * it plus one under its lease's token, prints {@code wrote <n> token <t> pid <pid>}, releases,
 * and pauses {@code pauseMillis}. The loop ends at {@code target} or when the master asks to stop.
 * A worker killed while holding the lock is respawned by the master; the others get the lock once
 * its lease expires, and a write it might still try after a pause is refused by the fence.
 */
public final class LockingService extends Service {
  /**
   * Arguments.
   *
   * @param sqliteFile the coordination store (processes of one host)
   * @param lock the lock's name
   * @param counter the register's name
   * @param leaseMillis the lease duration
   * @param target the count at which the workers stop working (and idle until stopped)
   * @param workMillis how long a turn's work takes (while holding the lock)
   * @param pauseMillis the pause between turns
   */
  public record Args(String sqliteFile, String lock, String counter, long leaseMillis, long target,
      long workMillis, long pauseMillis) {}

  private final Args args;

  /** Built by the worker runtime. */
  public LockingService(ServiceContext context) {
    super(context);
    this.args = context.args(Args.class);
  }

  @Override
  public void run() throws InterruptedException {
    try (Coordinator c = Coordinator.builder().sqlite(Path.of(args.sqliteFile()))
        .leaseDuration(Duration.ofMillis(args.leaseMillis())).build()) {
      FencedLock lock = c.lock(args.lock());
      FencedRegister counter = c.register(args.counter());
      boolean done = false;
      while (!done && !awaitStop(Duration.ofMillis(args.pauseMillis()))) {
        Optional<Lease> got = lock.acquire(Duration.ofSeconds(1));
        if (got.isEmpty()) {
          continue;
        }
        try (Lease lease = got.get()) {
          if (awaitStop(Duration.ofMillis(args.workMillis()))) {
            break; // the work of this turn, cut short by a stop request
          }
          long n = counter.read(lease).map(v -> Long.parseLong(v.value())).orElse(0L);
          if (n >= args.target()) {
            done = true;
          } else if (counter.write(lease, Long.toString(n + 1))) {
            System.out.println("wrote " + (n + 1) + " token " + lease.token() + " pid " + pid());
          } else {
            System.out.println("rejected token " + lease.token() + " pid " + pid());
          }
        }
      }
      context().awaitStop();
    }
  }
}
