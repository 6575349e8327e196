package dev.spindle.bench;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.testkit.redis.RedisServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The store's cost per exchange of an unlimited queue listed after held ones, without
 * worker processes: one client drains {@code jobs} unlimited jobs by exchanges of 8 completions and 8
 * claims, alone and while two queues listed first hold a backlog (50 tenant keys at 1 start per 10 s,
 * a concurrency of 1), interleaved for {@code rounds} rounds. Prints jobs/s, the time per exchange
 * and, on Redis, the script's own time ({@code INFO commandstats}). Arguments: {@code jobs rounds
 * [redis|sqlite]}; Redis is started here.
 */
public final class FlowExchangeBench {
  private FlowExchangeBench() {}

  /** Runs the bench; see the class comment for the arguments. */
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    try (RedisServer redis = RedisServer.builder().appendOnly(false).start()) {
      for (int r = 1; r <= rounds; r++) {
        for (boolean limited : new boolean[] {false, true}) {
          boolean sqlite = a.length > 2 && a[2].equals("sqlite");
          String loc = sqlite ? "sqlite:" + Files.createTempDirectory("flow3micro").resolve("m.db")
              : redis.url() + "/0?namespace=m" + r + limited;
          try (StoreBackend s = JobStores.open(loc)) {
            Instant now = Instant.now();
            s.heartbeat(new WorkerRecord("w", "w", "h", 1, List.of("free"), 8, "THREADS", "RUNNING", now, now,
                now.plus(Duration.ofHours(1)), 0, 0, 0, 0));
            if (limited) {
              FlowLimit slow = FlowLimit.parse("slow per=arg:tenant rate=1/10s");
              FlowLimit one = FlowLimit.parse("one per=queue concurrency=1");
              s.flowAdmin().orElseThrow().putLimit(slow);
              s.flowAdmin().orElseThrow().putLimit(one);
              List<NewJob> js = new ArrayList<>();
              for (int i = 0; i < 20000; i++) {
                String args = "{\"tenant\":\"t" + (i % 50) + "\",\"n\":" + i + "}";
                js.add(new NewJob("t", args, "limited", 0, now, null, JobPolicy.defaults(), now, null)
                    .withFlowKey(slow.keyFor("limited", "t", args)));
              }
              for (int i = 0; i < 2000; i++) {
                js.add(new NewJob("h", "1000", "limited2", 0, now, null, JobPolicy.defaults(), now, null)
                    .withFlowKey(one.keyFor("limited2", "h", "1000")));
              }
              s.enqueue(js);
              s.claim(new ClaimRequest("w", List.of("limited", "limited2"), 100, Instant.now())); // now all held
            }
            List<NewJob> free = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              free.add(new NewJob("t", Integer.toString(i), "free", 0, now, null, JobPolicy.defaults(), now, null));
            }
            s.enqueue(free);
            redis.command("CONFIG", "RESETSTAT");
            List<String> queues = List.of("limited", "limited2", "free");
            List<Completion> done = new ArrayList<>();
            int got = 0;
            int calls = 0;
            long t0 = System.nanoTime();
            while (got < n) {
              Exchange ex = s.completeAndClaim(done, new ClaimRequest("w", queues, 8, Instant.now()), Instant.now());
              calls++;
              done = new ArrayList<>();
              for (JobInfo j : ex.claim().jobs()) {
                if (j.queue().equals("free")) {
                  got++;
                }
                done.add(Completion.succeeded(j.id(), j.fence(), "w", "1"));
              }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            String stats = sqlite ? "" : String.valueOf(redis.command("INFO", "commandstats"));
            String fcall = stats.lines().filter(l -> l.startsWith("cmdstat_fcall")).findFirst().orElse("");
            System.out.printf(Locale.ROOT, "round %d %-8s %,d exchanges, %,.0f jobs/s, %.0f us per exchange; %s%n", r,
                limited ? "limited" : "alone", calls, n / secs, secs * 1e6 / calls, fcall);
          }
        }
      }
    }
  }
}
