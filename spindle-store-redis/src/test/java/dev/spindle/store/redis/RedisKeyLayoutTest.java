package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.testkit.redis.RedisCluster;
import dev.spindle.testkit.redis.RedisServer;
import dev.spindle.testkit.store.StoreContractTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What the Cluster design rests on: every key a store writes carries its namespace's hash tag, so
 * a namespace lives in one slot on one node; different namespaces spread over the nodes.
 */
class RedisKeyLayoutTest {
  @SuppressWarnings("unchecked")
  private static List<String> keys(RedisServer s) {
    return (List<String>) s.command("KEYS", "*");
  }

  private static void workload(RedisJobStore store) throws Exception {
    TaskRegistry reg = TaskRegistry.of(StoreContractTasks.class);
    try (JobQueue q = JobQueue.builder(store).registry(reg).build();
        Worker w = Worker.builder(store).registry(reg).queues("default", "limited").concurrency(2).name("layout")
            .pollInterval(Duration.ofMillis(20)).start()) {
      store.setQueueLimit("limited", 3);
      q.addSchedule(Schedule.every("every-minute", Duration.ofMinutes(1)).task(StoreContractTasks.ECHO, "tick").build());
      var hs = q.enqueueAll(StoreContractTasks.SQUARE, LongStream.range(0, 20).boxed().toList(),
          JobOptions.builder().queue("limited").build());
      q.enqueue(StoreContractTasks.ECHO, "later", JobOptions.builder().delay(Duration.ofHours(1)).uniqueKey("u1").build());
      for (var h : hs) {
        h.result(Duration.ofSeconds(30));
      }
      // workflows: one that runs, one that waits for a delayed job (its dependency keys stay)
      assertThat(q.submit(Workflow.chain(Workflow.task(StoreContractTasks.SQUARE, 3L),
          Workflow.fromUpstream(StoreContractTasks.SQUARE))).last().get(0).result(Duration.ofSeconds(30)).asLong()).isEqualTo(81);
      q.submit(Workflow.chain(Workflow.task(StoreContractTasks.ECHO, "x", JobOptions.builder()
          .delay(Duration.ofHours(1)).build()), Workflow.fromUpstream(StoreContractTasks.ECHO)));
      store.purgeExpired(Instant.now().plus(Duration.ofDays(30)), RetentionLimits.defaults());
      assertThat(store.inspector().listJobs(JobFilter.all())).isNotEmpty();
    }
  }

  @Test
  void everyKeyOfAStoreCarriesItsNamespaceTag() throws Exception {
    try (RedisServer redis = RedisServer.builder().appendOnly(false).start()) {
      try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(redis.url() + "?namespace=layout",
          Map.of()))) {
        workload(store);
      }
      List<String> keys = keys(redis);
      assertThat(keys).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith("{layout}:"));
      assertThat(keys).contains("{layout}:id", "{layout}:jb:0", "{layout}:jbk", "{layout}:jbt", "{layout}:queues", "{layout}:limits", "{layout}:pol",
          "{layout}:scheds", "{layout}:dn:0", "{layout}:nwt");
    }
  }

  @Test
  void eachNamespaceLivesOnTheNodeOfItsSlot() throws Exception {
    try (RedisCluster cluster = RedisCluster.start(3)) {
      List<String> namespaces = new ArrayList<>();
      for (int i = 0; namespaces.size() < 3; i++) {
        String ns = "ns" + i;
        int node = cluster.nodes().indexOf(cluster.nodeForSlot(RedisCluster.slot("{" + ns + "}")));
        if (namespaces.stream().noneMatch(n -> cluster.nodes().indexOf(cluster.nodeForSlot(RedisCluster.slot(
            "{" + n + "}"))) == node)) {
          namespaces.add(ns);
        }
      }
      for (String ns : namespaces) {
        try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromUrl(cluster.seedUrl() + "?cluster=true"
            + "&namespace=" + ns, Map.of()))) {
          workload(store);
        }
      }
      for (String ns : namespaces) {
        RedisServer home = cluster.nodeForSlot(RedisCluster.slot("{" + ns + "}"));
        for (RedisServer node : cluster.nodes()) {
          List<String> mine = keys(node).stream().filter(k -> k.startsWith("{" + ns + "}:")).toList();
          if (node == home) {
            assertThat(mine).as("keys of %s on its node", ns).isNotEmpty();
          } else {
            assertThat(mine).as("keys of %s elsewhere", ns).isEmpty();
          }
        }
      }
    }
  }
}
