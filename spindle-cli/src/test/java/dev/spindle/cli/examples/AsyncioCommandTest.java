package dev.spindle.cli.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code ./spindle asyncio}, and the coroutine model in {@code spinner} and {@code primes}. */
class AsyncioCommandTest {
  @Test
  void helloPrintsHelloThenWorldThenTheChain() {
    CliRun r = CliRun.of("asyncio", "hello");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly("Hello", "World", "perform_task: awaiting subtask1",
        "perform_task: subtask1 done; awaiting subtask2", "perform_task: subtask2 done");
  }

  @Test
  void runInExecutorAndWaitTimeout() {
    CliRun r = CliRun.of("asyncio", "run-in-executor");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("done: 6, pending: 0; results [0, 1, 4, 9, 16, 25]")
        .contains("factorial(30) = 265252859812191058636308480000000   (in a child JVM)");
    CliRun w = CliRun.of("asyncio", "wait-timeout");
    assertThat(w.code()).as(w.err()).isZero();
    assertThat(w.out()).contains("done: [item 0, item 1]").contains("pending: [get_item-2, get_item-3]");
    assertThat(CliRun.of("asyncio", "no-such-program").code()).isEqualTo(2);
  }

  @Test
  void theSpinnerExperimentAndPrimesOnTheLoop() {
    CliRun s = CliRun.of("spinner", "--model", "coroutine", "--slow", "sleep", "--seconds", "0.5", "--timing");
    assertThat(s.code()).as(s.err()).isZero();
    // slow() blocks the loop for its whole half second (wall time, so at least 0.50 s), and the
    // spinner, which shares the loop, draws nothing meanwhile.
    assertThat(s.out()).startsWith("spinner object: <Task pending name='Task-2'>\nAnswer: 42\n");
    Matcher took = Pattern.compile("slow\\(\\) took (\\d+\\.\\d\\d)s; spinner frames while slow\\(\\) ran: 0\n$")
        .matcher(s.out());
    assertThat(took.find()).as(s.out()).isTrue();
    assertThat(s.out().lines()).hasSize(3);
    assertThat(Double.parseDouble(took.group(1))).isGreaterThanOrEqualTo(0.50);
    CliRun p = CliRun.of("primes", "--model", "coroutine");
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(p.out()).startsWith("Checking 20 numbers as coroutines on one event loop:\n").contains("20 checks in ");
    assertThat(CliRun.of("spinner", "--model", "threads", "--slow", "async-sleep").code()).isEqualTo(2);
  }
}
