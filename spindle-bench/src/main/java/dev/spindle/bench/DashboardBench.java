package dev.spindle.bench;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.web.Credentials;
import dev.spindle.web.Dashboard;
import dev.spindle.web.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard at a million jobs: fills a store (SQLite by default, or {@code --store redis://...})
 * with {@code --jobs} jobs over 8 queues and 10 tasks - most succeeded, some failed and dead,
 * {@code --running} held by a live worker, the rest queued - then times the API and pages over
 * loopback (sequential keep-alive requests; the time includes HTTP, so it bounds the server time)
 * and prints p50/p95/p99 per route. With {@code --serve SECONDS} it then keeps the dashboard up
 * for {@code wrk} (token {@value #TOKEN}).
 *
 * <pre>
 * $B dev.spindle.bench.DashboardBench --jobs 1000000 --running 10000 --requests 300
 * </pre>
 */
public final class DashboardBench {
  static final String TOKEN = "bench-token-0123456789abcdef";
  private static final int QUEUES = 8;
  private static final int TASKS = 10;

  private DashboardBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of("--jobs", "1000000", "--running", "10000", "--requests",
        "300", "--store", "sqlite:spindle-data/dashboard-bench.db", "--port", "8076", "--serve", "0",
        "--reuse", "yes"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!o.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i], args[i + 1]);
    }
    int jobs = Integer.parseInt(o.get("--jobs"));
    int running = Integer.parseInt(o.get("--running"));
    int requests = Integer.parseInt(o.get("--requests"));
    String location = o.get("--store");
    if (location.startsWith("sqlite:") && !o.get("--reuse").equals("yes")) {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(Path.of(location.substring(7) + suffix));
      }
    }
    if (location.startsWith("sqlite:")) {
      Files.createDirectories(Path.of(location.substring(7)).toAbsolutePath().getParent());
    }
    try (JobStore store = JobStores.open(location)) {
      long have = store.inspector().queueSummaries().stream()
          .mapToLong(q -> q.counts().values().stream().mapToLong(Long::longValue).sum()).sum();
      if (have < jobs) {
        fill(store, jobs - (int) have, running);
      }
      System.out.printf(Locale.ROOT, "store %s: %,d jobs%n", store.describe(), Math.max(have, jobs));
      Credentials creds = Credentials.builder().token("bench", Role.OPERATOR, TOKEN).build();
      try (Dashboard d = Dashboard.builder(store).port(Integer.parseInt(o.get("--port"))).credentials(creds).build()
          .start()) {
        heartbeat(store, running > 0);
        String mid = Long.toString(Math.max(2, jobs / 2));
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("jobs list, newest 50 (API)", "/api/v1/jobs?limit=50");
        routes.put("jobs list page 2000 deep (API, cursor)", "/api/v1/jobs?limit=50&before=" + mid);
        routes.put("search: queue + task + state (API)", "/api/v1/jobs?queue=q3&task=t3&state=succeeded");
        routes.put("search: dead letters (API)", "/api/v1/jobs?state=dead");
        routes.put("search: running (API)", "/api/v1/jobs?state=running");
        routes.put("jobs page (HTML)", "/jobs");
        routes.put("one job (API)", "/api/v1/jobs/" + mid);
        routes.put("overview data (API /status)", "/api/v1/status");
        routes.put("overview page (HTML)", "/");
        List<Long> reads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          long t0 = System.nanoTime();
          store.inspector().queueSummaries();
          reads.add((System.nanoTime() - t0) / 1000);
        }
        System.out.printf(Locale.ROOT, "%-40s %s (a background refresh, at most one per tick)%n",
            "store: per-queue counts by state", p95(reads));
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, String> r : routes.entrySet()) {
          List<Long> micros = new ArrayList<>();
          HttpRequest req = HttpRequest.newBuilder(URI.create(d.url() + r.getValue()))
              .header("Authorization", "Bearer " + TOKEN).build();
          for (int i = 0; i < requests + 20; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            long us = (System.nanoTime() - t0) / 1000;
            if (resp.statusCode() != 200) {
              throw new IllegalStateException(r.getValue() + " answered " + resp.statusCode() + ": " + resp.body());
            }
            if (i >= 20) {
              micros.add(us);
            }
          }
          System.out.printf(Locale.ROOT, "%-40s %s%n", r.getKey(), p95(micros));
        }
        int serve = Integer.parseInt(o.get("--serve"));
        if (serve > 0) {
          System.out.printf("serving %s for %d s; e.g. wrk -t2 -c8 -d20s -H 'Authorization: Bearer %s' '%s'%n",
              d.url(), serve, TOKEN, d.url() + "/api/v1/jobs?limit=50");
          Instant until = Instant.now().plusSeconds(serve);
          while (Instant.now().isBefore(until)) {
            heartbeat(store, running > 0);
            Thread.sleep(1000);
          }
        }
      }
    }
  }

  private static String p95(List<Long> micros) {
    long[] a = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(Locale.ROOT, "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", pct(a, 50),
        pct(a, 95), pct(a, 99), a[a.length - 1] / 1000.0, a.length);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  private static final String WORKER = "bench-holder";

  /** Keeps the worker holding the running jobs alive, as a real one would. */
  private static void heartbeat(JobStore store, boolean any) {
    if (!any) {
      return;
    }
    Instant now = Instant.now();
    List<String> qs = new ArrayList<>();
    for (int q = 0; q < QUEUES; q++) {
      qs.add("q" + q);
    }
    store.heartbeat(new WorkerRecord(WORKER, "bench-holder", "localhost", ProcessHandle.current().pid(), qs, 10_000,
        "VIRTUAL", "RUNNING", now, now, now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
  }

  /** Enqueues {@code n} jobs, finishes most of them, leaves {@code running} held by a live worker. */
  private static void fill(JobStore store, int n, int running) {
    long t0 = System.nanoTime();
    Instant now = Instant.now();
    JobPolicy policy = JobPolicy.defaults().withTtls(Duration.ofDays(365), Duration.ofDays(365));
    int batch = 10_000;
    for (int done = 0; done < n; done += batch) {
      List<NewJob> jobs = new ArrayList<>(batch);
      for (int i = 0; i < Math.min(batch, n - done); i++) {
        int k = done + i;
        jobs.add(new NewJob("t" + (k % TASKS), "{\"order\":" + k + ",\"customer\":\"c" + (k % 977) + "\"}",
            "q" + (k % QUEUES), 0, now, null, policy, now));
      }
      store.enqueue(jobs);
    }
    System.out.printf(Locale.ROOT, "enqueued %,d jobs in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    heartbeat(store, true);
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
    System.out.printf(Locale.ROOT, "finished %,d, %,d running, %,d queued; fill took %.1f s%n", finished, running,
        n - finished - running, (System.nanoTime() - t0) / 1e9);
  }
}
