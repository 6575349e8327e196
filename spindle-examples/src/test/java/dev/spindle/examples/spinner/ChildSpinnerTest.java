package dev.spindle.examples.spinner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.examples.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The spinner in child JVMs: a process spinner, and the single-carrier (coroutine) lesson. */
class ChildSpinnerTest {
  private static final Pattern FRAMES_DURING_SLOW = Pattern.compile("spinner frames while slow\\(\\) ran: (\\d+)");

  /** Collects output and counts spinner frames ({@code \r} followed by a frame character) as they arrive. */
  static final class FrameCountingStream extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CountDownLatch frames;
    boolean afterCr;

    FrameCountingStream(int frames) {
      this.frames = new CountDownLatch(frames);
    }

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      if (afterCr && Spinner.FRAMES.indexOf(b) >= 0) {
        frames.countDown();
      }
      afterCr = b == '\r';
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void processSpinnerDrawsFramesInTheChildUntilStopped() throws Exception {
    FrameCountingStream sink = new FrameCountingStream(3);
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    ProcessSpinner spinner = new ProcessSpinner("thinking!", out, Duration.ofMillis(10));
    SpinnerDemo.Outcome outcome = SpinnerDemo.supervise(spinner, () -> {
      assertThat(sink.frames.await(60, TimeUnit.SECONDS)).as("3 frames from the child").isTrue();
      return Slow.ANSWER;
    }, out, Ticker.system());

    assertThat(outcome.answer()).isEqualTo(42);
    assertThat(outcome.framesDuringSlow()).isEmpty();
    String text = sink.text();
    assertThat(text).startsWith("spinner object: Process[name=Process-")
        .contains("(spin), parent=" + ProcessHandle.current().pid() + ", state=NEW]\n")
        .contains("\r\\ thinking!\r| thinking!\r/ thinking!")
        .endsWith("\r" + " ".repeat(12) + "\r");
    assertThat(spinner.toString()).contains("state=TERMINATED, exitcode=0");
  }

  @Test
  void aCpuBoundSlowFreezesTheSpinnerOnASingleCarrier() throws Exception {
    String text = runCoroutine(SpinnerDemo.Options.defaults().withModel(SpinnerModel.COROUTINE)
        .withPrime(9_999_999_999_999_917L, false).withFrameInterval(Duration.ofMillis(1)).withTiming(true));

    assertThat(text).startsWith("spinner object: VirtualThread[name=Task-2 (spin), state=NEW, carriers=1]\n");
    assertThat(framesDuringSlow(text)).isZero();
    assertThat(text).doesNotContain("\r"); // the spinner never appeared at all
    assertThat(text).contains("Answer: 42\n");
  }

  @Test
  void nappingEvery50000IterationsKeepsTheSpinnerAlive() throws Exception {
    String text = runCoroutine(SpinnerDemo.Options.defaults().withModel(SpinnerModel.COROUTINE)
        .withPrime(9_999_999_999_999_917L, true).withFrameInterval(Duration.ofMillis(1)).withTiming(true));

    assertThat(framesDuringSlow(text)).isGreaterThanOrEqualTo(2);
    assertThat(text).contains("\r\\ thinking!\r| thinking!").contains("Answer: 42\n");
  }

  @Test
  void aSleepingSlowLetsTheSpinnerRunOnASingleCarrier() throws Exception {
    // Thread.sleep parks a virtual thread, like "await asyncio.sleep(3)": the carrier is free.
    FrameCountingStream sink = new FrameCountingStream(0);
    SpinnerDemo.run(SpinnerDemo.Options.defaults().withModel(SpinnerModel.COROUTINE)
        .withSleep(Duration.ofMillis(300)).withFrameInterval(Duration.ofMillis(1)).withTiming(true),
        new PrintStream(sink, true, StandardCharsets.UTF_8));
    assertThat(framesDuringSlow(sink.text())).isGreaterThanOrEqualTo(2);
  }

  private static String runCoroutine(SpinnerDemo.Options options) throws InterruptedException {
    FrameCountingStream sink = new FrameCountingStream(0);
    SpinnerDemo.Outcome o = SpinnerDemo.run(options, new PrintStream(sink, true, StandardCharsets.UTF_8));
    assertThat(o.answer()).isEqualTo(42);
    return sink.text();
  }

  private static long framesDuringSlow(String text) {
    Matcher m = FRAMES_DURING_SLOW.matcher(text);
    assertThat(m.find()).as("timing line in %s", text).isTrue();
    return Long.parseLong(m.group(1));
  }
}
