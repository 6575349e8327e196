package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.RetryPolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.Worker;
import dev.spindle.queue.Workflow;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.health.Webhook;
import dev.spindle.queue.health.WebhookAlerter;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.supervisor.ServiceConfig;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.examples.PrinterService;
import dev.spindle.testkit.store.StoreContractTasks;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in real headless Chromium (Debian's chromium and chromedriver, driven by Selenium):
 * log in, list and page jobs, watch a running job finish live, retry a dead job, pause and resume a
 * queue, a job's attempts each with its own error, and a forged cross-site POST refused. Takes a screenshot of every page into
 * {@code -Dspindle.screenshots=DIR} (default {@code target/screenshots}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserTest {
  static Path dir;
  static SqliteJobStore store;
  static Dashboard dashboard;
  static JobQueue queue;
  static Worker worker;
  static ServiceManager supervisor;
  static WebDriver browser;
  static WebDriverWait wait;
  static Path shots;
  static String deadId;
  static String failedId;
  static final String GATE = "browser-" + System.nanoTime();
  static com.sun.net.httpserver.HttpServer receiver;
  static WebhookAlerter alerter;
  static final List<String> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("spindle-browser");
    store = SqliteJobStore.open(dir.resolve("jobs.db"));
    Path run = dir.resolve("run");
    supervisor = ServiceManager.builder().name("printers").runDirectory(run)
        .memoryCheckInterval(Duration.ofMillis(200)).reportInterval(Duration.ofMillis(200))
        .childStdout(ProcessBuilder.Redirect.DISCARD)
        .service(ServiceConfig.builder("printer", PrinterService.class).workers(2)
            .args(new PrinterService.Args("hi", 60_000)).build()).build().start();
    receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      alerts.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    alerter = WebhookAlerter.builder().webhook(Webhook.of("ops", "http://127.0.0.1:"
        + receiver.getAddress().getPort() + "/hook", Webhook.Format.JSON)).build();
    dashboard = WebFixture.configure(Dashboard.builder(store)).supervisorRunDirectory(run).alerts(alerter).build()
        .start();
    queue = JobQueue.builder(store).build();
    seed();
    shots = Path.of(System.getProperty("spindle.screenshots", "target/screenshots"));
    Files.createDirectories(shots);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(env("SPINDLE_CHROMIUM", "/usr/bin/chromium"));
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory("spindle-chromium"),
        "--window-size=1280,900", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(env("SPINDLE_CHROMEDRIVER", "/usr/bin/chromedriver"))).usingAnyFreePort()
        .build();
    browser = new ChromeDriver(service, o);
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  /** Jobs in every state a page shows: succeeded, failed with a stack trace, dead, waiting, running. */
  private static void seed() {
    for (int i = 0; i < 12; i++) {
      queue.enqueue(StoreContractTasks.ECHO.name(), "\"hello " + i + "\"", JobOptions.builder().queue("work").build());
    }
    failedId = queue.enqueue(StoreContractTasks.FAIL_TIMES.name(), "{\"key\":\"b-fail\",\"times\":9}",
        JobOptions.builder().queue("work").retry(RetryPolicy.none()).build()).id();
    // arguments that do not fit the task's input: dead-lettered (bad_args)
    deadId = queue.enqueue(StoreContractTasks.SQUARE.name(), "{\"amount\": 42, \"currency\": \"EUR\"}",
        JobOptions.builder().queue("dl").build()).id();
    for (int i = 0; i < 3; i++) {
      queue.enqueue("mail.send", "{\"to\": \"user" + i + "@example.com\"}", JobOptions.builder().queue("mail")
          .build());
    }
    queue.addSchedule(Schedule.every("cleanup", Duration.ofMinutes(15)).task("maintenance.cleanup", "{}").build());
    queue.addSchedule(Schedule.cron("nightly-report", "0 3 * * *", java.time.ZoneOffset.UTC)
        .task("reports.nightly", "{\"format\": \"pdf\"}").build());
    try (Worker dl = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).queues("dl")
        .name("dead-letterer").pollInterval(Duration.ofMillis(20)).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> store.find(deadId).orElseThrow().state() == JobState.DEAD);
    }
    worker = Worker.builder(store).registry(TaskRegistry.of(StoreContractTasks.class)).queues("work")
        .name("worker-1").concurrency(4).pollInterval(Duration.ofMillis(20)).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(failedId).orElseThrow().state()
        == JobState.FAILED);
  }

  @AfterAll
  static void stop() {
    StoreContractTasks.release(GATE);
    if (browser != null) {
      browser.quit();
    }
    if (worker != null) {
      worker.close();
    }
    if (queue != null) {
      queue.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (alerter != null) {
      alerter.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (store != null) {
      store.close();
    }
    if (supervisor != null) {
      supervisor.stopNow();
      try {
        supervisor.awaitTermination(Duration.ofSeconds(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void open(String path) {
    browser.get(dashboard.url() + path);
  }

  private static void shot(String name) throws IOException {
    // the live dot turns green once the SSE stream is open: the page is fully up
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(shots.resolve("dashboard-" + name + ".png"), png);
  }

  private static String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  @Test
  @Order(1)
  void logsInWithAPassword() throws Exception {
    open("/");
    wait.until(ExpectedConditions.urlContains("/login"));
    shot("login");
    browser.findElement(By.id("user")).sendKeys("alice");
    browser.findElement(By.id("password")).sendKeys("wrong password");
    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
    browser.findElement(By.id("user")).clear();
    browser.findElement(By.id("user")).sendKeys("alice");
    browser.findElement(By.id("password")).sendKeys(WebFixture.PASSWORD);
    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
    wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
    assertThat(text("[data-live=total-dead]")).isEqualTo("1");
    // the last hour from the statistics kept in the store: wait percentiles, failures, charts
    assertThat(text("[data-live=wait-p95]")).startsWith("≤");
    assertThat(text("[data-live=failures]")).isEqualTo("2"); // the failed job and the dead one
    assertThat(browser.findElements(By.cssSelector("#chart-finished rect.ok"))).isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#chart-wait rect.wait"))).isNotEmpty();
    shot("overview");
  }

  @Test
  @Order(2)
  void listsFiltersAndPagesJobs() throws Exception {
    open("/jobs?limit=5");
    assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(5);
    String first = text("#job-table tbody tr:first-child td a");
    browser.findElement(By.id("page-older")).click();
    wait.until(ExpectedConditions.urlContains("before="));
    String next = text("#job-table tbody tr:first-child td a");
    assertThat(Long.parseLong(next)).isLessThan(Long.parseLong(first) - 4);
    open("/jobs");
    browser.findElement(By.cssSelector("#filter-state option[value=succeeded]")).click();
    browser.findElement(By.id("filter-apply")).click();
    wait.until(ExpectedConditions.urlContains("state=succeeded"));
    assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(12)
        .allSatisfy(r -> assertThat(r.getText()).contains("SUCCEEDED"));
    open("/jobs");
    shot("jobs");
    // search by text in the arguments (ASCII case ignored) and by time range, with the form
    browser.findElement(By.id("filter-q")).sendKeys("EXAMPLE.COM");
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
        "document.getElementById('filter-createdAfter').value = '2000-01-01T00:00:00';");
    browser.findElement(By.id("filter-apply")).click();
    wait.until(ExpectedConditions.urlContains("q=EXAMPLE.COM"));
    assertThat(browser.getCurrentUrl()).contains("createdAfter=2000-01-01T00%3A00");
    assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(3)
        .allSatisfy(r -> assertThat(r.getText()).contains("mail.send"));
    shot("jobs-search");
    open("/jobs?q=planned+failure");
    assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(1)
        .allSatisfy(r -> assertThat(r.getText()).contains(failedId)); // found in the error
    open("/jobs/" + failedId);
    assertThat(text("#job-error")).contains("IllegalStateException: planned failure 1 of 9", "at ");
    shot("job");
    await().atMost(Duration.ofSeconds(60)).until(() -> supervisor.status().service("printer").orElseThrow()
        .workerStatuses().stream().allMatch(w -> w.pid() > 0 && w.residentBytes() > 0));
    open("/workers");
    assertThat(text("#worker-table")).contains("worker-1");
    long childPid = supervisor.status().service("printer").orElseThrow().workerStatuses().get(0).pid();
    assertThat(text("#master-printers")).contains("printer", Long.toString(childPid), "MiB");
    shot("workers");
    open("/schedules");
    assertThat(text("#schedule-table")).contains("nightly-report", "cleanup");
  }

  @Test
  @Order(3)
  void watchesARunningJobFinishLive() throws Exception {
    String id = queue.enqueue(StoreContractTasks.BLOCK.name(), "\"" + GATE + "\"", JobOptions.builder().queue("work")
        .build()).id();
    assertThat(StoreContractTasks.awaitArrived(GATE, 20, TimeUnit.SECONDS)).isTrue();
    open("/jobs/" + id);
    assertThat(text("#job-state")).isEqualTo("RUNNING");
    wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
    StoreContractTasks.release(GATE);
    wait.until(ExpectedConditions.textToBe(By.id("job-state"), "SUCCEEDED")); // no reload: SSE + ETag fetch
  }

  static final CountDownLatch HALFWAY = new CountDownLatch(1);
  static final CountDownLatch FINISH = new CountDownLatch(1);

  /** Reports a quarter done, then three quarters once {@link #HALFWAY} opens, then ends at {@link #FINISH}. */
  static final dev.spindle.Task<String, String> REPORTER = dev.spindle.Task.withContext("browser.reporter",
      String.class, String.class, (in, tc) -> {
        tc.progress(0.25, "reading " + in);
        tc.log("opened " + in);
        assertThat(HALFWAY.await(60, TimeUnit.SECONDS)).isTrue();
        tc.progress(0.75, "writing " + in);
        tc.log(dev.spindle.TaskContext.LogLevel.WARN, "slow disk <i>today</i>");
        assertThat(FINISH.await(60, TimeUnit.SECONDS)).isTrue();
        return in;
      });

  @Test
  @Order(3)
  void showsARunningJobsProgressAndLogLive() throws Exception {
    TaskRegistry reg = TaskRegistry.builder().add(REPORTER).build();
    try (Worker w = Worker.builder(store).registry(reg).queues("reports").pollInterval(Duration.ofMillis(20))
        .progressFlushInterval(Duration.ofMillis(100)).start()) {
      String id = queue.enqueue(REPORTER.name(), "\"file.csv\"", JobOptions.builder().queue("reports").build()).id();
      await().atMost(Duration.ofSeconds(20)).until(() -> store.progress().orElseThrow().view(id).orElseThrow()
          .linesTotal() == 1);
      open("/jobs/" + id);
      assertThat(text("#job-progress-pct")).isEqualTo("25%");
      assertThat(text("#job-progress-message")).isEqualTo("reading file.csv");
      assertThat(text("#job-log")).contains("opened file.csv");
      wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
      HALFWAY.countDown();
      // no reload: each SSE tick refetches the job (ETag) and reads the new lines from /logs
      wait.until(ExpectedConditions.textToBe(By.id("job-progress-pct"), "75%"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-log"), "slow disk <i>today</i>"));
      assertThat(text("#job-progress-message")).isEqualTo("writing file.csv");
      assertThat(browser.findElements(By.cssSelector("#job-log tr.WARN"))).hasSize(1);
      assertThat(browser.findElements(By.cssSelector("#job-log i"))).as("text, not markup").isEmpty();
      shot("job-progress");
      FINISH.countDown();
      wait.until(ExpectedConditions.textToBe(By.id("job-state"), "SUCCEEDED"));
      assertThat(text("#job-log-count")).isEqualTo("2 line(s) logged");
    }
  }

  @Test
  @Order(4)
  void retriesADeadJob() throws Exception {
    open("/dead");
    assertThat(text("#job-table")).contains("store.square", "bad_args");
    shot("dead-letters");
    browser.findElement(By.id("retry-" + deadId)).click();
    wait.until(ExpectedConditions.textToBe(By.id("flash"), "Requeued."));
    assertThat(store.find(deadId).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    open("/audit");
    assertThat(text("#audit-table")).contains("alice", "job.retry", deadId);
    shot("audit");
  }

  @Test
  @Order(5)
  void pausesAndResumesAQueue() throws Exception {
    open("/queues");
    assertThat(text("tr[data-queue=mail]")).contains("no live worker listens to this queue");
    browser.findElement(By.id("pause-mail")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("resume-mail")));
    assertThat(store.control().pausedQueues()).containsExactly("mail");
    assertThat(text("tr[data-queue=mail]")).contains("paused: no worker claims its jobs");
    shot("queues");
    browser.findElement(By.id("resume-mail")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-mail")));
    assertThat(store.control().pausedQueues()).isEmpty();
  }

  @Test
  @Order(5)
  void pausesAndResumesASchedule() throws Exception {
    open("/schedules");
    browser.findElement(By.id("pause-schedule-cleanup")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("resume-schedule-cleanup")));
    assertThat(store.control().pausedSchedules()).containsExactly("cleanup");
    assertThat(text("tr[data-schedule=cleanup]")).contains("paused");
    shot("schedules");
    browser.findElement(By.id("resume-schedule-cleanup")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-schedule-cleanup")));
    assertThat(store.control().pausedSchedules()).isEmpty();
  }

  @Test
  @Order(6)
  void showsEachAttemptWithItsOwnErrorOnTheJobPage() throws Exception {
    String id = queue.enqueue(StoreContractTasks.FAIL_TIMES.name(), "{\"key\":\"b-ledger\",\"times\":2}",
        JobOptions.builder().queue("work").retry(RetryPolicy.builder().maxAttempts(3)
            .initialDelay(Duration.ofMillis(10)).jitter(0).build()).build()).id();
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(id).orElseThrow().state() == JobState.SUCCEEDED);
    open("/jobs/" + id);
    String rows = text("#job-attempts");
    assertThat(rows).contains("RETRY", "SUCCEEDED", "worker-1", "planned failure 1 of 2", "planned failure 2 of 2");
    assertThat(rows.indexOf("planned failure 1 of 2")).isLessThan(rows.indexOf("planned failure 2 of 2"));
    org.openqa.selenium.WebElement first = browser.findElement(By.cssSelector("#job-attempts tbody tr details"));
    first.findElement(By.tagName("summary")).click();
    wait.until(ExpectedConditions.visibilityOf(first.findElement(By.tagName("pre"))));
    assertThat(first.findElement(By.tagName("pre")).getText()).contains("at ");
    shot("job-attempts");
  }

  @Test
  @Order(6)
  void signalsADurableJobFromItsPage() throws Exception {
    TaskRegistry reg = TaskRegistry.builder().add(DurableJobViewsTest.APPROVE).build();
    try (Worker w = Worker.builder(store).registry(reg).queues("approvals").pollInterval(Duration.ofMillis(20))
        .start()) {
      String id = queue.enqueue(DurableJobViewsTest.APPROVE.name(), "\"order-9\"", JobOptions.builder()
          .queue("approvals").build()).id();
      await().atMost(Duration.ofSeconds(20)).until(() -> store.find(id).orElseThrow().state() == JobState.SCHEDULED);
      open("/jobs/" + id);
      assertThat(text("#job-steps")).contains("charge", "charged order-9");
      assertThat(text("#job-wait")).contains("approval");
      org.openqa.selenium.WebElement payload = browser.findElement(By.id("signal-payload"));
      payload.clear();
      payload.sendKeys("{\"by\": \"alice\"}");
      browser.findElement(By.id("signal-send")).click();
      await().atMost(Duration.ofSeconds(20)).until(() -> store.find(id).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(store.find(id).orElseThrow().resultJson()).contains("approved by alice");
      open("/jobs/" + id);
      assertThat(text("#job-steps")).contains("charge", "SIGNAL", "alice");
      shot("durable-job");
      open("/audit");
      assertThat(text("#audit-table")).contains("alice", "job.signal", id);
    }
  }

  @Test
  @Order(6)
  void refusesAForgedCrossSitePost() throws Exception {
    String victim = queue.enqueue("mail.send", "{}", JobOptions.builder().queue("mail").build()).id();
    HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] page = ("<!DOCTYPE html><html><body><form id=\"f\" method=\"post\" action=\"" + dashboard.url()
        + "/api/v1/jobs/" + victim + "/cancel\"></form><script>document.getElementById('f').submit();</script>"
        + "</body></html>").getBytes(StandardCharsets.UTF_8);
    evil.createContext("/", ex -> {
      ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, page.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(page);
      }
    });
    evil.start();
    try {
      browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/prize");
      wait.until(ExpectedConditions.urlContains(dashboard.url() + "/api/v1/jobs/" + victim + "/cancel"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cross-site request refused"));
      assertThat(browser.findElement(By.tagName("body")).getText()).contains("\"status\":403");
    } finally {
      evil.stop(0);
    }
    assertThat(store.find(victim).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  @Order(7)
  void readsWellOnAPhone() throws Exception {
    browser.manage().window().setSize(new Dimension(390, 844));
    open("/");
    wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
    shot("overview-phone");
    Long width = (Long) ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("return document.documentElement.scrollWidth;");
    assertThat(width).isLessThanOrEqualTo(390L);
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @Test
  @Order(8)
  void resumesAFailedWorkflowFromItsGraph() throws Exception {
    String gate = "wf-" + System.nanoTime();
    WorkflowHandle h = queue.submit(Workflow.chain(Workflow.task(StoreContractTasks.FAIL_TIMES,
        new StoreContractTasks.FailTimes(gate, 1, "state"), JobOptions.builder().queue("work")
            .retry(RetryPolicy.none()).build()),
        Workflow.task(StoreContractTasks.BLOCK, gate, JobOptions.builder().queue("work").build())));
    String first = h.ids().get(0);
    String second = h.ids().get(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(second).orElseThrow().state()
        == JobState.CANCELLED);
    open("/workflows/" + second);
    assertThat(browser.findElements(By.cssSelector("#workflow-graph g[data-node]"))).hasSize(2);
    assertThat(browser.findElements(By.cssSelector("#workflow-graph line.edge"))).hasSize(1);
    assertThat(text("#workflow-jobs")).contains("store.fail-times", "FAILED", "store.block", "CANCELLED");
    shot("workflow-failed");
    browser.findElement(By.id("resume-preview")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("resume-moves")));
    assertThat(text("#resume-count")).contains("job " + first + " moves 2 job(s)");
    assertThat(text("#resume-moves")).contains("#" + first + " store.fail-times: FAILED \u2192 QUEUED",
        "#" + second + " store.block: CANCELLED \u2192 WAITING");
    assertThat(store.find(first).orElseThrow().state()).isEqualTo(JobState.FAILED); // only a preview so far
    shot("workflow-preview");
    browser.findElement(By.id("resume-confirm")).click();
    assertThat(StoreContractTasks.awaitArrived(gate, 20, TimeUnit.SECONDS)).isTrue();
    By secondState = By.cssSelector("g[data-node='" + second + "'] .node-state");
    wait.until(ExpectedConditions.textToBe(secondState, "RUNNING"));
    wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
    StoreContractTasks.release(gate);
    wait.until(ExpectedConditions.textToBe(secondState, "SUCCEEDED")); // no reload: the live tick reads it
    assertThat(browser.findElement(By.cssSelector("g[data-node='" + first + "'] rect")).getAttribute("class"))
        .contains("SUCCEEDED");
    shot("workflow-resumed");
    open("/audit");
    assertThat(text("#audit-table")).contains("workflow.resume", first, "1 dependent(s) re-armed");
  }

  @Test
  @Order(9)
  void actsOnSelectedJobsAfterAConfirmationNamingCountAndFilter() throws Exception {
    JobOptions parked = JobOptions.builder().queue("parked").build();
    String a = queue.enqueue(StoreContractTasks.ECHO.name(), "\"a\"", parked).id();
    String b = queue.enqueue(StoreContractTasks.ECHO.name(), "\"b\"", parked).id();
    String c = queue.enqueue(StoreContractTasks.ECHO.name(), "\"c\"", parked).id();
    open("/jobs?queue=parked");
    browser.findElement(By.cssSelector("input.select-job[value='" + a + "']")).click();
    browser.findElement(By.cssSelector("input.select-job[value='" + b + "']")).click();
    browser.findElement(By.id("cancel-selected")).click();
    org.openqa.selenium.Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).isEqualTo("Cancel 2 selected job(s) (filter: queue=parked)?");
    confirm.accept();
    wait.until(ExpectedConditions.textToBe(By.id("flash"), "Cancel: 2 done."));
    assertThat(store.find(a).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(b).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.find(c).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    open("/jobs?queue=parked");
    browser.findElement(By.id("select-all")).click();
    browser.findElement(By.id("delete-selected")).click();
    confirm = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).isEqualTo("Delete 3 selected job(s) (filter: queue=parked)?");
    confirm.accept();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Delete: 2 done, 1 skipped"));
    assertThat(text("#flash")).contains("#" + c + ": not finished");
    assertThat(store.find(a)).isEmpty();
    assertThat(store.find(c).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    open("/audit");
    assertThat(text("#audit-table")).contains("jobs.cancel", "selected 2 job(s)", "queue=parked", "jobs.delete");
  }

  @Test
  @Order(10)
  void showsEachFlowLimitWithWhatItsKeysHold() throws Exception {
    dev.spindle.queue.FlowLimit limit = dev.spindle.queue.FlowLimit.builder("tenants").perArgument("tenant")
        .concurrency(3).build();
    JobOptions o = JobOptions.builder().queue("flowq").flow(limit).build();
    queue.enqueue("report.build", "{\"tenant\":\"acme\"}", o);
    queue.enqueue("report.build", "{\"tenant\":\"acme\"}", o);
    queue.enqueue("report.build", "{\"tenant\":\"globex\"}", o);
    open("/flow");
    assertThat(text("#limit-tenants")).contains("tenants", "concurrency=3");
    assertThat(text("#keys-tenants tr[data-key='acme'] td:nth-child(3)")).isEqualTo("2");
    assertThat(text("#keys-tenants tr[data-key='globex'] td:nth-child(3)")).isEqualTo("1");
    assertThat(text("#keys-tenants tr[data-key='acme'] td:nth-child(2)")).isEqualTo("0");
    shot("flow-limits");
  }

  @Test
  @Order(11)
  void showsOpenAndResolvedIncidentsAndSendsATestAlert() throws Exception {
    IncidentLog log = store.incidents().orElseThrow();
    Instant now = store.storeTime();
    Incident open = log.raise(Incident.Key.of(Incident.Kind.STALLED_QUEUE, "work"), now,
        "1 ready job(s), the oldest waiting 3 min with free slots on 1 live worker(s)", now).incident();
    Incident.Key latency = Incident.Key.of(Incident.Kind.QUEUE_LATENCY, "mail");
    long resolved = log.raise(latency, now, "the oldest ready job waited 12 min", now).incident().id();
    log.resolve(latency, now.plusSeconds(60));
    open("/incidents");
    assertThat(text("tr[data-incident='" + open.id() + "']")).contains("open", "STALLED_QUEUE", "work",
        "free slots on 1 live worker");
    assertThat(text("tr[data-incident='" + resolved + "']")).contains("resolved", "QUEUE_LATENCY", "mail");
    shot("incidents");
    browser.findElement(By.id("alert-test")).click();
    wait.until(ExpectedConditions.textMatches(By.id("flash"), java.util.regex.Pattern.compile("^Test alert:.*")));
    assertThat(alerts).singleElement().satisfies(a -> assertThat(a).contains("test alert requested by alice"));
  }
}
