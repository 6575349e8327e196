package dev.spindle.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The capacity model of docs/REDIS-SCALE.md: from the Redis CPU that each kind of call costs
 * (measured by {@code RedisBench costs}) and a fleet's shape, how many Redis shards a job rate
 * needs, the connections per shard, the heartbeat, poll and reclaim load, and which cost reaches
 * a shard's budget first. Deterministic arithmetic, no Redis needed.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.RedisCapacityModel [--workers 1000] [--rate 1000000] [--enqueue-us 3.5]
 *     [--exchange-us 10] [--heartbeat-us 15] [--poll-us 12] [--publish-us 1.5] [--per-subscriber-us 7.8]
 *     [--batch 64] [--heartbeat-s 1] [--poll-s 1] [--budget 0.7] [--publishes-per-s 0]
 * </pre>
 *
 * Costs are microseconds of Redis CPU: per job for enqueue and claim+complete (batched), per call
 * for the others; {@code --budget} is the share of one Redis core a shard may use (0.7: headroom
 * for bursts, replication and persistence). {@code --publishes-per-s} 0 means one wake-up PUBLISH
 * per enqueue call and per claim+complete call, as the store does today.
 */
public final class RedisCapacityModel {
  private RedisCapacityModel() {}

  public static void main(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int workers = (int) num(o, "workers", 1000);
    double rate = num(o, "rate", 1_000_000);
    double enqueue = num(o, "enqueue-us", 3.5);
    double exchange = num(o, "exchange-us", 10);
    double heartbeat = num(o, "heartbeat-us", 15);
    double poll = num(o, "poll-us", 12);
    double publish = num(o, "publish-us", 1.5);
    double perSubscriber = num(o, "per-subscriber-us", 7.8);
    double batch = num(o, "batch", 64);
    double heartbeatS = num(o, "heartbeat-s", 1);
    double pollS = num(o, "poll-s", 1);
    double budget = num(o, "budget", 0.7) * 1e6;
    double publishes = num(o, "publishes-per-s", 0);

    System.out.printf(Locale.ROOT, "fleet: %,d workers, %,.0f jobs/s; costs (us of Redis CPU): enqueue %.1f/job, "
        + "claim+complete %.1f/job, heartbeat %.1f, empty poll %.1f, publish %.1f + %.1f per subscriber; batches of "
        + "%.0f; shard budget %.0f%% of a core%n%n", workers, rate, enqueue, exchange, heartbeat, poll, publish,
        perSubscriber, batch, budget / 1e4);
    System.out.println("partitions | jobs/s per shard | job work | heartbeats | polls | wake-ups (pub/sub) | "
        + "total per shard | fits?");
    for (int shards : new int[] {1, 4, 8, 16, 24, 32, 48, 64}) {
      double perShard = rate / shards;
      double jobs = perShard * (enqueue + exchange);
      // every worker heartbeats every partition it holds leases in: with fair claims, all of them
      double beats = workers / heartbeatS * heartbeat;
      // idle workers poll each partition once per interval; at full load few are idle: count 10 %
      double polls = 0.1 * workers / pollS * poll;
      double calls = 2 * perShard / batch; // enqueue calls and claim+complete calls each publish
      double pubs = publishes > 0 ? publishes / shards : calls;
      double wakeups = pubs * (publish + perSubscriber * workers);
      double total = jobs + beats + polls + wakeups;
      System.out.printf(Locale.ROOT, "%10d | %16s | %7.0f%% | %9.1f%% | %4.1f%% | %17.0f%% | %14.0f%% | %s%n", shards,
          String.format(Locale.ROOT, "%,.0f", perShard), jobs / 1e4, beats / 1e4, polls / 1e4, wakeups / 1e4,
          total / 1e4, total <= budget ? "yes" : "no");
    }
    double jobOnly = budget / (enqueue + exchange);
    System.out.printf(Locale.ROOT, "%nJob work alone: %,.0f jobs/s per shard at the budget, so %d shards for %,.0f "
        + "jobs/s; with wake-ups by pub/sub to %,d subscribers, no number of shards fits (each PUBLISH costs %.1f ms).%n",
        jobOnly, (int) Math.ceil(rate / jobOnly), rate, workers, (publish + perSubscriber * workers) / 1000);
    System.out.printf(Locale.ROOT, "Connections per shard: %,d command + %,d pub/sub (one each per worker process "
        + "on every master); memory about %.0f MB of client buffers per shard at 20 KB each.%n", workers, workers,
        workers * 2 * 20e3 / 1e6);
  }

  private static double num(Map<String, String> o, String k, double def) {
    return Double.parseDouble(o.getOrDefault(k, Double.toString(def)));
  }
}
