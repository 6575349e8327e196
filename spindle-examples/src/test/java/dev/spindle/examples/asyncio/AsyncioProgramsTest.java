package dev.spindle.examples.asyncio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AsyncioProgramsTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helloAwaitsTheSleepAndChainsSubtasksInOrder() {
    AsyncioPrograms.hello(out);
    assertThat(text().lines()).containsExactly("Hello", "World", "perform_task: awaiting subtask1",
        "perform_task: subtask1 done; awaiting subtask2", "perform_task: subtask2 done");
  }

  @Test
  void threeWorkersRunSixBlockingFunctionsInTwoRoundsWhileTheLoopRuns() {
    long ticks = AsyncioPrograms.runInExecutor(out, true);
    String t = text();
    assertThat(t).contains("done: 6, pending: 0; results [0, 1, 4, 9, 16, 25]");
    double total = Double.parseDouble(t.lines().filter(l -> l.contains("done: 6")).findFirst().orElseThrow()
        .trim().split("s ")[0]);
    assertThat(total).as("6 x 1 s on 3 threads").isBetween(1.9, 5.0);
    assertThat(ticks).as("the loop kept running").isGreaterThan(20);
    assertThat(t).contains("factorial(20) = 2432902008176640000   (in a child JVM)")
        .contains("factorial(30) = 265252859812191058636308480000000");
  }

  @Test
  void waitWithATwoSecondTimeoutReturnsTwoAndCancelsTwo() {
    assertThat(AsyncioPrograms.waitTimeout(out)).isEqualTo(2);
    assertThat(text()).contains("done: [item 0, item 1]").contains("pending: [get_item-2, get_item-3]")
        .contains("get_item(2) cancelled: cleaning up").contains("get_item(3) cancelled: cleaning up");
  }

  @Test
  void theEchoServerServesClientsConcurrentlyOnOneLoop() throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread server = Thread.ofPlatform().start(() -> AsyncioPrograms.yellEchoServer(0, 2, out, port::complete));
    int p = port.get(30, TimeUnit.SECONDS);
    try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), p)) {
      // a client that connected and says nothing does not hold the loop
      assertThat(AsyncioPrograms.yellClient(p, "hello world")).isEqualTo("HELLO WORLD");
      idle.getOutputStream().write("late\n".getBytes(StandardCharsets.UTF_8));
      byte[] reply = idle.getInputStream().readNBytes(5);
      assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("LATE\n");
    }
    server.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(server.isAlive()).isFalse();
    assertThat(text()).startsWith("Serving on 127.0.0.1:" + p).contains("Connection from /127.0.0.1:");
  }
}
