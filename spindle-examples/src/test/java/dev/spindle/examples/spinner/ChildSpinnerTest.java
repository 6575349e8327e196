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
import org.junit.jupiter.api.Test;

/** The spinner in a child JVM. */
class ChildSpinnerTest {
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
}
