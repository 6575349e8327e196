package dev.spindle.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The control server's accept loop on a real unix domain socket, with accept failures (EMFILE: too
 * many open files) injected between real accepts and the waits between retries recorded instead of
 * slept.
 */
class ControlServerTest {
  @TempDir
  Path dir;

  /** Connects, sends one message and returns the reply: the server accepted and served it. */
  private static JsonNode roundTrip(Path socket) throws IOException {
    try (LineChannel ch = LineChannel.connect(socket)) {
      JsonLines.write(ch, JsonLines.object().put("op", "ping"));
      return JsonLines.read(ch);
    }
  }

  @Test
  void failingAcceptsBackOffUpToASecondLogOncePerBurstAndAcceptingResumes() throws Exception {
    Deque<Boolean> failNext = new ArrayDeque<>();
    for (int i = 0; i < 12; i++) {
      failNext.add(true);
    }
    failNext.add(false); // the first client
    for (int i = 0; i < 3; i++) {
      failNext.add(true);
    }
    List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
    ControlServer.Acceptor accept = server -> {
      Boolean fail;
      synchronized (failNext) {
        fail = failNext.poll();
      }
      if (fail != null && fail) {
        throw new IOException("Too many open files");
      }
      return server.accept();
    };
    Path socket = dir.resolve("c.sock");
    try (ControlServer cs = ControlServer.start(socket, (c, m) -> ControlServer.ok(), "test", accept, pauses::add)) {
      assertThat(roundTrip(socket).path("ok").asBoolean()).as("accepting resumed after 12 failures").isTrue();
      assertThat(roundTrip(socket).path("ok").asBoolean()).as("and after 3 more").isTrue();
      long ms = Duration.ofMillis(1).toNanos();
      assertThat(pauses).as("a growing wait after each failure, at most 1 s, starting over after a success")
          .containsExactly(10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, 1000 * ms, 1000 * ms,
              1000 * ms, 1000 * ms, 1000 * ms, 10 * ms, 20 * ms, 40 * ms);
      assertThat(cs.failureBursts()).as("one warning per burst of failures").isEqualTo(2);
    }
  }
}
