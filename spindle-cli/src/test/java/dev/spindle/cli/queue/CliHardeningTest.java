package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.cli.CliRun;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.StoreBackend;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clear errors and CLI gaps: every hostile or mistaken input gets a short, clear, escaped
 * usage error (exit 2) and changes nothing; arguments can come from a file or standard input. Runs
 * the real command line on a real SQLite file.
 */
class CliHardeningTest {
  @TempDir
  Path dir;

  private String store;

  @BeforeEach
  void setUp() {
    store = "sqlite:" + dir.resolve("jobs.db");
  }

  private List<JobInfo> jobs() {
    try (StoreBackend s = JobStores.open(store)) {
      return s.inspector().listJobs(JobFilter.all());
    }
  }

  @Test
  void hugeOrOverflowingDurationsAndFarRunTimesGetAClearError() {
    CliRun r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store, "--delay", "9223372036854775807s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("too long: at most 36525 days").doesNotContain("overflow");
    r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store, "--delay", "99999999999999999999999d");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("too long");
    r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store, "--at", "2400-01-01T00:00:00Z");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("too far ahead").contains("36525 days");
    assertThat(jobs()).isEmpty();
  }

  @Test
  void theDashboardRefusesPlainHttpOnTheNetworkUnlessAcknowledgedAndBadHostNames() {
    assertThat(jobs()).isEmpty(); // the dashboard only reads: the store must exist
    CliRun r = CliRun.of("dashboard", "--store", store, "--port", "0", "--bind", "0.0.0.0", "--allowed-host",
        "jobs.example.org");
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("plain HTTP on 0.0.0.0", "not a loopback address", "--insecure-http-on-network");
    r = CliRun.of("dashboard", "--store", store, "--port", "0", "--allowed-host", "jobs.example.org/x");
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("not a host name");
    assertThat(jobs()).isEmpty();
  }

  @Test
  void aBadStoreParameterListsTheAllowedValues() {
    CliRun r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store + "?durability=bogus");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("durability must be one of [normal, full]").doesNotContain("No enum constant");
  }

  @Test
  void argumentsTheTaskCannotHoldExactlyAreRefusedAtEnqueue() {
    CliRun r = CliRun.of("enqueue", "primes.check", "1.5", "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("1.5 is not a whole number").contains("Long");
    r = CliRun.of("enqueue", "primes.check", "null", "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("null is not a Long");
    r = CliRun.of("enqueue", "primes.check", "--store", store);
    assertThat(r.code()).as("no ARGS means null").isEqualTo(2);
    assertThat(jobs()).isEmpty();
    assertThat(CliRun.of("enqueue", "primes.check", "97", "--store", store).code()).isZero();
    assertThat(jobs()).extracting(JobInfo::argsJson).containsExactly("97");
  }

  @Test
  void inputEchoedInErrorsIsBoundedAndEscaped() {
    String hostile = "\u001b[31mred" + "x".repeat(100_000);
    CliRun r = CliRun.of("enqueue", hostile, "1", "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("\u001b").contains("\\u001b[31mred").contains("more characters");
    assertThat(r.err().length()).isLessThan(1500);
    r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--store", store, "--delay", hostile);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("\u001b").contains("\\u001b");
    assertThat(r.err().length()).isLessThan(1500);
    r = CliRun.of("status", "--store", store, "--bogus-option-\u001b]0;title\u0007");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("\u001b").doesNotContain("\u0007");
  }

  @Test
  void argumentsComeFromAFileOrStandardInput() throws Exception {
    Path f = dir.resolve("args.json");
    String big = "\"" + "y".repeat(200_000) + "\""; // more than a command line can carry
    Files.writeString(f, big);
    CliRun r = CliRun.of("enqueue", "demo.greet", "--args-file", f.toString(), "--store", store);
    assertThat(r.code()).as(r.err()).isZero();
    r = CliRun.withInput(new ByteArrayInputStream("\"from stdin\"".getBytes(StandardCharsets.UTF_8)),
        "enqueue", "demo.greet", "--args-file", "-", "--store", store);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(jobs()).extracting(JobInfo::argsJson).containsExactlyInAnyOrder(big, "\"from stdin\"");
    r = CliRun.of("enqueue", "demo.greet", "\"x\"", "--args-file", f.toString(), "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("either as ARGS or with --args-file");
    r = CliRun.of("enqueue", "demo.greet", "--args-file", dir.resolve("missing.json").toString(), "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("cannot read --args-file");
  }

  @Test
  void aProcessLocalStoreIsRefusedWhereItCannotWork() {
    for (String[] cmd : List.of(new String[] {"enqueue", "demo.greet", "\"x\""}, new String[] {"status"},
        new String[] {"jobs", "list"}, new String[] {"worker"})) {
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd),
          java.util.stream.Stream.of("--store", "memory:x")).toArray(String[]::new);
      CliRun r = CliRun.of(args);
      assertThat(r.code()).as(String.join(" ", cmd)).isEqualTo(2);
      assertThat(r.err()).contains("store inside this one process");
      assertThat(r.out()).doesNotContainPattern("^\\d+\\s*$");
    }
  }

  @Test
  void listLimitsAndWatchIntervalsAreChecked() {
    assertThat(CliRun.of("jobs", "list", "-n", "0", "--store", store).err()).contains("-n/--limit must be within 1..");
    assertThat(CliRun.of("jobs", "list", "-n", "-1", "--store", store).code()).isEqualTo(2);
    JobStores.open(store).close(); // a reading command opens an existing store only
    assertThat(CliRun.of("jobs", "list", "-n", "5", "--store", store).code()).isZero();
    CliRun r = CliRun.of("status", "--watch", "1ms", "--store", store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--watch must be at least 100ms");
  }

  @Test
  void aPrefetchOutOfRangeIsRefusedBeforeAnyWorkerStarts() {
    for (String n : List.of("-1", "10001")) {
      CliRun one = CliRun.of("worker", "--prefetch", n, "--store", store);
      assertThat(one.code()).as("--prefetch %s", n).isEqualTo(2);
      assertThat(one.err()).contains("prefetch must be in 0..10000: " + n);
      CliRun supervised = CliRun.of("worker", "--processes", "2", "--prefetch", n, "--store", store);
      assertThat(supervised.code()).as("--processes 2 --prefetch %s", n).isEqualTo(2);
      assertThat(supervised.err()).contains("prefetch must be in 0..10000: " + n);
    }
  }
}
