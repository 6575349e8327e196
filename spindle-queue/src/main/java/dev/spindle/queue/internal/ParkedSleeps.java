package dev.spindle.queue.internal;

import dev.spindle.queue.DurableRules;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Durable sleeps a virtual-thread worker waits out in place with the job's slot given back ({@link
 * DurableRules#parkedSleep}). The parked job stays in flight: the heartbeat renews its lease and its
 * timer is already recorded, so a crash leaves the wake-up to the store. Its slot takes another claim
 * meanwhile; on waking it takes a slot again <em>ahead of new claims</em> (the dispatcher counts the
 * woken jobs waiting as taken slots) and goes on with its records in memory. That saves what a
 * suspension costs: the suspending write, the later claim and the reload of the job's records. A
 * stopping worker wakes its parked jobs at once, and they suspend in the store with what is left.
 * Thread-safe.
 */
final class ParkedSleeps {
  /** How a parked sleep ended. */
  enum Woke {
    /** The sleep ran its time and the job holds a slot again. */
    ON_TIME,
    /** Not parked (parking is off here, the job has a timeout, or too many are parked): suspend. */
    REFUSED,
    /** The worker is stopping: the job holds a slot again and should suspend with what is left. */
    WORKER_STOPPING
  }

  private final WorkerRuntime rt;
  private final BooleanSupplier reserveSlot;
  private final int limit;
  private final AtomicInteger parked = new AtomicInteger();
  /** The threads parked now, for a stopping worker to wake. */
  private final ConcurrentHashMap<Thread, Boolean> sleeping = new ConcurrentHashMap<>();
  /** Woken jobs waiting for a slot, oldest first; each latch opens when it is given one. */
  private final ConcurrentLinkedQueue<CountDownLatch> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  /** Set at start: only a worker-owned executor of one virtual thread per job parks. */
  volatile boolean enabled;

  ParkedSleeps(WorkerRuntime rt, BooleanSupplier reserveSlot, DurableRules rules) {
    this.rt = rt;
    this.reserveSlot = reserveSlot;
    this.limit = rules.parkedSleep().isZero() ? 0 : rules.maxParkedSleeps();
  }

  /**
   * Sleeps {@code duration} on this thread (the job {@code f}'s) with its slot given back, then takes
   * a slot again; {@link Woke#REFUSED} at once if the job cannot park.
   *
   * @throws InterruptedException if the job was stopped meanwhile (it holds a slot again)
   */
  Woke sleep(InFlight f, Duration duration) throws InterruptedException {
    if (!enabled || rt.stopping || f.job.policy().timeout() != null || !reserveParking()) {
      return Woke.REFUSED;
    }
    Thread me = Thread.currentThread();
    sleeping.put(me, Boolean.TRUE);
    giveSlotBack();
    boolean interrupted = false;
    try {
      if (!rt.stopping) { // a stop after this finds this thread in 'sleeping' and interrupts it
        TimeUnit.NANOSECONDS.sleep(Durations.toNanos(duration));
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      sleeping.remove(me); // from here on no stop interrupts this thread (wakeAllForStop)
    }
    if (rt.stopping && !f.stopRequested()) {
      Thread.interrupted(); // the stop's wake-up, if it came after the sleep ended
      takeSlotAtOnce();
      parked.decrementAndGet();
      return Woke.WORKER_STOPPING;
    }
    if (interrupted) {
      takeSlotAtOnce();
      parked.decrementAndGet();
      throw new InterruptedException("job " + f.job.id() + " was stopped in its sleep");
    }
    takeSlot();
    return Woke.ON_TIME;
  }

  /** How many woken jobs wait for a slot: the dispatcher claims that many fewer. */
  int waitingForSlots() {
    return waitingCount.get();
  }

  /**
   * How many jobs sleep parked now. A job leaves this count only once it counts as waiting for a slot
   * or as running: read it before {@link #waitingForSlots} and the running jobs.
   */
  int parked() {
    return parked.get();
  }

  /** Gives free slots to the woken jobs that wait, oldest first. Any thread. */
  void handOutSlots() {
    while (waitingCount.get() > 0 && reserveSlot.getAsBoolean()) {
      CountDownLatch next = waiting.poll();
      if (next == null) { // the one counted was interrupted and took its slot itself
        rt.running.decrementAndGet();
        return;
      }
      waitingCount.decrementAndGet();
      next.countDown();
    }
  }

  /** A stopping worker: wakes every parked job (each then suspends in the store). */
  void wakeAllForStop() {
    for (Thread t : sleeping.keySet()) {
      sleeping.computeIfPresent(t, (thread, v) -> { // atomic with the sleeper's removal: no late interrupt
        thread.interrupt();
        return v;
      });
    }
  }

  private boolean reserveParking() {
    while (true) {
      int n = parked.get();
      if (n >= limit) {
        return false;
      }
      if (parked.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void giveSlotBack() {
    rt.running.decrementAndGet();
    handOutSlots();
    rt.wakeDispatcherIfWaiting(); // as a job's end does: it claims for the freed slot
  }

  /**
   * Takes a slot after a wait, ahead of new claims; the job stops counting as parked once it counts
   * as waiting or running.
   *
   * @throws InterruptedException if the job was stopped while it waited (it holds a slot)
   */
  private void takeSlot() throws InterruptedException {
    if (waitingCount.get() == 0 && reserveSlot.getAsBoolean()) {
      parked.decrementAndGet();
      return;
    }
    CountDownLatch given = new CountDownLatch(1);
    waiting.add(given);
    waitingCount.incrementAndGet();
    parked.decrementAndGet();
    handOutSlots();
    try {
      given.await();
    } catch (InterruptedException e) {
      if (waiting.remove(given)) {
        waitingCount.decrementAndGet();
        takeSlotAtOnce();
      }
      throw e;
    }
  }

  /** Counts the job running again without waiting: it is about to end or to suspend. */
  private void takeSlotAtOnce() {
    rt.running.incrementAndGet();
  }
}
