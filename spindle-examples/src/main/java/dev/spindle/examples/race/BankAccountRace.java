package dev.spindle.examples.race;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.process.SharedCounter;
import dev.spindle.process.SharedLock;
import java.util.Objects;

/**
 * The course's BankAccount race (seed-spec C7): one party deposits 100 while another withdraws 50,
 * from a balance of 0; a lost update leaves 100 (or −50) instead of 50. Here each party repeats its
 * transaction {@code times} times, at the same moment, on two workers of the chosen model.
 *
 * <p>Python's GIL makes the race rare (a thread switch must fall between the read and the store);
 * the JVM has no GIL, so two threads on two cores race all the time, and so do two processes on a
 * {@code multiprocessing.Value}-like shared counter (trap P5: {@code value += x} is not atomic).
 * Stateless.
 */
public final class BankAccountRace {
  private BankAccountRace() {}

  /**
   * The outcome.
   *
   * @param expected the balance without lost updates: {@code times × (100 − 50)}
   * @param actual the final balance
   * @param seconds the longer of the two parties' transaction loops (pool start-up excluded)
   */
  public record Outcome(Guarding guarding, long expected, long actual, double seconds) {
    /** True if no update was lost. */
    public boolean correct() {
      return expected == actual;
    }
  }

  /**
   * Starts the two-worker pool the race runs on.
   *
   * @throws IllegalArgumentException for SEQUENTIAL (one worker cannot race) or DISTRIBUTED
   */
  public static TaskExecutor startPool(ExecutionModel model) {
    if (model == ExecutionModel.SEQUENTIAL || model == ExecutionModel.DISTRIBUTED) {
      throw new IllegalArgumentException("the race needs two workers at once: use threads, virtual or processes");
    }
    return Spindle.executor(model).workers(2).name("bank").registry(BankTasks.REGISTRY).start();
  }

  /**
   * Runs deposit(100) and withdraw(50), {@code times} times each, at once, on a pool from
   * {@link #startPool} (or any pool with at least two workers and {@link BankTasks} in its registry).
   *
   * @throws IllegalArgumentException if {@code times} is below 1
   */
  public static Outcome run(TaskExecutor pool, Guarding guarding, int times) {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(guarding, "guarding");
    if (times < 1) {
      throw new IllegalArgumentException("times must be >= 1: " + times);
    }
    try (SharedCounter account = SharedCounter.create(0);
        SharedLock lock = SharedLock.create();
        SharedCounter startLine = SharedCounter.create(0)) {
      TaskFuture<Long> deposit = pool.submit(BankTasks.TRANSACT, new BankTasks.Transactions(account.descriptor(),
          lock.descriptor(), startLine.descriptor(), 2, 100, times, guarding));
      TaskFuture<Long> withdraw = pool.submit(BankTasks.TRANSACT, new BankTasks.Transactions(account.descriptor(),
          lock.descriptor(), startLine.descriptor(), 2, -50, times, guarding));
      double seconds = Math.max(deposit.result(), withdraw.result()) / 1e9;
      return new Outcome(guarding, 50L * times, account.get(), seconds);
    }
  }
}
