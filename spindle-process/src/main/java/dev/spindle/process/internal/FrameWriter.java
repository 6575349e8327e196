package dev.spindle.process.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes frames to a stream from its own daemon thread, batching: every frame queued while the
 * previous batch was being written goes out in one write and one flush, so many small tasks cost
 * few system calls. Thread-safe.
 */
final class FrameWriter {
  private final BufferedOutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final Consumer<IOException> onError;
  private List<byte[]> pending = new ArrayList<>();
  private List<byte[]> spare = new ArrayList<>();
  private boolean closing;
  private final Thread thread;

  FrameWriter(OutputStream out, String threadName, Consumer<IOException> onError) {
    this.out = new BufferedOutputStream(out, 1 << 16);
    this.onError = onError;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a frame; returns at once. Frames queued after {@link #close()} are dropped. */
  void send(byte[] frame) {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      pending.add(frame);
      if (pending.size() == 1) {
        ready.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Writes what is queued, then closes the stream. Returns at once. */
  void close() {
    lock.lock();
    try {
      closing = true;
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the writer thread has written everything and closed the stream. */
  void awaitClosed(long millis) throws InterruptedException {
    thread.join(millis);
  }

  private void run() {
    try {
      while (true) {
        List<byte[]> batch;
        boolean last;
        lock.lock();
        try {
          while (pending.isEmpty() && !closing) {
            ready.awaitUninterruptibly();
          }
          batch = pending;
          pending = spare;
          spare = batch;
          last = closing;
        } finally {
          lock.unlock();
        }
        for (byte[] f : batch) {
          out.write(f);
        }
        batch.clear();
        out.flush();
        if (last) {
          lock.lock();
          try {
            if (!pending.isEmpty()) {
              continue;
            }
          } finally {
            lock.unlock();
          }
          out.close();
          return;
        }
      }
    } catch (IOException e) {
      lock.lock();
      try {
        closing = true;
        pending.clear();
      } finally {
        lock.unlock();
      }
      onError.accept(e);
    }
  }
}
