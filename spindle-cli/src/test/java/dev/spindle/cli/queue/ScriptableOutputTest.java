package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code --json} prints one JSON document on stdout and nothing else, with the documented field
 * names; {@code --quiet} prints ids, one per line.
 */
class ScriptableOutputTest {
  @TempDir
  Path dir;

  private String store;

  @BeforeEach
  void setUp() {
    store = "sqlite:" + dir.resolve("jobs.db");
  }

  /** Runs a command that must succeed and parses its stdout as exactly one JSON document on one line. */
  private static JsonNode json(String... args) {
    CliRun r = CliRun.of(args);
    assertThat(r.code()).as("spindle %s: %s", String.join(" ", args), r.err()).isZero();
    assertThat(r.out()).as("one line").endsWith("\n");
    assertThat(r.out().strip()).as("one line").doesNotContain("\n");
    return CliJson.MAPPER.readTree(r.out());
  }

  @Test
  void enqueueAndJobsPrintJsonAndIds() {
    JsonNode one = json("enqueue", "demo.greet", "\"ann\"", "--json", "--store", store);
    assertThat(one.get("added").asInt()).isEqualTo(1);
    assertThat(one.get("exitCode").asInt()).isZero();
    String id = one.get("jobs").get(0).get("id").asString();
    assertThat(one.get("jobs").get(0).get("new").asBoolean()).isTrue();

    CliRun quiet = CliRun.of("enqueue", "demo.tick", "\"t\"", "--count", "3", "--quiet", "--store", store);
    assertThat(quiet.code()).isZero();
    List<String> ids = quiet.out().lines().toList();
    assertThat(ids).hasSize(3).doesNotHaveDuplicates().allMatch(s -> s.matches("\\S+"));

    JsonNode list = json("jobs", "list", "--json", "--store", store);
    assertThat(list.get("jobs")).hasSize(4);
    JsonNode greet = list.get("jobs").get(3);
    assertThat(greet.get("id").asString()).isEqualTo(id);
    assertThat(greet.get("task").asString()).isEqualTo("demo.greet");
    assertThat(greet.get("state").asString()).isEqualTo("QUEUED");
    assertThat(greet.get("queue").asString()).isEqualTo("default");
    assertThat(greet.get("args").asString()).isEqualTo("ann");
    assertThat(greet.get("createdAt").asString()).endsWith("Z");
    assertThat(list.get("nextBefore").isNull()).isTrue();
    JsonNode page = json("jobs", "list", "--json", "--limit", "2", "--store", store);
    assertThat(page.get("nextBefore").asString()).isEqualTo(page.get("jobs").get(1).get("id").asString());

    List<String> listed = CliRun.of("jobs", "list", "--quiet", "--store", store).out().lines().toList();
    List<String> all = new ArrayList<>(ids.reversed());
    all.add(id);
    assertThat(listed).as("newest first, ids only").isEqualTo(all);

    JsonNode show = json("jobs", "show", id, "--json", "--store", store);
    assertThat(show.get("id").asString()).isEqualTo(id);
    assertThat(show.get("policy").get("maxAttempts").asInt()).isPositive();
    assertThat(show.has("flowHold")).isTrue();
  }

  @Test
  void statusSchedulesAndFlowPrintJson() {
    CliRun.of("enqueue", "demo.greet", "\"ann\"", "--queue", "mail", "--store", store);
    assertThat(CliRun.of("schedules", "add", "nightly", "demo.tick", "\"n\"", "--cron", "@daily", "--store", store)
        .code()).isZero();
    assertThat(CliRun.of("flow", "set", "api", "concurrency=2", "--store", store).code()).isZero();

    JsonNode status = json("status", "--json", "--store", store);
    assertThat(status.get("store").asString()).contains("jobs.db");
    assertThat(status.get("queues").get(0).get("name").asString()).isEqualTo("mail");
    assertThat(status.get("queues").get(0).get("counts").get("QUEUED").asLong()).isEqualTo(1);
    assertThat(status.get("totals").get("QUEUED").asLong()).isEqualTo(1);
    assertThat(status.get("workers")).isEmpty();
    assertThat(status.get("schedules").get(0).get("name").asString()).isEqualTo("nightly");
    assertThat(status.get("flowLimits").get(0).get("name").asString()).isEqualTo("api");

    JsonNode schedules = json("schedules", "list", "--json", "--store", store);
    JsonNode nightly = schedules.get("schedules").get(0);
    assertThat(nightly.get("task").asString()).isEqualTo("demo.tick");
    assertThat(nightly.get("queue").asString()).isEqualTo("default");
    assertThat(nightly.get("nextFireAt").asString()).endsWith("Z");

    JsonNode flow = json("flow", "list", "--json", "--store", store);
    assertThat(flow.get("flowLimits").get(0).get("spec").asString()).isEqualTo("api per=queue concurrency=2");
  }

  @Test
  void messagesGoToStderrAndJsonRefusesWhatItCannotPrint() {
    CliRun bad = CliRun.of("enqueue", "no.such.task", "1", "--json", "--store", store);
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.out()).as("nothing on stdout: no job was added").isEmpty();
    assertThat(bad.err()).contains("no.such.task");

    CliRun watch = CliRun.of("status", "--json", "--watch", "1s", "--store", store);
    assertThat(watch.code()).isEqualTo(2);
    assertThat(watch.err()).contains("--json prints one document");
    assertThat(CliRun.of("jobs", "list", "--json", "--quiet", "--store", store).code()).isEqualTo(2);
  }

  @Test
  void aWaitedJobIsPrintedWhole() {
    CliRun r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--delay", "1h", "--wait", "100ms", "--json", "--store",
        store);
    assertThat(r.code()).isEqualTo(6);
    JsonNode doc = CliJson.MAPPER.readTree(r.out());
    assertThat(doc.get("timedOut").asBoolean()).isTrue();
    assertThat(doc.get("exitCode").asInt()).isEqualTo(6);
    assertThat(doc.get("added").asInt()).isEqualTo(1);
  }
}
