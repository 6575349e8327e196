package dev.spindle.examples.spinner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** spinner_async, its experiment, the quiz and the nap on the COROUTINE model's event loop. */
class AsyncSpinnerTest {
  private static final Pattern TIMING =
      Pattern.compile("slow\\(\\) took ([0-9.]+)s; spinner frames while slow\\(\\) ran: (\\d+)");
  private static final SpinnerDemo.Options BASE = SpinnerDemo.Options.defaults().withModel(SpinnerModel.COROUTINE)
      .withFrameInterval(Duration.ofMillis(1)).withTiming(true);

  @Test
  void anAwaitedSleepLetsTheSpinnerRun() throws Exception {
    SpinnerDemo.Options o = new SpinnerDemo.Options(SpinnerModel.COROUTINE, Slow.Kind.ASYNC_SLEEP,
        Duration.ofMillis(300), 0, false, "thinking!", Duration.ofMillis(1), true);
    String text = run(o);
    assertThat(text).startsWith("spinner object: <Task pending name='Task-2'>\n")
        .contains("\r\\ thinking!\r| thinking!").contains("\r" + " ".repeat(12) + "\rAnswer: 42\n");
    assertThat(frames(text)).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aBlockingSleepFreezesTheLoopAndTheSpinnerNeverAppears() throws Exception {
    String text = run(BASE.withSleep(Duration.ofMillis(300)));
    assertThat(text).startsWith("spinner object: <Task pending name='Task-2'>\n");
    assertThat(text).doesNotContain("\r"); // the spin body never ran: cancelled before its first step
    assertThat(frames(text)).isZero();
    assertThat(seconds(text)).isGreaterThanOrEqualTo(0.29);
    assertThat(text).contains("Answer: 42\n");
  }

  @Test
  void aCpuBoundSlowFreezesTheSpinnerAndNappingRevivesIt() throws Exception {
    String frozen = run(BASE.withPrime(9_999_999_999_999_917L, false));
    assertThat(frames(frozen)).isZero();
    assertThat(frozen).doesNotContain("\r");
    String napping = run(BASE.withPrime(9_999_999_999_999_917L, true));
    assertThat(frames(napping)).isGreaterThanOrEqualTo(2);
    assertThat(napping).contains("\r\\ thinking!\r| thinking!").contains("Answer: 42\n");
  }

  @Test
  void anAwaitedSleepIsRefusedOffTheLoop() {
    assertThatThrownBy(() -> new SpinnerDemo.Options(SpinnerModel.THREADS, Slow.Kind.ASYNC_SLEEP,
        Duration.ofMillis(1), 0, false, "x", Duration.ofMillis(1), false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coroutine model");
  }

  private static String run(SpinnerDemo.Options o) throws InterruptedException {
    ChildSpinnerTest.FrameCountingStream sink = new ChildSpinnerTest.FrameCountingStream(0);
    SpinnerDemo.Outcome outcome = SpinnerDemo.run(o, new PrintStream(sink, true, StandardCharsets.UTF_8));
    assertThat(outcome.answer()).isEqualTo(42);
    return sink.text();
  }

  private static long frames(String text) {
    Matcher m = TIMING.matcher(text);
    assertThat(m.find()).as("timing line in %s", text).isTrue();
    return Long.parseLong(m.group(2));
  }

  private static double seconds(String text) {
    Matcher m = TIMING.matcher(text);
    assertThat(m.find()).as("timing line in %s", text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
