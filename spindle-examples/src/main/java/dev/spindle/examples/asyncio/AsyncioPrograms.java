package dev.spindle.examples.asyncio;

import dev.spindle.ExecutionModel;
import dev.spindle.Futures;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.coroutine.Async;
import dev.spindle.coroutine.AsyncChannels;
import dev.spindle.coroutine.AsyncTask;
import dev.spindle.coroutine.EventLoop;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The texts' asyncio programs on the COROUTINE model. Each prints what the Python program prints
 * (plus timings, so the overlap shows) to the given stream. Stateless.
 */
public final class AsyncioPrograms {
  private AsyncioPrograms() {}

  private static double since(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The course's {@code delayed_hello} (print Hello, {@code await asyncio.sleep(1)}, print World) and
   * chaining ({@code perform_task} awaits {@code subtask1}, then {@code subtask2}).
   */
  public static void hello(PrintStream out) {
    EventLoop.run(() -> {
      out.println("Hello");
      Async.sleep(Duration.ofSeconds(1));
      out.println("World");
      out.println(performTask(out));
      return null;
    });
  }

  private static String performTask(PrintStream out) {
    out.println("perform_task: awaiting subtask1");
    String a = Async.createTask(() -> {
      Async.sleep(Duration.ofMillis(100));
      return "subtask1 done";
    }).await();
    out.println("perform_task: " + a + "; awaiting subtask2");
    String b = Async.createTask(() -> {
      Async.sleep(Duration.ofMillis(100));
      return "subtask2 done";
    }).await();
    return "perform_task: " + b;
  }

  /**
   * The course's run_in_executor example: a thread pool of 3 workers runs 6
   * {@code blocking_function}s (1 s each) awaited by the loop, which keeps running (a ticker counts
   * its turns): about 2 s, not 6. Then factorials on a pool of 2 child JVMs
   * ({@code ProcessPoolExecutor}).
   *
   * @return the loop's ticks while the blocking functions ran
   */
  public static long runInExecutor(PrintStream out, boolean withProcesses) {
    AtomicLong ticks = new AtomicLong();
    try (TaskExecutor threads = Spindle.executor(ExecutionModel.THREADS).workers(3).name("executor")
        .registry(AsyncioTasks.REGISTRY).start()) {
      EventLoop.run(() -> {
        AsyncTask<Void> ticker = Async.createTask(() -> {
          while (true) {
            ticks.incrementAndGet();
            Async.sleep(Duration.ofMillis(10));
          }
        });
        long t0 = System.nanoTime();
        List<AsyncTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          int n = i;
          tasks.add(Async.createTask(() -> {
            out.printf(Locale.ROOT, "%5.2fs  run_in_executor(blocking_function, %d)%n", since(t0), n);
            int r = Async.runInExecutor(threads, AsyncioTasks.BLOCKING_FUNCTION, n);
            out.printf(Locale.ROOT, "%5.2fs  blocking_function(%d) = %d%n", since(t0), n, r);
            return r;
          }));
        }
        Futures.DoneAndNotDone<AsyncTask<Integer>> r = Async.wait(tasks, null, Futures.ReturnWhen.ALL_COMPLETED);
        out.printf(Locale.ROOT, "%5.2fs  done: %d, pending: %d; results %s; the loop ticked %d times meanwhile%n",
            since(t0), r.done().size(), r.notDone().size(), tasks.stream().map(AsyncTask::result).toList(), ticks.get());
        ticker.cancel();
        return null;
      });
    }
    if (withProcesses) {
      try (TaskExecutor procs = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("factorial")
          .registry(AsyncioTasks.REGISTRY).start()) {
        EventLoop.run(() -> {
          List<Integer> ns = List.of(5, 10, 20, 30);
          List<AsyncTask<String>> fs = new ArrayList<>();
          for (int n : ns) {
            fs.add(Async.createTask(() -> Async.runInExecutor(procs, AsyncioTasks.FACTORIAL, n)));
          }
          List<String> results = Async.gather(fs);
          for (int i = 0; i < ns.size(); i++) {
            out.printf(Locale.ROOT, "factorial(%d) = %s   (in a child JVM)%n", ns.get(i), results.get(i));
          }
          return null;
        });
      }
    }
    return ticks.get();
  }

  /**
   * The course's {@code asyncio.wait} example: {@code get_items} runs 4 {@code get_item}
   * coroutines (0.5, 1, 3 and 4 s) with a 2 s timeout, then cancels what is still pending; each
   * cancelled item cleans up.
   *
   * @return how many were done within the timeout
   */
  public static int waitTimeout(PrintStream out) {
    return EventLoop.run(() -> {
      long t0 = System.nanoTime();
      double[] seconds = {0.5, 1, 3, 4};
      List<AsyncTask<String>> items = new ArrayList<>();
      for (int i = 0; i < seconds.length; i++) {
        int n = i;
        items.add(Async.createTask("get_item-" + i, () -> {
          try {
            Async.sleep(Duration.ofMillis((long) (seconds[n] * 1000)));
            return "item " + n;
          } catch (CancellationException e) {
            out.printf(Locale.ROOT, "%5.2fs  get_item(%d) cancelled: cleaning up%n", since(t0), n);
            throw e;
          }
        }));
      }
      Futures.DoneAndNotDone<AsyncTask<String>> r = Async.wait(items, Duration.ofSeconds(2), Futures.ReturnWhen.ALL_COMPLETED);
      out.printf(Locale.ROOT, "%5.2fs  done: %s%n", since(t0), r.done().stream().map(AsyncTask::result).toList());
      out.printf(Locale.ROOT, "%5.2fs  pending: %s%n", since(t0), r.notDone().stream().map(AsyncTask::name).toList());
      for (AsyncTask<String> t : r.notDone()) {
        t.cancel();
      }
      Async.wait(r.notDone(), null, Futures.ReturnWhen.ALL_COMPLETED);
      return r.done().size();
    });
  }

  /**
   * The book's event-loop network server (Scaling Python ex. 3.12, the YellEchoServer): one loop
   * serves every client, each connection a coroutine that reads lines and writes them back in upper
   * case, all through {@link AsyncChannels} (a selector), never blocking the loop. Runs until
   * {@code clients} connections have been served (0: forever).
   *
   * @param ready called with the bound port once listening
   */
  public static void yellEchoServer(int port, int clients, PrintStream out, java.util.function.IntConsumer ready) {
    EventLoop.run(() -> {
      try (ServerSocketChannel server = ServerSocketChannel.open()) {
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        int bound = ((InetSocketAddress) server.getLocalAddress()).getPort();
        out.println("Serving on 127.0.0.1:" + bound);
        out.flush();
        ready.accept(bound);
        List<AsyncTask<Void>> conns = new ArrayList<>();
        for (int served = 0; clients == 0 || served < clients; served++) {
          SocketChannel ch = AsyncChannels.accept(server);
          conns.add(Async.createTask(() -> {
            yell(ch, out);
            return null;
          }));
        }
        Async.gather(conns);
      }
      return null;
    });
  }

  private static void yell(SocketChannel ch, PrintStream out) throws java.io.IOException {
    try (ch) {
      String peer = ch.getRemoteAddress().toString();
      out.println("Connection from " + peer);
      out.flush();
      ByteBuffer in = ByteBuffer.allocate(4096);
      StringBuilder line = new StringBuilder();
      while (AsyncChannels.read(ch, in) >= 0) {
        in.flip();
        String chunk = StandardCharsets.UTF_8.decode(in).toString();
        in.clear();
        for (char c : chunk.toCharArray()) {
          line.append(c);
          if (c == '\n') {
            AsyncChannels.writeAll(ch, StandardCharsets.UTF_8.encode(line.toString().toUpperCase(Locale.ROOT)));
            line.setLength(0);
          }
        }
      }
      out.println("Connection from " + peer + " closed");
      out.flush();
    }
  }

  /** A client of {@link #yellEchoServer}: sends {@code text} (a line) and returns the reply line. */
  public static String yellClient(int port, String text) {
    return EventLoop.run(() -> {
      try (SocketChannel ch = AsyncChannels.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
        AsyncChannels.writeAll(ch, StandardCharsets.UTF_8.encode(text + "\n"));
        ByteBuffer in = ByteBuffer.allocate(4096);
        StringBuilder reply = new StringBuilder();
        while (reply.indexOf("\n") < 0 && AsyncChannels.read(ch, in) >= 0) {
          in.flip();
          reply.append(StandardCharsets.UTF_8.decode(in));
          in.clear();
        }
        return reply.toString().strip();
      }
    });
  }
}
