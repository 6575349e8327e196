package dev.spindle.examples.spinner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.examples.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpinnerTest {
  /** A signal that times out {@code timeouts} times, recording each requested wait, then reports set. */
  static final class ScriptedSignal implements StopSignal {
    final List<Duration> waits = new ArrayList<>();
    int timeouts;
    boolean set;

    ScriptedSignal(int timeouts) {
      this.timeouts = timeouts;
    }

    @Override
    public boolean await(Duration timeout) {
      waits.add(timeout);
      if (timeouts-- > 0) {
        return false;
      }
      set = true;
      return true;
    }

    @Override
    public boolean isSet() {
      return set;
    }

    @Override
    public void set() {
      set = true;
    }
  }

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    out.flush();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void cyclesBackslashBarSlashDashThenClearsTheLine() {
    ScriptedSignal done = new ScriptedSignal(5);
    AtomicLong now = new AtomicLong(1_000);
    List<Long> stamps = new ArrayList<>();
    Ticker ticker = () -> now.getAndAdd(100_000_000L);
    Spinner spinner = new Spinner("thinking!", done, out, Duration.ofMillis(100), ticker, stamps::add);

    spinner.run();

    String blanks = " ".repeat("\r\\ thinking!".length()); // len(status) counts the \r, as in Python
    assertThat(output()).isEqualTo("\r\\ thinking!\r| thinking!\r/ thinking!\r- thinking!\r\\ thinking!"
        + "\r| thinking!\r" + blanks + "\r");
    assertThat(blanks).hasSize(12);
    assertThat(done.waits).hasSize(6).allMatch(d -> d.equals(Duration.ofMillis(100)));
    assertThat(stamps).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(spinner.frames()).isEqualTo(6);
    assertThat(spinner.lastFrameNanos()).isEqualTo(1_000 + 5 * 100_000_000L);
  }

  @Test
  void frameTextsMatchThePythonFString() {
    assertThat(Spinner.frame(0, "thinking!")).isEqualTo("\r\\ thinking!");
    assertThat(Spinner.frame(1, "thinking!")).isEqualTo("\r| thinking!");
    assertThat(Spinner.frame(2, "thinking!")).isEqualTo("\r/ thinking!");
    assertThat(Spinner.frame(3, "thinking!")).isEqualTo("\r- thinking!");
    assertThat(Spinner.frame(4, "thinking!")).isEqualTo("\r\\ thinking!");
    assertThat(Spinner.clearing("\r- hi")).isEqualTo("\r     \r");
  }

  @Test
  void aSpinnerStoppedBeforeItsFirstStepPrintsNothing() {
    ScriptedSignal done = new ScriptedSignal(0);
    done.set();
    Spinner spinner = new Spinner("thinking!", done, out);
    spinner.run();
    assertThat(output()).isEmpty();
    assertThat(spinner.frames()).isZero();
    assertThat(done.waits).isEmpty();
  }

  @Test
  void anInterruptedSpinnerClearsItsLineAndKeepsTheFlag() throws Exception {
    LocalStopSignal done = new LocalStopSignal();
    CountDownLatch firstFrame = new CountDownLatch(1);
    Spinner spinner = new Spinner("x", done, out, Duration.ofDays(1), Ticker.system(), n -> firstFrame.countDown());
    boolean[] interruptedAfter = new boolean[1];
    Thread t = Thread.ofPlatform().start(() -> {
      spinner.run();
      interruptedAfter[0] = Thread.currentThread().isInterrupted();
    });
    assertThat(firstFrame.await(10, TimeUnit.SECONDS)).isTrue();
    t.interrupt();
    t.join();
    assertThat(output()).isEqualTo("\r\\ x\r    \r");
    assertThat(interruptedAfter[0]).isTrue();
  }

  /** Counts only the frames drawn after slow() began: frames before it are drained first. */
  private static int awaitThenAnswer(Semaphore frames) throws InterruptedException {
    frames.drainPermits();
    assertThat(frames.tryAcquire(5, 30, TimeUnit.SECONDS)).as("the spinner drew 5 frames while slow() ran").isTrue();
    return Slow.ANSWER;
  }

  @Test
  void keepsDrawingFramesWhileSlowRunsOnAThread() throws Exception {
    // slow() returns only once the spinner drew 5 frames while it ran: no sleeps, no timing guess.
    Semaphore fiveFrames = new Semaphore(0);
    ThreadSpinner handle = ThreadSpinner.platform("thinking!", out, Duration.ofMillis(5), Ticker.system(),
        n -> fiveFrames.release());
    SpinnerDemo.Outcome outcome = SpinnerDemo.supervise(handle, () -> awaitThenAnswer(fiveFrames), out,
        Ticker.system());

    assertThat(outcome.answer()).isEqualTo(42);
    assertThat(outcome.framesDuringSlow().orElseThrow()).isGreaterThanOrEqualTo(5);
    assertThat(handle.thread().isAlive()).isFalse();
    String text = output();
    assertThat(text).startsWith("spinner object: Thread[name=Thread-").contains(" (spin), state=NEW]\n");
    assertThat(text).contains("\r\\ thinking!\r| thinking!\r/ thinking!\r- thinking!\r\\ thinking!");
    assertThat(text).endsWith("\r" + " ".repeat(12) + "\r");
  }

  @Test
  void keepsDrawingFramesWhileSlowRunsOnAVirtualThread() throws Exception {
    Semaphore fiveFrames = new Semaphore(0);
    ThreadSpinner handle = ThreadSpinner.virtual("thinking!", out, Duration.ofMillis(5), Ticker.system(),
        n -> fiveFrames.release());
    SpinnerDemo.Outcome outcome = SpinnerDemo.supervise(handle, () -> awaitThenAnswer(fiveFrames), out,
        Ticker.system());
    assertThat(outcome.framesDuringSlow().orElseThrow()).isGreaterThanOrEqualTo(5);
    assertThat(output()).startsWith("spinner object: VirtualThread[name=VirtualThread-");
  }
}
