package dev.spindle.examples.race;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskContext;
import dev.spindle.TaskRegistry;
import dev.spindle.process.SharedCounter;
import dev.spindle.process.SharedLock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The BankAccount race's task: apply {@code amount} to a shared balance {@code times} times, in the
 * chosen {@link Guarding}. The balance is a {@link SharedCounter} (memory shared by threads and by
 * processes alike), so the same task races on threads, virtual threads and child JVMs.
 */
public final class BankTasks implements TaskCatalog {
  /** {@code bank.transact}: returns how long its transactions took, in nanoseconds. */
  public static final Task<Transactions, Long> TRANSACT =
      Task.withContext("bank.transact", Transactions.class, Long.class, BankTasks::transact);

  /** A portable registry holding this catalog. */
  public static final TaskRegistry REGISTRY = TaskRegistry.of(BankTasks.class);

  /** Public for {@link TaskRegistry}'s reflective construction. */
  public BankTasks() {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(TRANSACT);
  }

  /**
   * One party's transactions.
   *
   * @param account the shared balance
   * @param lock the lock for {@link Guarding#LOCK}
   * @param startLine a counter every party increments, then waits until all {@code parties} arrived,
   *     so that the transactions really overlap
   * @param parties how many tasks start together
   * @param amount added each time (negative to withdraw)
   * @param times how many transactions
   * @param guarding how the balance is updated
   */
  public record Transactions(SharedCounter.Descriptor account, SharedLock.Descriptor lock,
      SharedCounter.Descriptor startLine, int parties, long amount, int times, Guarding guarding) {
    public Transactions {
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(lock, "lock");
      Objects.requireNonNull(startLine, "startLine");
      Objects.requireNonNull(guarding, "guarding");
      if (times < 0 || parties < 1) {
        throw new IllegalArgumentException("times must be >= 0 and parties >= 1");
      }
    }
  }

  static Long transact(Transactions t, TaskContext ctx) {
    SharedCounter account = SharedCounter.open(t.account());
    SharedLock lock = SharedLock.open(t.lock());
    SharedCounter start = SharedCounter.open(t.startLine());
    start.incrementAndGet();
    while (start.get() < t.parties()) {
      ctx.checkCancelled();
      Thread.onSpinWait();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < t.times(); i++) {
      switch (t.guarding()) {
        case NONE -> account.set(account.get() + t.amount());
        case LOCK -> {
          try (SharedLock.Guard g = lock.acquire()) {
            account.set(account.get() + t.amount());
          }
        }
        case ATOMIC -> account.getAndAdd(t.amount());
      }
    }
    return System.nanoTime() - t0;
  }
}
