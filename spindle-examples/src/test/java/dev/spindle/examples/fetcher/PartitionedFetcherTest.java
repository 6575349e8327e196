package dev.spindle.examples.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.coordination.Coordinator;
import dev.spindle.coordination.RegisterValue;
import dev.spindle.examples.internal.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's fetcher over a partitioned group: one worker, then two, then one killed with
 * {@code kill -9}: every URL is fetched, never by two workers at the same time, and only a page the
 * killed worker was fetching is fetched again.
 */
class PartitionedFetcherTest {
  private static final String HEARTBEAT_MS = "300";

  @TempDir
  Path dir;

  private HttpServer server;
  private final Map<String, List<String>> fetchedBy = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ChildJvm c : children) {
      if (c.isAlive()) {
        c.kill();
      }
    }
    if (server != null) {
      server.stop(0);
    }
  }

  private String startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/page/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      AtomicInteger n = inFlight.computeIfAbsent(path, p -> new AtomicInteger());
      maxInFlight.accumulateAndGet(n.incrementAndGet(), Math::max);
      try {
        byte[] body = ("<html>" + path + "</html>").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        fetchedBy.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
            .add(exchange.getRequestHeaders().getFirst("X-Fetcher"));
      } finally {
        n.decrementAndGet();
        exchange.close();
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/page/";
  }

  /** A thread-safe sink for a child's output. */
  private static final class Out {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    boolean contains(String s) {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8).contains(s);
      }
    }
  }

  private ChildJvm worker(Path db, Path frontier, String id, Out out) {
    ChildJvm c = ChildJvm.start("fetcher-" + id, PartitionedFetcher.class,
        List.of("--enable-native-access=ALL-UNNAMED", "-Xmx96m"),
        List.of(db.toString(), "fetchers", id, frontier.toString(), HEARTBEAT_MS), out.stream);
    children.add(c);
    return c;
  }

  private static void add(Path frontier, String base, int from, int to) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append(base).append(i).append('\n');
    }
    Files.writeString(frontier, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private long fetchedAmong(int from, int to, String who) {
    return IntStream.range(from, to).filter(i -> {
      List<String> by = fetchedBy.get("/page/" + i);
      return by != null && (who == null || by.contains(who));
    }).count();
  }

  @Test
  void oneWorkerThenTwoThenOneKilledFetchEveryUrlByOneOwnerAtATime() throws Exception {
    String base = startServer();
    Path db = dir.resolve("group.db");
    Path frontier = dir.resolve("frontier.txt");
    Files.writeString(frontier, "");
    Out outA = new Out();
    Out outB = new Out();
    try (Coordinator observer = Coordinator.builder().sqlite(db).build()) {
      // one worker
      worker(db, frontier, "a", outA);
      await().atMost(Duration.ofSeconds(60)).until(() -> outA.contains("a: ring now [a]"));
      add(frontier, base, 0, 100);
      await().atMost(Duration.ofSeconds(60)).until(() -> fetchedAmong(0, 100, null) == 100);
      assertThat(fetchedAmong(0, 100, "a")).isEqualTo(100);

      // two workers: the ring splits the next pages between them
      ChildJvm b = worker(db, frontier, "b", outB);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> outA.contains("a: ring now [a, b]") && outB.contains("b: ring now [a, b]"));
      add(frontier, base, 100, 200);
      await().atMost(Duration.ofSeconds(60)).until(() -> fetchedAmong(100, 200, null) == 100);
      assertThat(fetchedAmong(100, 200, "a")).isBetween(20L, 80L);
      assertThat(fetchedAmong(100, 200, "b")).isBetween(20L, 80L);

      // kill -9 the second while it works: its pages go back to the first once it expires
      add(frontier, base, 200, 400);
      await().atMost(Duration.ofSeconds(60)).until(() -> fetchedAmong(200, 400, "b") >= 5);
      b.kill();
      await().atMost(Duration.ofSeconds(60)).until(() -> outA.contains("a: ring now [a]\n")
          && fetchedAmong(200, 400, null) == 200);
      await().atMost(Duration.ofSeconds(60)).until(() -> IntStream.range(0, 400)
          .allMatch(i -> observer.register("fetched:" + base + i).read().isPresent()));

      assertThat(maxInFlight.get()).as("never two fetches of one page at a time").isEqualTo(1);
      long twice = fetchedBy.values().stream().filter(l -> l.size() > 1).count();
      assertThat(twice).as("only a page the killed worker was fetching is fetched again").isLessThanOrEqualTo(1);
      Optional<RegisterValue> sample = observer.register("fetched:" + base + 399).read();
      assertThat(sample).isPresent().get().extracting(RegisterValue::value).asString().endsWith(" 200");
      System.out.printf("fetcher: 400 pages; a %d, b %d (killed after its 5th page of the last 200); fetched twice %d%n",
          fetchedAmong(0, 400, "a"), fetchedAmong(0, 400, "b"), twice);
    }
  }
}
