package dev.spindle.web;

import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.testkit.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Encrypted jobs on a real redis-server (a namespace per test). */
class RedisEncryptedJobsTest extends EncryptedJobsContract {
  static RedisServer redis;
  static int n;

  @BeforeAll
  static void start() {
    redis = RedisServer.builder().appendOnly(false).start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Override
  StoreBackend openStore() {
    return JobStores.open(redis.url() + "/0?namespace=encrypted" + (++n));
  }
}
