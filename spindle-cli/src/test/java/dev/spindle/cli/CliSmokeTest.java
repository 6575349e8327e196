package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Smoke tests of every {@code ./spindle} command and subcommand: each one's help, and a
 * real run of each with its real output and exit status, on an embedded SQLite store in a temporary
 * directory. Commands that run until stopped (worker, dashboard, services) run as child JVMs of the
 * real command line and are stopped as a user would (SIGTERM, {@code spindle ctl stop}). A command
 * added without a run here (or in the dedicated test named in {@link #RUN_BY}) fails
 * {@link #everyCommandHasHelpAndARealRun}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliSmokeTest {
  /**
   * Every command path and the test that runs it for real: this class, or a dedicated test that
   * already runs it end to end with assertions on its output.
   */
  private static final Map<String, String> RUN_BY = Map.ofEntries(
      Map.entry("spindle", "CliSmokeTest.help"),
      Map.entry("help", "CliSmokeTest.help"),
      Map.entry("spinner", "CliSmokeTest.examples"),
      Map.entry("primes", "CliSmokeTest.examples"),
      Map.entry("primes sweep", "CliSmokeTest.examples"),
      Map.entry("producer-consumer", "CliSmokeTest.examples"),
      Map.entry("bank", "CliSmokeTest.examples"),
      Map.entry("cpu-scaling", "CliSmokeTest.examples"),
      Map.entry("basics", "BasicsCommandTest (every program's output)"),
      Map.entry("futurist", "FuturistCommandTest (statistics, reject, periodics)"),
      Map.entry("asyncio", "AsyncioCommandTest (hello, run-in-executor, wait-timeout, the experiment, primes on the loop)"),
      Map.entry("thumbnails", "ThumbnailsCommandTest (samples end to end, faults, variants, bad arguments)"),
      Map.entry("demo", "CliSmokeTest.demo"),
      Map.entry("enqueue", "CliSmokeTest.queueCommands"),
      Map.entry("worker", "CliSmokeTest.worker"),
      Map.entry("status", "CliSmokeTest.queueCommands"),
      Map.entry("migrate", "CliSmokeTest.queueCommands (SQLite; --print: PostgresSchemaStatusTest, MariaDbSchemaTest)"),
      Map.entry("jobs", "CliSmokeTest.queueCommands"),
      Map.entry("jobs list", "CliSmokeTest.queueCommands"),
      Map.entry("jobs show", "CliSmokeTest.queueCommands"),
      Map.entry("jobs tree", "CliSmokeTest.queueCommands"),
      Map.entry("jobs retry", "CliSmokeTest.queueCommands"),
      Map.entry("jobs cancel", "CliSmokeTest.queueCommands"),
      Map.entry("jobs signal", "DurableJobsCommandTest (by id and unique key, bad payload and name, no store)"),
      Map.entry("jobs purge", "CliSmokeTest.queueCommands"),
      Map.entry("jobs resume", "ResumeCommandTest (dry run, bad arguments, a resume audited, a second refused)"),
      Map.entry("workflow", "WorkflowCommandTest (the chain, the chord and the failing branch, with trees)"),
      Map.entry("workflow thumbnails", "WorkflowCommandTest (contact sheet and gaps)"),
      Map.entry("schedules", "CliSmokeTest.queueCommands"),
      Map.entry("schedules list", "CliSmokeTest.queueCommands"),
      Map.entry("schedules add", "CliSmokeTest.queueCommands"),
      Map.entry("schedules remove", "CliSmokeTest.queueCommands"),
      Map.entry("flow", "FlowCommandTest (set, list, why, remove at run time; bad limits)"),
      Map.entry("flow list", "FlowCommandTest"),
      Map.entry("flow set", "FlowCommandTest"),
      Map.entry("flow remove", "FlowCommandTest"),
      Map.entry("flow why", "FlowCommandTest"),
      Map.entry("incidents", "IncidentsCommandTest (check raises, alerts once and resolves; list, show)"),
      Map.entry("incidents list", "IncidentsCommandTest"),
      Map.entry("incidents show", "IncidentsCommandTest"),
      Map.entry("incidents check", "IncidentsCommandTest"),
      Map.entry("dashboard", "CliSmokeTest.dashboard"),
      Map.entry("services", "CliSmokeTest.servicesAndCtl"),
      Map.entry("ctl", "CliSmokeTest.servicesAndCtl"),
      Map.entry("ctl status", "CliSmokeTest.servicesAndCtl"),
      Map.entry("ctl scale", "CliSmokeTest.servicesAndCtl"),
      Map.entry("ctl reload", "CliSmokeTest.servicesAndCtl"),
      Map.entry("ctl stop", "CliSmokeTest.servicesAndCtl"),
      Map.entry("lock", "LockCommandTest (command under the lock with its token, held lock, holders, bad arguments)"));

  @TempDir
  Path dir;

  private String store;

  @BeforeEach
  void setUp() {
    store = "sqlite:" + dir.resolve("jobs.db");
  }

  /** Runs {@code args} and checks it succeeded, showing what it printed if not. */
  private static CliRun ok(String... args) {
    CliRun r = CliRun.of(args);
    assertThat(r.code()).as("exit status of spindle %s%nout: %s%nerr: %s", String.join(" ", args), r.out(), r.err())
        .isZero();
    return r;
  }

  private static void collect(CommandLine c, String path, List<String> into) {
    into.add(path);
    for (Map.Entry<String, CommandLine> sub : c.getSubcommands().entrySet()) {
      if (sub.getValue().getCommandName().equals(sub.getKey())) { // skip aliases
        collect(sub.getValue(), path.isEmpty() ? sub.getKey() : path + " " + sub.getKey(), into);
      }
    }
  }

  @Test
  void everyCommandHasHelpAndARealRun() {
    List<String> paths = new ArrayList<>();
    collect(SpindleCli.commandLine(), "", paths);
    List<String> named = new ArrayList<>();
    for (String p : paths) {
      List<String> args = new ArrayList<>(p.isEmpty() ? List.of() : List.of(p.split(" ")));
      args.add("--help");
      CliRun r = ok(args.toArray(String[]::new));
      String qualified = p.isEmpty() ? "spindle" : "spindle " + p;
      assertThat(r.out()).as("help of %s", qualified).contains("Usage: " + qualified);
      assertThat(r.err()).as("help of %s writes nothing on stderr", qualified).isEmpty();
      named.add(p.isEmpty() ? "spindle" : p);
    }
    assertThat(new TreeSet<>(named)).as("every command has a real run (RUN_BY)")
        .isEqualTo(new TreeSet<>(RUN_BY.keySet()));
  }

  @Test
  void help() {
    CliRun top = ok();
    assertThat(top.out()).startsWith("Usage: spindle").contains("enqueue").contains("worker").contains("dashboard");
    CliRun h = ok("help", "enqueue");
    assertThat(h.out()).startsWith("Usage: spindle enqueue").contains("--delay");
    CliRun v = ok("--version");
    assertThat(v.out()).startsWith("spindle ");
    CliRun unknown = CliRun.of("nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument at index 0: 'nope'");
  }

  @Test
  void queueCommands() {
    String greeted = ok("enqueue", "demo.greet", "\"ann\"", "--store", store).out().strip();
    assertThat(greeted).matches("\\d+");
    String later = ok("enqueue", "demo.greet", "\"bob\"", "--delay", "1h", "--store", store).out().strip();
    assertThat(later).matches("\\d+");
    CliRun many = ok("enqueue", "demo.tick", "\"t\"", "--count", "3", "--store", store);
    assertThat(many.out().lines().toList()).hasSize(3).allSatisfy(id -> assertThat(id).matches("\\d+"));

    CliRun list = ok("jobs", "list", "--store", store);
    assertThat(list.out()).startsWith("ID").contains("demo.greet").contains("QUEUED").contains("SCHEDULED");
    assertThat(list.out().lines().skip(1).count()).as("five jobs listed").isEqualTo(5);
    CliRun scheduled = ok("jobs", "list", "--state", "scheduled", "--store", store);
    assertThat(scheduled.out().lines().skip(1).toList()).singleElement().asString().startsWith(later + " ");

    CliRun show = ok("jobs", "show", greeted, "--store", store);
    assertThat(show.out()).contains("job        " + greeted).contains("task       demo.greet")
        .contains("state      QUEUED").contains("args       \"ann\"");
    CliRun tree = ok("jobs", "tree", greeted, "--store", store);
    assertThat(tree.out()).contains(greeted).contains("demo.greet");

    CliRun status = ok("status", "--store", store);
    assertThat(status.out()).contains("store: sqlite:" + dir.resolve("jobs.db"));
    assertThat(ok("migrate", "--store", store).out()).contains("schema current");
    CliRun print = CliRun.of("migrate", "--print", "--store", store);
    assertThat(print.code()).isEqualTo(2);
    assertThat(print.err()).contains("--print is for PostgreSQL and MariaDB stores");

    CliRun cancel = ok("jobs", "cancel", later, "--store", store);
    assertThat(cancel.out()).startsWith(later + " ").containsIgnoringCase("cancelled");
    CliRun retry = ok("jobs", "retry", later, "--store", store);
    assertThat(retry.out()).contains(later + " QUEUED");
    CliRun purge = ok("jobs", "purge", "--all", "--store", store);
    assertThat(purge.out()).containsPattern("\\d+ job\\(s\\) purged");

    CliRun add = ok("schedules", "add", "nightly", "demo.tick", "\"n\"", "--cron", "@daily", "--store", store);
    assertThat(add.out()).startsWith("nightly: ").contains("next tick");
    CliRun schedules = ok("schedules", "list", "--store", store);
    assertThat(schedules.out()).startsWith("NAME").contains("nightly").contains("demo.tick");
    assertThat(ok("schedules", "remove", "nightly", "--store", store).out()).contains("nightly removed");
    assertThat(ok("schedules", "list", "--store", store).out()).contains("(no schedules)");
    CliRun missing = CliRun.of("schedules", "remove", "nightly", "--store", store);
    assertThat(missing.code()).isNotZero();
    assertThat(missing.err()).contains("no schedule named 'nightly'");
    CliRun noJob = CliRun.of("jobs", "show", "999999", "--store", store);
    assertThat(noJob.code()).isNotZero();
    assertThat(noJob.err()).contains("999999");
  }

  @Test
  void examples() {
    CliRun spinner = ok("spinner", "--seconds", "1", "--slow", "sleep");
    assertThat(spinner.out()).contains("Answer: 42");
    CliRun primes = ok("primes", "--model", "threads", "--workers", "2");
    assertThat(primes.out()).contains("9999999999999917").contains("142702110479723");
    CliRun sweep = ok("primes", "sweep", "--models", "threads", "--max-workers", "1", "--runs", "1", "--out",
        dir.resolve("sweep").toString());
    assertThat(sweep.out()).isNotBlank();
    assertThat(dir.resolve("sweep").resolve("primes-sweep.csv")).exists();
    CliRun pc = ok("producer-consumer", "--simple");
    assertThat(pc.out()).isNotBlank();
    CliRun bank = ok("bank", "--model", "threads", "--times", "1000");
    assertThat(bank.out()).contains("BankAccount: +100 and -50, 1,000 times each");
    CliRun cpu = ok("cpu-scaling", "--models", "sequential,threads", "--workers", "2", "--count", "100000");
    assertThat(cpu.out()).contains("compute(): sum of 100,000 random integers").contains("results[0]=");
  }

  @Test
  void demo() {
    CliRun demo = ok("demo", "--in-process", "--store", dir.resolve("demo.db").toString());
    assertThat(demo.out() + demo.err()).containsIgnoringCase("demo");
  }

  // ---------------------------------------------------------------- long-running commands

  /** A child JVM running the real command line; its output goes to files. */
  private record Child(Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out);
    }

    String stderr() throws IOException {
      return Files.readString(err);
    }
  }

  private Child spawn(String name, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), SpindleCli.class.getName()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    return new Child(p, out, err);
  }

  /** SIGTERM, as Ctrl-C or a service manager would stop it; returns the exit status. */
  private static int terminate(Child c) throws InterruptedException {
    c.process().destroy();
    if (!c.process().waitFor(60, TimeUnit.SECONDS)) {
      c.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      throw new AssertionError("did not stop within 60 s of SIGTERM");
    }
    return c.process().exitValue();
  }

  @Test
  void worker() throws Exception {
    Child w = spawn("worker", "worker", "--store", store, "--concurrency", "2", "--grace", "5s");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> w.stderr().contains("consuming [default]"));
      CliRun r = ok("enqueue", "demo.greet", "\"ann\"", "--wait", "60s", "--store", store);
      assertThat(r.out()).contains("ann");
      CliRun list = ok("jobs", "list", "--state", "succeeded", "--store", store);
      assertThat(list.out()).contains("demo.greet");
      CliRun status = ok("status", "--store", store);
      assertThat(status.out()).contains("worker");
    } finally {
      int code = terminate(w);
      // SIGTERM: the JVM runs the shutdown hook (graceful stop) and exits with 128 + 15
      assertThat(code).as("exit status after SIGTERM; stderr: %s", w.stderr()).isEqualTo(143);
      assertThat(w.stderr()).contains("spindle worker: stopping (grace 5");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void dashboard() throws Exception {
    CliRun token = ok("dashboard", "--new-token");
    assertThat(token.out()).startsWith("token ").contains("hash  ");
    CliRun hash = CliRun.withInput(new ByteArrayInputStream("correct horse battery".getBytes(StandardCharsets.UTF_8)),
        "dashboard", "--hash-password");
    assertThat(hash.code()).isZero();
    assertThat(hash.out().strip()).isNotBlank().doesNotContain("correct horse");
    CliRun shortPw = CliRun.withInput(new ByteArrayInputStream("short".getBytes(StandardCharsets.UTF_8)), "dashboard",
        "--hash-password");
    assertThat(shortPw.code()).isEqualTo(2);
    assertThat(shortPw.err()).contains("at least 8 characters");

    ok("enqueue", "demo.greet", "\"ann\"", "--store", store);
    int port = freePort();
    Child d = spawn("dashboard", "dashboard", "--store", store, "--port", Integer.toString(port));
    try {
      // the URL and nothing else: no start-up log of the web server before it, on either stream
      Pattern url = Pattern.compile("(http://\\S+)/\\?token=(\\S+)\n");
      String printed = await().atMost(Duration.ofSeconds(60)).until(d::stdout, s -> url.matcher(s).find());
      Matcher m = url.matcher(printed);
      assertThat(m.matches()).as("stdout is the URL alone: %s", printed).isTrue();
      assertThat(d.stderr()).as("stderr").isEmpty();
      assertThat(m.group(1)).isEqualTo("http://127.0.0.1:" + port);
      HttpClient http = HttpClient.newHttpClient();
      URI status = URI.create(m.group(1) + "/api/v1/status");
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(status).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).as("the API without credentials").isEqualTo(401);
      HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(status)
          .header("Authorization", "Bearer " + m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(withToken.statusCode()).as("the API with the printed token").isEqualTo(200);
      assertThat(withToken.body()).containsIgnoringCase("queued");
    } finally {
      terminate(d);
    }
  }

  @Test
  void servicesAndCtl() throws Exception {
    Path runDir = dir.resolve("run");
    Child m = spawn("services", "services", "printer", "--workers", "1", "--interval", "200ms", "--name", "smoke",
        "--run-dir", runDir.toString());
    boolean stopped = false;
    try {
      String[] where = {"--name", "smoke", "--run-dir", runDir.toString()};
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        CliRun st = CliRun.of(concat(new String[] {"ctl", "status"}, where));
        return st.code() == 0 && st.out().contains("printer: 1 worker(s) wanted, 1 running");
      });
      CliRun scale = ok(concat(new String[] {"ctl", "scale", "printer=2"}, where));
      assertThat(scale.out()).contains("printer: 1 -> 2 workers");
      CliRun reload = ok(concat(new String[] {"ctl", "reload"}, where));
      assertThat(reload.out()).contains("reloaded");
      assertThat(ok(concat(new String[] {"ctl", "stop"}, where)).out()).contains("stopping");
      assertThat(m.process().waitFor(60, TimeUnit.SECONDS)).as("the master stops after ctl stop").isTrue();
      stopped = true;
      assertThat(m.process().exitValue()).as("stderr: %s", m.stderr()).isZero();
      assertThat(m.stderr()).contains("spindle services: master pid").contains("spindle services: stopped");
      assertThat(m.stdout()).contains("Doing stuff");
    } finally {
      if (!stopped) {
        terminate(m);
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
