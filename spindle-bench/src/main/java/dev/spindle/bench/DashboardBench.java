package dev.spindle.bench;

import dev.spindle.Task;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.web.Credentials;
import dev.spindle.web.Dashboard;
import dev.spindle.web.Role;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard at a million jobs, on SQLite and on Redis side by side in one run: fills each store
 * with {@code --jobs} jobs over 8 queues and 10 tasks (60 % finished - ~1 % failed, ~0.1 % dead -,
 * {@code --running} held by a live worker, the rest queued; enqueue times spread over the fill),
 * then per store:
 * <ol>
 *   <li>times the API and pages over loopback (sequential keep-alive requests; the time includes
 *       HTTP, so it bounds the server time): lists, searches by state, text and time range, one
 *       job, the overview;
 *   <li>connects {@code --viewers} Server-Sent-Events viewers and counts the store calls per tick
 *       through a proxy around the store;
 *   <li>measures worker drain throughput ({@code --drain} no-op jobs, one worker) without the
 *       dashboard and with it open (after its first refresh) and 10 viewers connected, alternating,
 *       {@code --trials} each.
 * </ol>
 * Redis is a redis-server started by the testkit fixture (no persistence). With {@code --serve
 * SECONDS} the last store's dashboard stays up for {@code wrk} (token {@value #TOKEN}).
 *
 * <pre>
 * $B dev.spindle.bench.DashboardBench --jobs 1000000 --running 10000 --requests 200
 * </pre>
 */
public final class DashboardBench {
  static final String TOKEN = "bench-token-0123456789abcdef";
  private static final int QUEUES = 8;
  private static final int TASKS = 10;
  private static final String WORKER = "bench-holder";
  /** Spread of the fill's enqueue times: job k was enqueued at {@code start + k ms}. */
  private static final Duration SPREAD_STEP = Duration.ofMillis(1);

  private static volatile @Nullable CountDownLatch latch;

  /** The drain's task: counts down the current trial's latch. */
  public static final Task<Integer, Integer> NOOP = Task.of("bench.noop", Integer.class, Integer.class, x -> {
    CountDownLatch l = latch;
    if (l != null) {
      l.countDown();
    }
    return x;
  });

  private DashboardBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of("--jobs", "1000000", "--running", "10000", "--requests",
        "200", "--stores", "sqlite,redis", "--port", "8076", "--serve", "0", "--viewers", "50", "--drain",
        "100000", "--trials", "5", "--ticks", "10"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!o.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i], args[i + 1]);
    }
    Map<String, Map<String, String>> table = new LinkedHashMap<>();
    List<String> stores = List.of(o.getOrDefault("--stores", "").split(","));
    for (int s = 0; s < stores.size(); s++) {
      String kind = stores.get(s).trim();
      boolean last = s == stores.size() - 1;
      if (kind.equals("sqlite")) {
        Path db = Path.of("spindle-data/dashboard-bench.db").toAbsolutePath();
        Files.createDirectories(db.getParent());
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
          Files.deleteIfExists(Path.of(db + suffix));
        }
        run("SQLite", "sqlite:" + db, o, table, last);
      } else if (kind.equals("redis")) {
        try (RedisServer redis = RedisServer.builder().appendOnly(false).start()) {
          run("Redis", redis.url() + "/0?namespace=bench", o, table, last);
        }
      } else {
        throw new IllegalArgumentException("--stores: sqlite and/or redis, not " + kind);
      }
    }
    System.out.println();
    System.out.println("| measure (p95 unless said) | " + String.join(" | ", table.keySet()) + " |");
    System.out.println("|---|" + "---|".repeat(table.size()));
    List<String> rows = new ArrayList<>(table.values().iterator().next().keySet());
    for (String r : rows) {
      StringBuilder b = new StringBuilder("| ").append(r).append(" |");
      for (Map<String, String> col : table.values()) {
        b.append(' ').append(col.getOrDefault(r, "-")).append(" |");
      }
      System.out.println(b);
    }
  }

  private static void run(String name, String location, Map<String, String> o, Map<String, Map<String, String>> table,
      boolean last) throws Exception {
    int jobs = Integer.parseInt(o.get("--jobs"));
    int running = Integer.parseInt(o.get("--running"));
    int requests = Integer.parseInt(o.get("--requests"));
    Map<String, String> col = new LinkedHashMap<>();
    table.put(name, col);
    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
    try (StoreBackend real = JobStores.open(location)) {
      Instant start = fill(real, jobs, running);
      beat.scheduleAtFixedRate(() -> heartbeat(real), 0, 1, TimeUnit.SECONDS);
      System.out.printf(Locale.ROOT, "%s: %s, %,d jobs%n", name, real.describe(), jobs);
      AtomicLong calls = new AtomicLong();
      StoreBackend store = counting(real, calls);
      Credentials creds = Credentials.builder().token("bench", Role.OPERATOR, TOKEN).build();
      Dashboard d = Dashboard.builder(store).port(Integer.parseInt(o.get("--port"))).credentials(creds)
          .supervisorRunDirectory(null).build().start();
      try {
        String mid = Long.toString(Math.max(2, jobs / 2));
        Instant from = start.plus(SPREAD_STEP.multipliedBy(jobs / 2));
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("jobs list, newest 50 (API)", "/api/v1/jobs?limit=50");
        routes.put("jobs list, 50 from the middle (cursor)", "/api/v1/jobs?limit=50&before=" + mid);
        routes.put("search: queue + task + state", "/api/v1/jobs?queue=q3&task=t3&state=succeeded");
        routes.put("search: dead letters", "/api/v1/jobs?state=dead");
        routes.put("search: running", "/api/v1/jobs?state=running");
        routes.put("search: text, ~1,000 matches", "/api/v1/jobs?q=" + enc("\"c42\""));
        routes.put("search: text, 1 match", "/api/v1/jobs?q=" + enc("\"order\":" + (jobs / 3) + ","));
        routes.put("search: created in a 10 s window", "/api/v1/jobs?createdAfter=" + from + "&createdBefore="
            + from.plusSeconds(10));
        routes.put("search: text + state + created after", "/api/v1/jobs?q=" + enc("\"c42\"")
            + "&state=succeeded&createdAfter=" + from);
        routes.put("jobs page (HTML)", "/jobs");
        routes.put("jobs page, text search (HTML)", "/jobs?q=" + enc("\"c42\""));
        routes.put("one job (API)", "/api/v1/jobs/" + mid);
        routes.put("overview data (API /status)", "/api/v1/status");
        routes.put("overview page (HTML)", "/");
        routes.put("statistics, last hour (API /stats)", "/api/v1/stats");
        List<Long> reads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          long t0 = System.nanoTime();
          real.inspector().queueSummaries();
          reads.add((System.nanoTime() - t0) / 1000);
        }
        col.put("store: per-queue counts (background, adaptive)", ms(reads, 50));
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, String> r : routes.entrySet()) {
          List<Long> micros = new ArrayList<>();
          HttpRequest req = HttpRequest.newBuilder(URI.create(d.url() + r.getValue()))
              .header("Authorization", "Bearer " + TOKEN).build();
          String body = "";
          for (int i = 0; i < requests + 20; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            long us = (System.nanoTime() - t0) / 1000;
            if (resp.statusCode() != 200) {
              throw new IllegalStateException(r.getValue() + " answered " + resp.statusCode() + ": " + resp.body());
            }
            body = resp.body();
            if (i >= 20) {
              micros.add(us);
            }
          }
          String found = r.getValue().startsWith("/api/v1/jobs?") ? " (" + count(body, "\"id\":") + " jobs)" : "";
          System.out.printf(Locale.ROOT, "%-42s %s%s%n", r.getKey(), pcts(micros), found);
          col.put(r.getKey(), ms(micros, 95));
        }
        // SSE: the store calls per tick with many viewers
        int viewers = Integer.parseInt(o.get("--viewers"));
        int ticks = Integer.parseInt(o.get("--ticks"));
        try (Viewers v = new Viewers(http, d.url(), viewers)) {
          v.awaitAll(2);
          long calls0 = calls.get();
          long snaps0 = d.storeSnapshots();
          v.awaitMore(ticks);
          long c = calls.get() - calls0;
          long snaps = d.storeSnapshots() - snaps0;
          String line = String.format(Locale.ROOT, "%d viewers: %d ticks, %d snapshots, %d store calls (%.1f per"
              + " tick, for all viewers)", viewers, ticks, snaps, c, (double) c / snaps);
          System.out.println(line);
          col.put(viewers + " SSE viewers: store calls per tick", String.format(Locale.ROOT, "%.1f", (double) c
              / snaps));
        }
        // drain throughput: without the dashboard, then with it and 10 viewers, alternating
        int drain = Integer.parseInt(o.get("--drain"));
        int trials = Integer.parseInt(o.get("--trials"));
        d.close();
        d = null;
        drain(real, drain); // warm-up (JIT)
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
          without.add(drain(real, drain));
          try (Dashboard open = Dashboard.builder(store).port(Integer.parseInt(o.get("--port"))).credentials(creds)
              .supervisorRunDirectory(null).build().start();
               Viewers v = new Viewers(http, open.url(), 10)) {
            // steady state: the dashboard's first refresh (which reads the per-queue counts at once) and two
            // more ticks are done before the drain starts; the drain then pays whatever the open dashboard costs
            v.awaitAll(3);
            with.add(drain(real, drain));
          }
          System.out.printf(Locale.ROOT, "drain trial %d: %.0f jobs/s without the dashboard, %.0f with it and 10"
              + " viewers%n", t + 1, without.get(t), with.get(t));
        }
        double a = Medians.median(without);
        double b = Medians.median(with);
        col.put("drain, jobs/s (median): without dashboard", String.format(Locale.ROOT, "%.0f", a));
        col.put("drain, jobs/s (median): dashboard + 10 viewers", String.format(Locale.ROOT, "%.0f (%+.1f %%)", b,
            (b - a) / a * 100));
        if (last && Integer.parseInt(o.get("--serve")) > 0) {
          try (Dashboard serve = Dashboard.builder(real).port(Integer.parseInt(o.get("--port"))).credentials(creds)
              .build().start()) {
            System.out.printf("serving %s for %s s; e.g. wrk -t2 -c8 -d20s -H 'Authorization: Bearer %s' '%s'%n",
                serve.url(), o.get("--serve"), TOKEN, serve.url() + "/api/v1/jobs?limit=50");
            new CountDownLatch(1).await(Long.parseLong(o.get("--serve")), TimeUnit.SECONDS);
          }
        }
      } finally {
        if (d != null) {
          d.close();
        }
        beat.shutdownNow();
      }
    }
  }

  /** Drains {@code n} fresh no-op jobs with one worker; jobs per second from its start to the last. */
  private static double drain(StoreBackend store, int n) throws InterruptedException {
    Instant now = Instant.now();
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new NewJob(NOOP.name(), Integer.toString(i), "drain", 0, now, null, JobPolicy.defaults(), now));
      if (batch.size() == 5000 || i == n - 1) {
        store.enqueue(batch);
        batch = new ArrayList<>();
      }
    }
    latch = new CountDownLatch(n);
    long t0 = System.nanoTime();
    try (Worker w = Worker.builder(store).registry(TaskRegistry.builder().add(NOOP).build()).queues("drain")
        .name("bench-drain").concurrency(8).maintenance(false).runSchedules(false)
        .pollInterval(Duration.ofMillis(20)).start()) {
      if (!latch.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the drain did not finish in 10 minutes");
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /** SSE viewers counting {@code stats} events. */
  private static final class Viewers implements AutoCloseable {
    private final List<AtomicInteger> seen = new ArrayList<>();
    private final List<CompletableFuture<HttpResponse<Stream<String>>>> streams = new ArrayList<>();

    Viewers(HttpClient http, String url, int n) {
      for (int i = 0; i < n; i++) {
        AtomicInteger c = new AtomicInteger();
        seen.add(c);
        streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
            .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
              Thread.ofVirtual().start(() -> r.body().forEach(line -> {
                if (line.equals("event: stats")) {
                  c.incrementAndGet();
                }
              }));
              return r;
            }));
      }
    }

    void awaitAll(int events) throws InterruptedException {
      awaitEach(seen.stream().mapToInt(x -> events).toArray());
    }

    void awaitMore(int events) throws InterruptedException {
      awaitEach(seen.stream().mapToInt(x -> x.get() + events).toArray());
    }

    private void awaitEach(int[] target) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      for (int i = 0; i < target.length; i++) {
        while (seen.get(i).get() < target[i]) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("viewer " + i + " got " + seen.get(i).get() + " of " + target[i]
                + " events");
          }
          Thread.sleep(20); // a benchmark's progress poll, not a synchronisation
        }
      }
    }

    @Override
    public void close() {
      for (var s : streams) {
        s.thenAccept(r -> {
          try {
            r.body().close();
          } catch (RuntimeException e) {
            // the stream ends with an error when closed: expected
          }
        });
        s.cancel(true);
      }
    }
  }

  /** The store with every call counted; its typed views are the counting proxy too. */
  static StoreBackend counting(StoreBackend real, AtomicLong calls) {
    return (StoreBackend) Proxy.newProxyInstance(DashboardBench.class.getClassLoader(),
        new Class<?>[] {StoreBackend.class, JobInspector.class, QueueControl.class, AuditLog.class,
            JobStatistics.class},
        (p, m, args) -> {
          if (Set.of("inspector", "control", "auditLog").contains(m.getName()) && m.getParameterCount() == 0) {
            return p;
          }
          if (m.getName().equals("statistics") && m.getParameterCount() == 0) {
            return java.util.Optional.of(p);
          }
          if (m.getDeclaringClass() != Object.class) {
            calls.incrementAndGet();
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static String pcts(List<Long> micros) {
    long[] a = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(Locale.ROOT, "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", pct(a, 50),
        pct(a, 95), pct(a, 99), a[a.length - 1] / 1000.0, a.length);
  }

  private static String ms(List<Long> micros, double p) {
    long[] a = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(Locale.ROOT, "%.1f ms", pct(a, p));
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  /** Keeps the worker holding the running jobs alive, as a real one would. */
  private static void heartbeat(StoreBackend store) {
    Instant now = Instant.now();
    List<String> qs = new ArrayList<>();
    for (int q = 0; q < QUEUES; q++) {
      qs.add("q" + q);
    }
    try {
      store.heartbeat(new WorkerRecord(WORKER, "bench-holder", "localhost", ProcessHandle.current().pid(), qs,
          10_000, "VIRTUAL", "RUNNING", now, now, now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
    } catch (RuntimeException e) {
      System.err.println("heartbeat failed: " + e);
    }
  }

  /**
   * Enqueues {@code n} jobs (job k enqueued at start + k ms), finishes 60 % of them, leaves
   * {@code running} held by a live worker.
   *
   * @return the first enqueue time
   */
  private static Instant fill(StoreBackend store, int n, int running) {
    long t0 = System.nanoTime();
    Instant start = Instant.now().minus(SPREAD_STEP.multipliedBy(n));
    JobPolicy policy = JobPolicy.defaults().withTtls(Duration.ofDays(365), Duration.ofDays(365));
    int batch = 10_000;
    for (int done = 0; done < n; done += batch) {
      List<NewJob> jobs = new ArrayList<>(batch);
      for (int i = 0; i < Math.min(batch, n - done); i++) {
        int k = done + i;
        Instant at = start.plus(SPREAD_STEP.multipliedBy(k));
        jobs.add(new NewJob("t" + (k % TASKS), "{\"order\":" + k + ",\"customer\":\"c" + (k % 977) + "\"}",
            "q" + (k % QUEUES), 0, at, null, policy, at));
      }
      store.enqueue(jobs);
    }
    double enq = (System.nanoTime() - t0) / 1e9;
    heartbeat(store);
    List<String> qs = new ArrayList<>();
    for (int q = 0; q < QUEUES; q++) {
      qs.add("q" + q);
    }
    int finish = (int) (n * 0.6);
    int finished = 0;
    String error = "{\"type\":\"java.lang.IllegalStateException\",\"message\":\"card declined\",\"stack\":[]}";
    while (finished < finish) {
      int take = Math.min(5_000, finish - finished);
      var claimed = store.claim(new ClaimRequest(WORKER, qs, take, Instant.now())).jobs();
      if (claimed.isEmpty()) {
        break;
      }
      List<Completion> cs = new ArrayList<>(claimed.size());
      for (var j : claimed) {
        long id = Long.parseLong(j.id());
        cs.add(id % 997 == 0 ? Completion.dead(j.id(), j.fence(), WORKER, "unknown_task", error)
            : id % 101 == 0 ? Completion.failed(j.id(), j.fence(), WORKER, error)
            : Completion.succeeded(j.id(), j.fence(), WORKER, "{\"ok\":true}"));
      }
      store.complete(cs, Instant.now());
      finished += claimed.size();
    }
    store.claim(new ClaimRequest(WORKER, qs, running, Instant.now()));
    System.out.printf(Locale.ROOT, "%s: enqueued %,d jobs in %.1f s; finished %,d, %,d running, %,d queued; fill"
        + " took %.1f s%n", store.describe(), n, enq, finished, running, n - finished - running,
        (System.nanoTime() - t0) / 1e9);
    return start;
  }

}
