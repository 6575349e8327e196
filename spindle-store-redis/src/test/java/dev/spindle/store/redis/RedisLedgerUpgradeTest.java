package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AttemptOutcome;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.redis.RespClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ledger entries an earlier version wrote: it opened an entry at every claim and closed it at the
 * completion. A job claimed by such a worker and completed by this version shows one attempt,
 * ended, whether the completion ends the job (its status tells the end) or not (a retry's entry
 * replaces the open one).
 */
class RedisLedgerUpgradeTest {
  @Test
  void entriesOpenedByAnEarlierVersionAreClosed() {
    try (RedisServer redis = RedisServer.builder().appendOnly(false).start();
        RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl("redis://127.0.0.1:" + redis.port(),
            Map.of()));
        RespClient raw = new RespClient("127.0.0.1", redis.port(), Duration.ofSeconds(5))) {
      Instant now = store.storeTime();
      NewJob job = new NewJob("t.upgrade", "{}", "q", 0, now, null, JobPolicy.defaults(), now);
      List<String> ids = store.enqueue(List.of(job, job)).stream().map(r -> r.jobId()).toList();
      List<JobInfo> claimed = store.claim(new ClaimRequest("w-old", List.of("q"), 2, now)).jobs();
      for (JobInfo j : claimed) { // what the earlier version's claim wrote
        raw.command("RPUSH", "{spindle}:a:" + j.id(), j.fence() + "|1|" + now.getEpochSecond()
            + ".000000000|||w-old|old-host|");
      }
      AttemptLedger ledger = store.attempts().orElseThrow();
      assertThat(ledger.attempts(ids.get(0)).orElseThrow().attempts()).singleElement()
          .satisfies(a -> assertThat(a.running()).isTrue());

      JobInfo done = claimed.get(0);
      JobInfo retried = claimed.get(1);
      assertThat(store.complete(List.of(Completion.succeeded(done.id(), done.fence(), "w-old", "1"),
          Completion.retry(retried.id(), retried.fence(), "w-old", "{\"type\":\"x\"}", now.plusSeconds(60))), now))
          .containsExactly(true, true);

      assertThat(ledger.attempts(done.id()).orElseThrow().attempts()).singleElement()
          .satisfies(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED));
      assertThat(ledger.attempts(retried.id()).orElseThrow().attempts()).singleElement()
          .satisfies(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.RETRY));
    }
  }
}
