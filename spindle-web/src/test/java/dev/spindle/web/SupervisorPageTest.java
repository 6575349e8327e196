package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.examples.PrinterService;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The workers page and {@code /api/v1/supervisors} show a real supervisor master on this host and
 * its child processes (pid, RSS, restarts, uptime), read through its control socket.
 */
class SupervisorPageTest {
  @TempDir
  Path dir;

  ServiceManager manager;
  WebFixture f;

  @AfterEach
  void stop() throws InterruptedException {
    if (f != null) {
      f.close();
    }
    if (manager != null) {
      manager.stopNow();
      manager.awaitTermination(Duration.ofSeconds(60));
    }
  }

  @Test
  void theMastersChildrenAreListedWithPidMemoryRestartsAndUptime() {
    Path run = dir.resolve("run");
    manager = ServiceManager.builder().name("printers").runDirectory(run)
        .memoryCheckInterval(Duration.ofMillis(100)).reportInterval(Duration.ofMillis(100))
        .childStdout(ProcessBuilder.Redirect.DISCARD)
        .service(ServiceConfig.builder("printer", PrinterService.class).workers(2)
            .args(new PrinterService.Args("hi", 60_000)).build()).build().start();
    var store = SqliteJobStore.open(dir.resolve("jobs.db"));
    f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).supervisorRunDirectory(run));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      JsonNode m = WebFixture.json(f.get("/api/v1/supervisors", WebFixture.VIEWER_TOKEN)).get("masters");
      return m.size() == 1 && m.get(0).has("services") && m.get(0).get("services").get(0).get("children").size() == 2
          && m.get(0).get("services").get(0).get("children").get(1).get("residentBytes").asLong() > 0;
    });
    JsonNode master = WebFixture.json(f.get("/api/v1/supervisors", WebFixture.VIEWER_TOKEN)).get("masters").get(0);
    assertThat(master.get("name").asString()).isEqualTo("printers");
    assertThat(master.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    JsonNode child = master.get("services").get(0).get("children").get(0);
    long pid = child.get("pid").asLong();
    assertThat(pid).isPositive().isNotEqualTo(ProcessHandle.current().pid());
    assertThat(ProcessHandle.of(pid)).isPresent();
    assertThat(child.get("restarts").asInt()).isZero();
    assertThat(child.get("uptimeSeconds").asLong()).isNotNegative();
    String page = f.get("/workers", WebFixture.OPERATOR_TOKEN).body();
    assertThat(page).contains("Supervised processes on this host", "printers", "data-pid=\"" + pid + "\"", "MiB");
  }

  @Test
  void withoutMastersThePageSaysHowToStartOne() {
    var store = SqliteJobStore.open(dir.resolve("jobs.db"));
    f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).supervisorRunDirectory(dir.resolve("none")));
    assertThat(f.get("/workers", WebFixture.OPERATOR_TOKEN).body()).contains("id=\"no-masters\"");
    assertThat(WebFixture.json(f.get("/api/v1/supervisors", WebFixture.VIEWER_TOKEN)).get("masters").size()).isZero();
  }
}
