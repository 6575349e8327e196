package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobPage;
import dev.spindle.queue.spi.NewJob;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The index of every job: a bitmap per 4,096 ids and the list of buckets that hold any. Listings
 * walk it newest first across buckets; jobs an earlier version filed in the sorted set {@code all}
 * are listed beside it, leave it when deleted and move into the bitmaps when a store opens; a
 * bucket emptied below the newest is dropped.
 */
class RedisJobIndexTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void aListingWalksEveryJobNewestFirstAcrossBuckets() {
    try (RedisJobStore store = SharedRedis.open("index-walk", CLOCK)) {
      List<String> ids = enqueue(store, 9_000);
      assertThat(ids.get(ids.size() - 1)).isEqualTo("9000"); // buckets 0, 1 and 2

      assertThat(listAll(store, 700)).containsExactlyElementsOf(LongStream.rangeClosed(1, 9_000).map(i -> 9_001 - i)
          .mapToObj(Long::toString).toList());
      assertThat(zcard(store, "jbk")).isEqualTo(3L);
    }
  }

  @Test
  void jobsAnEarlierVersionFiledInTheSortedSetAreListedAndLeaveItWhenDeleted() {
    try (RedisJobStore store = SharedRedis.open("index-legacy", CLOCK)) {
      List<String> ids = enqueue(store, 10);
      String p = store.link().config().keyPrefix();
      // the layout of an earlier version for the odd ids: a member of 'all' (score id), no bit
      for (String id : ids) {
        if (Long.parseLong(id) % 2 == 1) {
          SharedRedis.server().command("SETBIT", p + "jb:0", id, "0");
          SharedRedis.server().command("ZADD", p + "all", id, String.format("%016d", Long.parseLong(id)));
        }
      }

      assertThat(listAll(store, 3)).containsExactly("10", "9", "8", "7", "6", "5", "4", "3", "2", "1");

      for (String id : ids) {
        store.cancel(id, NOW);
        assertThat(store.control().deleteJob(id).name()).isEqualTo("DELETED");
      }
      assertThat(SharedRedis.server().command("EXISTS", p + "all", p + "jb:0")).isEqualTo(0L);
      assertThat(listAll(store, 3)).isEmpty();
      assertThat(zcard(store, "jbk")).as("the newest bucket stays listed: new jobs may come into it").isEqualTo(1L);
      assertThat(enqueue(store, 1)).containsExactly("11");
      assertThat(listAll(store, 3)).containsExactly("11");
    }
  }

  @Test
  void openingAStoreMovesTheJobsOfTheSortedSetIntoTheBitmaps() {
    try (RedisJobStore first = SharedRedis.open("index-migrate", CLOCK)) {
      List<String> ids = enqueue(first, 5_000); // buckets 0 and 1
      String p = first.link().config().keyPrefix();
      // every job as an earlier version filed it: a member of 'all' (score id), no bitmaps
      SharedRedis.server().command("DEL", p + "jb:0", p + "jb:1", p + "jbk", p + "jbt");
      List<String> zadd = new ArrayList<>(List.of("ZADD", p + "all"));
      for (String id : ids) {
        zadd.add(id);
        zadd.add(String.format("%016d", Long.parseLong(id)));
      }
      SharedRedis.server().command(zadd.toArray(String[]::new));

      try (RedisJobStore second = RedisJobStore.open(first.config(), CLOCK)) {
        assertThat(SharedRedis.server().command("EXISTS", p + "all")).isEqualTo(0L);
        assertThat(SharedRedis.server().command("ZRANGE", p + "jbk", "0", "-1")).isEqualTo(List.of("0", "1"));
        assertThat(SharedRedis.server().command("GET", p + "jbt")).isEqualTo("1");
        assertThat(listAll(second, 1_000)).containsExactlyElementsOf(LongStream.rangeClosed(1, 5_000)
            .map(i -> 5_001 - i).mapToObj(Long::toString).toList());
        assertThat(enqueue(second, 1)).containsExactly("5001");
        second.cancel("5000", NOW);
        assertThat(second.control().deleteJob("5000").name()).isEqualTo("DELETED");
        assertThat(listAll(second, 1_000)).hasSize(5_000).startsWith("5001", "4999");
      }
    }
  }

  @Test
  void aBucketEmptiedBelowTheNewestIsDropped() {
    try (RedisJobStore store = SharedRedis.open("index-drop", CLOCK)) {
      List<String> ids = enqueue(store, 4_100); // bucket 0 (ids 1-4095) and bucket 1 (4096-4100)
      String p = store.link().config().keyPrefix();
      for (String id : ids.subList(0, 4_095)) {
        store.cancel(id, NOW);
      }
      int deleted = store.inspector().purge(JobFilter.all().withLimit(10_000));
      assertThat(deleted).isEqualTo(4_095);

      assertThat(SharedRedis.server().command("EXISTS", p + "jb:0")).isEqualTo(0L);
      assertThat(SharedRedis.server().command("ZRANGE", p + "jbk", "0", "-1")).isEqualTo(List.of("1"));
      assertThat(listAll(store, 1_000)).containsExactly("4100", "4099", "4098", "4097", "4096");
    }
  }

  private static List<String> enqueue(RedisJobStore store, int n) {
    List<String> ids = new ArrayList<>();
    for (int from = 0; from < n; from += 1_000) {
      List<NewJob> batch = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 1_000); i++) {
        batch.add(new NewJob("t", "{\"n\":" + i + "}", "default", 0, NOW, null, JobPolicy.defaults(), NOW));
      }
      store.enqueue(batch).stream().map(EnqueueResult::jobId).forEach(ids::add);
    }
    return ids;
  }

  /** Every job's id, newest first, page by page. */
  private static List<String> listAll(RedisJobStore store, int pageSize) {
    List<String> out = new ArrayList<>();
    String before = null;
    do {
      JobPage page = store.inspector().page(JobFilter.all().withLimit(pageSize).withBeforeId(before));
      page.jobs().stream().map(JobInfo::id).forEach(out::add);
      before = page.nextBeforeId();
    } while (before != null);
    return out;
  }

  private static Object zcard(RedisJobStore store, String key) {
    return SharedRedis.server().command("ZCARD", store.link().config().keyPrefix() + key);
  }
}
