package dev.spindle.cli.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code ./spindle basics}: each of the texts' smallest programs prints what the text shows. */
class BasicsCommandTest {
  @Test
  void fibonacciThread() {
    CliRun r = CliRun.of("basics", "fibonacci-thread", "-n", "30");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("fibonacci(30) = 832040, computed in fibonacci-30");
    assertThat(CliRun.of("basics", "fibonacci-thread", "-n", "93").code()).isEqualTo(2);
  }

  @Test
  void threadingStartPrintsBothInEitherOrder() {
    CliRun r = CliRun.of("basics", "threading-start");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).isIn("hellothread started", "thread startedhello");
  }

  @Test
  void appendTwoNeverCorruptsTheList() {
    CliRun r = CliRun.of("basics", "append-two");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).isIn("[1, 2]", "[2, 1]");
  }

  @Test
  void loadUrlCatchesTheMissingPagesExceptionAroundResult() {
    CliRun r = CliRun.of("basics", "load-url");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("'http://127\\.0\\.0\\.1:\\d+/' page is 54 bytes")
        .containsPattern("'http://127\\.0\\.0\\.1:\\d+/this-page-does-not-exist' generated an exception: HTTP 404");
  }

  @Test
  void generateHashMapsOnChildJvmsInInputOrder() {
    CliRun r = CliRun.of("basics", "generate-hash");
    assertThat(r.code()).as(r.err()).isZero();
    // sha256("Spindle") and sha256("thread"), in input order
    assertThat(r.out().lines().toList()).hasSize(4);
    assertThat(r.out().lines().toList().get(0)).startsWith("Spindle ").endsWith(sha256("Spindle"));
    assertThat(r.out().lines().toList().get(1)).startsWith("thread ").endsWith(sha256("thread"));
    assertThat(CliRun.of("basics", "no-such-program").code()).isEqualTo(2);
  }

  @Test
  void aDuplexPipeCarriesTheTupleAndTheReplyBetweenProcesses() {
    CliRun r = CliRun.of("basics", "pipe");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("sent \\(\"hello\", ([1-9])\\); make_string in another process sent back (hello)+");
    String line = r.out().strip();
    int times = Integer.parseInt(line.replaceAll("(?s).*\"hello\", (\\d)\\).*", "$1"));
    assertThat(line).endsWith(" " + "hello".repeat(times));
  }

  private static String sha256(String s) throws RuntimeException {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
