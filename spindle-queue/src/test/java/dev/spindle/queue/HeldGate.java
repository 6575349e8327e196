package dev.spindle.queue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds whichever thread passes it until the test lets it go on: job code (an argument's
 * constructor, a result's getter) that the worker runs at a moment a test wants to look at.
 * Records which thread passed. Thread-safe; one use.
 */
final class HeldGate {
  /** Counted down when a thread reaches the gate. */
  final CountDownLatch reached = new CountDownLatch(1);
  /** Counted down by the test to let it go on. */
  final CountDownLatch goOn = new CountDownLatch(1);
  /** The name of the thread that reached it; empty before. */
  volatile String thread = "";

  /** Waits here (at most 30 s) until the test lets the calling thread go on. */
  void pass() {
    thread = Thread.currentThread().getName();
    reached.countDown();
    try {
      goOn.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
