package dev.spindle.examples.basics;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.ExecutionModel;
import dev.spindle.ResultIterator;
import dev.spindle.Spindle;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The texts' smallest programs, in Java. Each runs once and returns the lines it printed (the CLI
 * prints them; tests check them). Where Java differs from Python the line says so.
 */
public final class SmallPrograms {
  private SmallPrograms() {}

  /** The second way to make a thread: subclass {@link Thread} and override {@code run()}. */
  static final class FibonacciThread extends Thread {
    private final int n;
    private long result;

    FibonacciThread(int n) {
      super("fibonacci-" + n); // the superclass's constructor first, as the text says
      this.n = n;
    }

    @Override
    public void run() {
      long a = 0;
      long b = 1;
      for (int i = 0; i < n; i++) {
        long next = a + b;
        a = b;
        b = next;
      }
      result = a;
    }
  }

  /** The Fibonacci number of {@code n}, computed in a Thread subclass; join() publishes its field. */
  public static List<String> fibonacciThread(int n) throws InterruptedException {
    if (n < 0 || n > 92) {
      throw new IllegalArgumentException("n must be 0-92 (fibonacci(93) overflows a long): " + n);
    }
    FibonacciThread t = new FibonacciThread(n);
    t.start();
    t.join(); // join() makes the thread's writes visible here
    return List.of(String.format(Locale.ROOT, "fibonacci(%d) = %d, computed in %s", n, t.result, t.getName()));
  }

  /**
   * threading-start: a thread prints "hello" while the main thread prints "thread started"; which
   * comes first varies from run to run ({@code hellothread started} or {@code thread startedhello}).
   */
  public static List<String> threadingStart() throws InterruptedException {
    StringBuffer out = new StringBuffer(); // both threads print into one line, as print(end='') does
    Thread t = new Thread(() -> out.append("hello"));
    t.start();
    out.append("thread started");
    t.join();
    return List.of(out.toString());
  }

  /**
   * append_two: two threads append 1 and 2 to one shared list; it always ends {@code [1, 2]} or
   * {@code [2, 1]}. In Python because {@code list.append} is atomic under the GIL; in Java an
   * {@code ArrayList}'s {@code add} is not (two threads can lose an element or corrupt its size), so
   * the list is a synchronized one, whose {@code add} is.
   */
  public static List<String> appendTwo() throws InterruptedException {
    List<Integer> shared = Collections.synchronizedList(new ArrayList<>());
    Thread one = new Thread(() -> shared.add(1));
    Thread two = new Thread(() -> shared.add(2));
    one.start();
    two.start();
    one.join();
    two.join();
    return List.of(shared.toString());
  }

  /** load_url's task: the page's length in bytes; a status other than 200 is an exception. */
  static final Task<String, Integer> LOAD_URL = Task.of("basics.load-url", String.class, Integer.class, url -> {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (client) {
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode() + " for " + url);
      }
      return r.body().length;
    }
  });

  /**
   * load_url: a pool of 2 threads downloads a page that exists and one that does not; the
   * exception of the second comes out of {@code result()}, inside try/catch. The pages are served
   * from this process (a loopback HTTP server), since the text's cnn.com needs the internet.
   */
  public static List<String> loadUrl() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] page = "<html><body>Spindle: the news of the day</body></html>".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", ex -> {
      try (ex; InputStream ignored = ex.getRequestBody()) {
        if (ex.getRequestURI().getPath().equals("/")) {
          ex.sendResponseHeaders(200, page.length);
          ex.getResponseBody().write(page);
        } else {
          ex.sendResponseHeaders(404, -1);
        }
      }
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    List<String> urls = List.of(base + "/", base + "/this-page-does-not-exist");
    List<String> out = new ArrayList<>();
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(2).name("load-url")
        .registry(TaskRegistry.builder().add(LOAD_URL).build()).start()) {
      List<TaskFuture<Integer>> futures = new ArrayList<>();
      for (String url : urls) {
        futures.add(pool.submit(LOAD_URL, url));
      }
      for (int i = 0; i < urls.size(); i++) {
        try {
          out.add(String.format(Locale.ROOT, "'%s' page is %d bytes", urls.get(i), futures.get(i).result()));
        } catch (TaskFailedException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          out.add(String.format(Locale.ROOT, "'%s' generated an exception: %s", urls.get(i), cause.getMessage()));
        }
      }
    } finally {
      server.stop(0);
    }
    return out;
  }

  /**
   * The duplex pipe (make_tuple / make_string): this process sends a string and a random count 1-9
   * on its end; make_string, in a child JVM, answers on the other end with the string repeated that
   * many times. Whole messages cross (JSON over a unix socket), so unlike an OS pipe two writers on
   * one end would not corrupt each other.
   */
  public static List<String> pipe(java.util.random.RandomGenerator random) throws Exception {
    int times = 1 + random.nextInt(9);
    try (TaskExecutor pool = Spindle.executor(ExecutionModel.PROCESSES).workers(1).name("make-string")
        .registry(BasicsTasks.REGISTRY).start();
         dev.spindle.process.Pipe<BasicsTasks.Tuple> pipe = dev.spindle.process.Pipe.create(BasicsTasks.Tuple.class)) {
      TaskFuture<String> child = pool.submit(BasicsTasks.MAKE_STRING, pipe.right().descriptor());
      pipe.left().send(new BasicsTasks.Tuple("hello", times));
      BasicsTasks.Tuple reply = pipe.left().recv();
      child.result();
      return List.of(String.format(Locale.ROOT, "sent (\"hello\", %d); make_string in another process sent back %s",
          times, reply.text()));
    }
  }

  /**
   * generate_hash: a pool of worker processes (child JVMs) maps the SHA-256 over byte strings; the
   * results come back in input order and are printed beside their inputs (the text's zip).
   */
  public static List<String> generateHash(ExecutionModel model) {
    List<byte[]> inputs = List.of("Spindle".getBytes(StandardCharsets.UTF_8),
        "thread".getBytes(StandardCharsets.UTF_8), "process".getBytes(StandardCharsets.UTF_8),
        "coroutine".getBytes(StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    try (TaskExecutor pool = Spindle.executor(model).workers(2).name("generate-hash")
        .registry(BasicsTasks.REGISTRY).start()) {
      try (ResultIterator<String> hashes = pool.map(BasicsTasks.GENERATE_HASH, inputs)) {
        for (byte[] in : inputs) {
          out.add(String.format(Locale.ROOT, "%-10s %s", new String(in, StandardCharsets.UTF_8), hashes.next()));
        }
      }
    }
    return out;
  }
}
