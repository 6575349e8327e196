package dev.spindle.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.config.Customizer.withDefaults;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.StoreBackend;
import java.io.File;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The dashboard mounted at {@code /spindle} in a real Spring MVC application (embedded Tomcat on a
 * free loopback port) behind the application's own Spring Security (form log-in and HTTP Basic,
 * CSRF on): real HTTP requests for who may read and change and what CSRF demands, then headless
 * Chromium through Spring's log-in page, the pages, live updates and a change.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MountedDashboardTest {
  static final String READER_PW = "reader-password";
  static final String ADMIN_PW = "admin-password";
  static final String OTHER_PW = "other-password";
  static final Pattern META = Pattern.compile("<meta name=\"([a-z-]+)\" content=\"([^\"]*)\">");

  static Path dir;
  static ConfigurableApplicationContext app;
  static String root;
  static JobQueue queue;
  static StoreBackend store;

  /** The host application: its own users and security; Spindle comes from the auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(TestTasks.class)
  static class HostApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      // /error open, so that a refusal reaches the client as it was made (not as the error page's 401)
      http.authorizeHttpRequests(a -> a.requestMatchers("/error").permitAll().anyRequest().authenticated())
          .formLogin(withDefaults()).httpBasic(withDefaults());
      return http.build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("reader").password("{noop}" + READER_PW).roles("SPINDLE_VIEWER").build(),
          User.withUsername("admin").password("{noop}" + ADMIN_PW).roles("SPINDLE_OPERATOR").build(),
          User.withUsername("other").password("{noop}" + OTHER_PW).roles("BILLING").build());
    }
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("spindle-mounted");
    app = new SpringApplicationBuilder(HostApp.class).properties(
        "server.address=127.0.0.1", "server.port=0",
        "spindle.store.location=sqlite:" + dir.resolve("jobs.db"), "spindle.worker.enabled=false",
        "spindle.dashboard.enabled=true", "spindle.dashboard.path=/spindle").run();
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    root = "http://127.0.0.1:" + port;
    queue = app.getBean(JobQueue.class);
    store = app.getBean(StoreBackend.class);
    for (int i = 0; i < 3; i++) {
      queue.enqueue("test.upper", "\"mail " + i + "\"", JobOptions.builder().queue("mail").build());
    }
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** An HTTP client with its own cookie jar (the application's session) for one user. */
  static final class Client {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(5)).build();
    final String basic;

    Client(String user, String password) {
      this.basic = user == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
          .getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest.Builder request(String path) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20));
      return basic == null ? b : b.header("Authorization", basic);
    }

    HttpResponse<String> send(HttpRequest r) throws Exception {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
      return send(request(path).header("Accept", "text/html").GET().build());
    }

    HttpResponse<String> post(String path, String... headers) throws Exception {
      HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.noBody());
      return send(headers.length == 0 ? b.build() : b.headers(headers).build());
    }
  }

  static String meta(String page, String name) {
    Matcher m = META.matcher(page);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(2);
      }
    }
    throw new AssertionError("no meta " + name + " in the page");
  }

  @Test
  void anonymousRequestsAreRefused() throws Exception {
    Client anonymous = new Client(null, null);
    HttpResponse<String> page = anonymous.send(anonymous.request("/spindle/").GET().build());
    assertThat(page.statusCode()).isIn(302, 401);
    assertThat(page.body()).doesNotContain("Overview");
    HttpResponse<String> api = anonymous.send(anonymous.request("/spindle/api/v1/status")
        .header("Accept", "application/json").GET().build());
    assertThat(api.statusCode()).isIn(302, 401);
    assertThat(api.body()).doesNotContain("totals");
    assertThat(anonymous.post("/spindle/api/v1/queues/mail/pause").statusCode()).isIn(302, 401, 403);
    assertThat(store.control().pausedQueues()).doesNotContain("mail");
  }

  @Test
  void aUserWithNeitherRoleIsRefusedByTheDashboard() throws Exception {
    Client other = new Client("other", OTHER_PW);
    HttpResponse<String> r = other.send(other.request("/spindle/api/v1/status").GET().build());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("neither the SPINDLE_VIEWER nor the SPINDLE_OPERATOR role");
  }

  @Test
  void aReaderReadsButCannotChange() throws Exception {
    Client reader = new Client("reader", READER_PW);
    HttpResponse<String> page = reader.get("/spindle/queues");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<base href=\"/spindle/\">", "reader (viewer)", "data-queue=\"mail\"")
        .doesNotContain("id=\"pause-mail\"", "id=\"logout\""); // no change buttons, no own log-out
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("base-uri 'self'");
    HttpResponse<String> status = reader.send(reader.request("/spindle/api/v1/status").GET().build());
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.body()).contains("totals");
    HttpResponse<String> change = reader.post("/spindle/api/v1/queues/mail/pause",
        "X-Spindle-CSRF", meta(page.body(), "csrf-token"),
        meta(page.body(), "host-csrf-header"), meta(page.body(), "host-csrf-token"));
    assertThat(change.statusCode()).isEqualTo(403);
    assertThat(change.body()).contains("needs the operator role");
    assertThat(store.control().pausedQueues()).doesNotContain("mail");
  }

  @Test
  void anAdminChangesWithBothCsrfTokensAndNotWithout() throws Exception {
    Client admin = new Client("admin", ADMIN_PW);
    HttpResponse<String> page = admin.get("/spindle/queues");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("admin (operator)", "id=\"pause-mail\"",
        "data-api=\"api/v1/queues/mail/pause\"");
    String own = meta(page.body(), "csrf-token");
    String hostHeader = meta(page.body(), "host-csrf-header");
    String hostToken = meta(page.body(), "host-csrf-token");
    assertThat(meta(page.body(), "csrf-header")).isEqualTo("X-Spindle-CSRF");
    assertThat(hostHeader).isEqualToIgnoringCase("X-CSRF-TOKEN");

    // no token at all: Spring Security's CSRF filter refuses
    assertThat(admin.post("/spindle/api/v1/queues/mail/pause").statusCode()).isEqualTo(403);
    // Spring's token only: Spindle's own check refuses
    HttpResponse<String> springOnly = admin.post("/spindle/api/v1/queues/mail/pause", hostHeader, hostToken);
    assertThat(springOnly.statusCode()).isEqualTo(403);
    assertThat(springOnly.body()).contains("X-Spindle-CSRF", "CSRF protection");
    // Spindle's token only: Spring refuses
    assertThat(admin.post("/spindle/api/v1/queues/mail/pause", "X-Spindle-CSRF", own).statusCode())
        .isEqualTo(403);
    // a wrong Spindle token
    assertThat(admin.post("/spindle/api/v1/queues/mail/pause", "X-Spindle-CSRF", own + "x", hostHeader, hostToken)
        .statusCode()).isEqualTo(403);
    assertThat(store.control().pausedQueues()).doesNotContain("mail");

    HttpResponse<String> ok = admin.post("/spindle/api/v1/queues/mail/pause", "X-Spindle-CSRF", own, hostHeader,
        hostToken);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(store.control().pausedQueues()).contains("mail");
    assertThat(admin.post("/spindle/api/v1/queues/mail/resume", "X-Spindle-CSRF", own, hostHeader, hostToken)
        .statusCode()).isEqualTo(200);
    assertThat(store.control().pausedQueues()).doesNotContain("mail");
    HttpResponse<String> audit = admin.send(admin.request("/spindle/api/v1/audit").GET().build());
    assertThat(audit.body()).contains("\"user\":\"admin\"", "queue.pause");
  }

  @Test
  void linksAndRedirectsStayUnderTheMountPath() throws Exception {
    Client admin = new Client("admin", ADMIN_PW);
    HttpResponse<String> bare = admin.send(admin.request("/spindle").GET().build());
    assertThat(bare.statusCode()).isEqualTo(303);
    assertThat(bare.headers().firstValue("Location").orElseThrow()).isEqualTo("/spindle/");
    HttpResponse<String> jobs = admin.send(admin.request("/spindle/api/v1/jobs?limit=1").GET().build());
    assertThat(jobs.body()).contains("\"self\":\"/spindle/api/v1/jobs/", "\"next\":\"/spindle/api/v1/jobs?");
    HttpResponse<String> css = admin.send(admin.request("/spindle/assets/app.css").GET().build());
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(admin.get("/spindle/login").statusCode()).isEqualTo(404); // the application logs in, not Spindle
  }

  @Test
  void worksInChromiumThroughTheApplicationsLogIn() throws Exception {
    String victim = queue.enqueue("test.upper", "\"dead letter\"", JobOptions.builder().queue("dl").build()).id();
    ChromeOptions o = new ChromeOptions();
    o.setBinary(env("SPINDLE_CHROMIUM", "/usr/bin/chromium"));
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
        "--window-size=1280,900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(env("SPINDLE_CHROMEDRIVER", "/usr/bin/chromedriver"))).usingAnyFreePort()
        .build();
    WebDriver browser = new ChromeDriver(service, o);
    try {
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
      browser.get(root + "/spindle/");
      wait.until(ExpectedConditions.urlToBe(root + "/login")); // Spring Security's own log-in page
      browser.findElement(By.id("username")).sendKeys("admin");
      browser.findElement(By.id("password")).sendKeys(ADMIN_PW);
      browser.findElement(By.cssSelector("button[type=submit]")).click();
      wait.until(ExpectedConditions.urlContains(root + "/spindle/"));
      wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
      // live updates (SSE, asynchronous in Tomcat) through the application's security
      wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
      browser.findElement(By.linkText("Jobs")).click();
      wait.until(ExpectedConditions.urlToBe(root + "/spindle/jobs"));
      browser.findElement(By.linkText(victim)).click();
      wait.until(ExpectedConditions.urlToBe(root + "/spindle/jobs/" + victim));
      assertThat(browser.findElement(By.id("job-args")).getText()).contains("dead letter");
      browser.findElement(By.id("job-cancel")).click(); // a change: both CSRF tokens from the page
      wait.until(ExpectedConditions.textToBe(By.id("job-state"), "CANCELLED"));
      assertThat(store.find(victim).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
      browser.findElement(By.linkText("Queues")).click();
      wait.until(ExpectedConditions.urlToBe(root + "/spindle/queues"));
      clickUntil(wait, "pause-mail", "resume-mail");
      assertThat(store.control().pausedQueues()).contains("mail");
      clickUntil(wait, "resume-mail", "pause-mail");
      assertThat(store.control().pausedQueues()).doesNotContain("mail");
      browser.findElement(By.linkText("Audit")).click();
      assertThat(browser.findElement(By.id("audit-table")).getText()).contains("admin", "job.cancel", victim);
    } finally {
      browser.quit();
    }
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  /**
   * Clicks the button {@code id} until the button {@code then} shows. The live view (SSE) may
   * redraw the page between finding a button and clicking it, which loses that click: clicking
   * again is safe, as pausing a paused queue (or resuming a running one) changes nothing.
   */
  private static void clickUntil(WebDriverWait wait, String id, String then) {
    wait.until(d -> {
      if (!d.findElements(By.id(then)).isEmpty()) {
        return true;
      }
      try {
        d.findElement(By.id(id)).click();
      } catch (org.openqa.selenium.WebDriverException e) {
        // gone or redrawn meanwhile (stale, not found, not clickable): look again
      }
      return !d.findElements(By.id(then)).isEmpty();
    });
  }
}
