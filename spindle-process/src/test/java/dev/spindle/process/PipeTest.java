package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The duplex pipe: each end receives what the other sends, in order; an end attached from a
 * descriptor (as another process does) talks to the same pipe; concurrent writers on one end never
 * corrupt a message; a timed recv gives up. (A child JVM on the other end: BasicsCommandTest.)
 */
class PipeTest {
  @Test
  void eachEndReceivesWhatTheOtherSendsInOrder() throws Exception {
    try (Pipe<String> pipe = Pipe.create(String.class)) {
      pipe.left().send("ping 1");
      pipe.left().send("ping 2");
      Pipe.End<String> right = Pipe.open(pipe.right().descriptor(), String.class); // as a child attaches
      assertThat(right.recv()).isEqualTo("ping 1");
      assertThat(right.recv()).isEqualTo("ping 2");
      right.send("pong");
      assertThat(pipe.left().recv(Duration.ofSeconds(10))).isEqualTo("pong");
    }
  }

  @Test
  void twoWritersOnOneEndDoNotCorruptMessages() throws Exception {
    try (Pipe<String> pipe = Pipe.create(String.class)) {
      Pipe.End<String> a = Pipe.open(pipe.left().descriptor(), String.class);
      Pipe.End<String> b = Pipe.open(pipe.left().descriptor(), String.class);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> writers = new ArrayList<>();
      for (Pipe.End<String> end : List.of(a, b)) {
        String big = (end == a ? "A" : "B").repeat(10_000);
        writers.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
            for (int i = 0; i < 50; i++) {
              end.send(big);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      }
      go.countDown();
      for (int i = 0; i < 100; i++) {
        String m = pipe.right().recv(Duration.ofSeconds(30));
        assertThat(m).hasSize(10_000).matches("A+|B+");
      }
      for (Thread t : writers) {
        t.join();
      }
    }
  }

  @Test
  void aTimedRecvGivesUp() {
    try (Pipe<String> pipe = Pipe.create(String.class)) {
      assertThatThrownBy(() -> pipe.left().recv(Duration.ofMillis(50))).isInstanceOf(QueueEmptyException.class);
    }
  }
}
