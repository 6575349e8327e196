package dev.spindle.thumbnails.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacedWriterTest {
  @Test
  void throttleArithmetic() {
    Throttle t = new Throttle(1_000_000); // 1 MB/s
    assertThat(t.delayNanos(500_000, 0)).isEqualTo(500_000_000L);
    assertThat(t.delayNanos(500_000, 200_000_000L)).isEqualTo(300_000_000L);
    assertThat(t.delayNanos(500_000, 900_000_000L)).isZero();
    assertThat(t.transferNanos(3_000_000)).isEqualTo(3_000_000_000L);
    assertThat(new Throttle(0).delayNanos(1 << 30, 0)).isZero();
  }

  @Test
  void bodyTakesSizeOverBandwidthOnAFakeClock() throws Exception {
    AtomicLong now = new AtomicLong();
    AtomicLong slept = new AtomicLong();
    PacedWriter w = new PacedWriter(new Throttle(2_000_000), now::get, nanos -> {
      slept.addAndGet(nanos);
      now.addAndGet(nanos);
    });
    byte[] data = new byte[3_000_000];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunks = w.write(out, data, 0, data.length);
    assertThat(out.size()).isEqualTo(3_000_000);
    // The last chunk may go as soon as everything before it is due: 3 MB at 2 MB/s minus one chunk.
    long chunk = new Throttle(2_000_000).chunkSize();
    assertThat(slept.get()).isEqualTo((long) ((3_000_000 - chunk) * 1e9 / 2_000_000));
    assertThat(chunks).isEqualTo((int) Math.ceil(3_000_000.0 / chunk));
  }

  @Test
  void unlimitedBandwidthNeverSleeps() throws Exception {
    AtomicLong slept = new AtomicLong();
    PacedWriter w = new PacedWriter(new Throttle(0), () -> 0L, slept::addAndGet);
    w.write(new ByteArrayOutputStream(), new byte[1_000_000], 0, 1_000_000);
    assertThat(slept.get()).isZero();
  }

  @Test
  void timeAlreadySpentCountsTowardsTheBudget() throws Exception {
    // A slow writer (each write takes 10 ms of fake time) at a generous bandwidth never waits.
    AtomicLong now = new AtomicLong();
    AtomicLong slept = new AtomicLong();
    PacedWriter w = new PacedWriter(new Throttle(100_000_000), now::get, slept::addAndGet);
    java.io.OutputStream slow = new java.io.OutputStream() {
      @Override
      public void write(int b) {}

      @Override
      public void write(byte[] b, int off, int len) {
        now.addAndGet(10_000_000);
      }
    };
    w.write(slow, new byte[1_000_000], 0, 1_000_000);
    assertThat(slept.get()).isZero();
  }
}
