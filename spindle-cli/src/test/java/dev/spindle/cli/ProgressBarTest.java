package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong now = new AtomicLong();

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void drawsBarCountPercentElapsedAndEstimate() {
    ProgressBar bar = new ProgressBar(out, "sweep", 4, true, now::get);
    now.set(10_000_000_000L); // 10 s later, one of four done
    bar.step("threads x1");
    assertThat(bar.line("threads x1")).isEqualTo(
        "sweep [#######---------------------] 1/4  25%  0:10 elapsed  ~0:30 left  threads x1");
    assertThat(output()).isEqualTo("\r" + bar.line("threads x1"));
  }

  @Test
  void redrawsInPlaceAndPadsShorterLines() {
    ProgressBar bar = new ProgressBar(out, "x", 2, true, now::get);
    bar.step("a long detail");
    int first = output().length();
    bar.step("");
    String second = output().substring(first);
    assertThat(second).startsWith("\rx [############################] 2/2 100%");
    assertThat(second.length() - 1).isGreaterThanOrEqualTo(first - 1); // padded over the longer line
    bar.close();
    assertThat(output()).endsWith("\n");
  }

  @Test
  void printsALinePerTenthWhenNotOnATerminal() {
    ProgressBar bar = new ProgressBar(out, "run", 100, false, now::get);
    for (int i = 0; i < 100; i++) {
      bar.step("");
    }
    bar.close();
    String[] lines = output().split("\n");
    assertThat(lines).hasSize(11); // the first step, then every tenth
    assertThat(lines[0]).startsWith("run [").contains("  1/100   1%");
    assertThat(lines[1]).contains(" 10/100  10%");
    assertThat(lines[10]).contains("100/100 100%");
    assertThat(output()).doesNotContain("\r");
  }

  @Test
  void capsAtTheTotalAndValidates() {
    ProgressBar bar = new ProgressBar(out, "x", 3, false, now::get);
    bar.advance(10, "");
    assertThat(bar.done()).isEqualTo(3);
    assertThatThrownBy(() -> bar.advance(-1, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProgressBar(out, "x", 0, false, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    bar.close();
    bar.close(); // idempotent
    bar.step("after close"); // ignored
    assertThat(output().split("\n")).hasSize(1);
  }
}
