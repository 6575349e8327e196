package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.redis.internal.Script;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Lua library runs as Redis Functions, loaded once: the library comes back after the server lost
 * it, and the EVAL fallback still works. (That no call's state outlives it is checked by
 * {@code LuaLibraryShapeTest}.)
 */
class ScriptStateTest {
  @Test
  void scriptsRunAsFunctionsAndTheLibraryComesBackAfterTheServerLostIt() {
    try (RedisJobStore store = SharedRedis.open("functions", null)) {
      assertThat(store.link().functions()).isTrue();
      String first = store.enqueue(List.of(job("a"))).get(0).jobId();
      SharedRedis.server().command("FUNCTION", "FLUSH");
      String second = store.enqueue(List.of(job("b"))).get(0).jobId();
      assertThat(Long.parseLong(second)).isEqualTo(Long.parseLong(first) + 1);
      assertThat(store.find(second).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      @SuppressWarnings("unchecked")
      List<Object> libs = (List<Object>) SharedRedis.server().command("FUNCTION", "LIST", "LIBRARYNAME",
          Script.library().name());
      assertThat(libs).hasSize(1);
    }
  }

  @Test
  void theEvalFallbackRunsTheSameScripts() {
    System.setProperty(RedisStoreConfig.SCRIPTING_PROPERTY, "eval");
    try (RedisJobStore store = SharedRedis.open("eval", null)) {
      assertThat(store.link().functions()).isFalse();
      String id = store.enqueue(List.of(job("c"))).get(0).jobId();
      assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    } finally {
      System.clearProperty(RedisStoreConfig.SCRIPTING_PROPERTY);
    }
  }

  private static NewJob job(String input) {
    Instant now = Instant.now();
    return new NewJob("t", "\"" + input + "\"", "default", 0, now, null, JobPolicy.defaults(), now);
  }
}
