package dev.spindle.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.store.redis.internal.Script;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Lua library runs as Redis Functions, loaded once: every call starts with {@code begin}, which
 * must reset each piece of per-call state (else a call sees the last call's buffers); the library
 * comes back after the server lost it; and the EVAL fallback still works.
 */
class ScriptStateTest {
  /** Module-level locals that no call changes (patterns, limits, tables of constants). */
  private static final Set<String> CONSTANTS = Set.of("STATUS", "MAX_SECOND", "REQ_TTL_MS", "STAT_TTL", "STAT_CODE",
      "ESC", "HEAD", "RUNNING_SUCCESS", "CLAIMABLE", "BIG", "ECODE", "ENAME", "TERMINAL", "ALLOWED", "EFFECT", "FTURN",
      "LEDGER", "CLAIMED", "ATTEMPT");
  private static final Pattern TOP_LOCAL = Pattern.compile("(?m)^local (?!function)([A-Za-z_][A-Za-z0-9_, ]*?)\\s*(=|$|--)");

  @Test
  void beginResetsEveryModuleLevelVariableThatIsNotAConstant() throws IOException {
    String lib = lua("lib") + "\n" + lua("deps");
    String begin = lib.substring(lib.indexOf("local function begin("));
    begin = begin.substring(0, begin.indexOf("\nend"));
    List<String> unreset = new ArrayList<>();
    Matcher m = TOP_LOCAL.matcher(lib);
    while (m.find()) {
      for (String name : m.group(1).split(",")) {
        String n = name.strip();
        if (!CONSTANTS.contains(n) && !Pattern.compile("(?m)(^|[ ,])" + n + "[ ,]").matcher(begin).find()) {
          unreset.add(n);
        }
      }
    }
    assertThat(unreset).as("module-level variables of lib.lua/deps.lua that begin() does not reset: reset them "
        + "there, or list them in CONSTANTS if no call changes them").isEmpty();
  }

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

  private static String lua(String name) throws IOException {
    try (InputStream in = Script.class.getResourceAsStream("lua/" + name + ".lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
