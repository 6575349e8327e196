package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.spi.MonotonicClock;
import dev.spindle.store.sqlite.SqliteJobStore;
import dev.spindle.testkit.store.ManualClock;
import dev.spindle.testkit.store.SteppedClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins, sessions, CSRF, throttling and credential sources, over HTTP against a real server. */
class SecurityTest {
  @TempDir
  Path dir;

  WebFixture f;

  @BeforeEach
  void start() {
    f = WebFixture.sqlite(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> login(String user, String password) {
    String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=%2Fjobs";
    return f.send(f.request("/login", null).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  private static String cookie(HttpResponse<String> r) {
    String c = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(c).contains("HttpOnly", "SameSite=Strict");
    return c.substring(0, c.indexOf(';'));
  }

  private String csrf(String cookie) {
    HttpResponse<String> page = f.send(f.request("/", null).header("Cookie", cookie).GET().build());
    Matcher m = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void aPasswordLoginGivesASessionWhoseChangesNeedTheCsrfTokenFromTheSameOrigin() {
    String id = WebFixture.json(f.post("/api/v1/jobs", WebFixture.OPERATOR_TOKEN, "{\"task\":\"a\"}")).get("id")
        .asString();
    HttpResponse<String> ok = login("alice", WebFixture.PASSWORD);
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("Location")).contains("/jobs");
    String cookie = cookie(ok);
    String token = csrf(cookie);
    HttpRequest.Builder cancel = f.request("/api/v1/jobs/" + id + "/cancel", null).header("Cookie", cookie)
        .POST(HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> noToken = f.send(cancel.build());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(WebFixture.json(noToken).get("detail").asString()).contains("CSRF");
    HttpResponse<String> crossSite = f.send(f.request("/api/v1/jobs/" + id + "/cancel", null)
        .header("Cookie", cookie).header("X-CSRF-Token", token).header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(f.store.find(id).orElseThrow().state().name()).isEqualTo("QUEUED");
    HttpResponse<String> good = f.send(f.request("/api/v1/jobs/" + id + "/cancel", null)
        .header("Cookie", cookie).header("X-CSRF-Token", token).header("Origin", f.dashboard.url())
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(f.store.find(id).orElseThrow().state().name()).isEqualTo("CANCELLED");
    // reads need no token; logging out ends the session
    assertThat(f.send(f.request("/api/v1/jobs", null).header("Cookie", cookie).GET().build()).statusCode())
        .isEqualTo(200);
    f.send(f.request("/logout", null).header("Cookie", cookie).header("X-CSRF-Token", token)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(f.send(f.request("/api/v1/jobs", null).header("Cookie", cookie).GET().build()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void theLoginsNextPageCannotLeadToAnotherSiteThroughCharactersBrowsersDrop() {
    for (String next : List.of("/\t/evil.example", "/\n/evil.example", "\t//evil.example", "/\u0000/evil.example")) {
      String form = "user=alice&password=" + URLEncoder.encode(WebFixture.PASSWORD, StandardCharsets.UTF_8) + "&next="
          + URLEncoder.encode(next, StandardCharsets.UTF_8);
      HttpResponse<String> r = f.send(f.request("/login", null).header("Content-Type",
          "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build());
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).as("next %s", next.replace("\t", "\\t")).contains("/");
    }
  }

  @Test
  void aViewerSessionCannotChangeAnything() {
    String cookie = cookie(login("bob", WebFixture.PASSWORD));
    String token = csrf(cookie);
    HttpResponse<String> r = f.send(f.request("/api/v1/jobs", null).header("Cookie", cookie)
        .header("X-CSRF-Token", token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"a\"}")).build());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(WebFixture.json(f.get("/api/v1/jobs", WebFixture.VIEWER_TOKEN)).get("jobs").size()).isZero();
  }

  @Test
  void wrongPasswordsAreThrottledAndPagesRedirectToTheLogin() {
    for (int i = 0; i < 5; i++) {
      assertThat(login("alice", "wrong " + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> locked = login("alice", WebFixture.PASSWORD);
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(login("nobody", "x").statusCode()).isEqualTo(401);
    HttpResponse<String> page = f.send(f.request("/jobs", null).header("Accept", "text/html").GET().build());
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location").orElseThrow()).startsWith("/login?next=");
  }

  @Test
  void aClockSteppedForwardOrBackNeitherLiftsNorProlongsTheLoginThrottle() {
    SteppedClock clock = SteppedClock.ofSystem();
    restartWith(clock);
    for (int i = 0; i < 5; i++) {
      assertThat(login("alice", "wrong " + i).statusCode()).isEqualTo(401);
    }
    clock.step(Duration.ofHours(1));
    assertThat(login("alice", WebFixture.PASSWORD).statusCode()).as("stepped forward an hour").isEqualTo(429);
    clock.step(Duration.ofHours(-2));
    HttpResponse<String> locked = login("alice", WebFixture.PASSWORD);
    assertThat(locked.statusCode()).as("stepped back an hour").isEqualTo(429);
    Matcher wait = Pattern.compile("try again in (\\d+) s").matcher(locked.body());
    assertThat(wait.find()).as(locked.body()).isTrue();
    assertThat(Long.parseLong(wait.group(1))).as("seconds to wait").isBetween(1L, 301L);
  }

  @Test
  void parallelWrongPasswordsGetNoMoreGuessesThanOneAfterAnother() {
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> guesses = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String form = "user=alice&password=wrong-" + i;
      guesses.add(f.http.sendAsync(f.request("/login", null).header("Content-Type",
          "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    Map<Integer, Long> byStatus = guesses.stream().map(java.util.concurrent.CompletableFuture::join)
        .collect(java.util.stream.Collectors.groupingBy(HttpResponse::statusCode,
            java.util.stream.Collectors.counting()));
    assertThat(byStatus).containsOnly(Map.entry(401, 5L), Map.entry(429, 15L));
  }

  @Test
  void failedLoginsWithHugeUserNamesDoNotStayInMemory() {
    String huge = "x".repeat(1_000_000);
    long before = usedHeap();
    for (int i = 0; i < 40; i++) {
      assertThat(login(huge + i, "wrong").statusCode()).isIn(401, 429);
    }
    assertThat(usedHeap() - before).as("heap kept after 40 logins with 1 MB names").isLessThan(20_000_000L);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private void restartWith(java.time.Clock clock) {
    f.close();
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("clock.db"));
    f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).clock(clock));
  }

  private HttpResponse<String> withCookie(String path, String cookie) {
    return f.send(f.request(path, null).header("Cookie", cookie).GET().build());
  }

  @Test
  void aSessionEndsAfterItsAbsoluteLifetimeHoweverOftenItIsUsed() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    restartWith(clock);
    String cookie = cookie(login("alice", WebFixture.PASSWORD));
    for (int i = 0; i < 23; i++) { // used every 30 minutes, so never idle for long
      clock.advance(Duration.ofMinutes(30));
      assertThat(withCookie("/api/v1/status", cookie).statusCode()).as("after %d minutes", (i + 1) * 30).isEqualTo(200);
    }
    clock.advance(Duration.ofMinutes(31)); // 12 h 1 min after the login
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).isEqualTo(401);
  }

  /**
   * Sessions timed on a {@link MonotonicClock} (the dashboard's default for them): wall-clock steps
   * neither end nor prolong them; real time does (12 h after the login).
   */
  @Test
  void aSessionOnTheMonotonicClockOutlivesWallClockStepsAndEndsOnRealTime() {
    SteppedClock wall = SteppedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    long[] nanos = {0};
    restartWith(new MonotonicClock(wall, () -> nanos[0]));
    String cookie = cookie(login("alice", WebFixture.PASSWORD));
    wall.step(Duration.ofHours(13)); // past the idle time and the lifetime, on the wall clock only
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).as("wall clock stepped forward").isEqualTo(200);
    wall.step(Duration.ofHours(-26));
    nanos[0] += Duration.ofHours(11).plusMinutes(59).toNanos();
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).as("stepped back, 11 h 59 min on").isEqualTo(200);
    nanos[0] += Duration.ofMinutes(2).toNanos();
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).as("12 h 1 min after the login").isEqualTo(401);
  }

  @Test
  void sessionsRunOnAMonotonicClockUnlessTheDashboardWasGivenAClock() throws Exception {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("c.db"))) {
      assertThat(Dashboard.sessionClock(Dashboard.builder(store))).isInstanceOf(MonotonicClock.class);
      ManualClock manual = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(Dashboard.sessionClock(Dashboard.builder(store).clock(manual))).isSameAs(manual);
    }
  }

  @Test
  void theSessionLifetimeIsConfigurable() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    f.close();
    SqliteJobStore store = SqliteJobStore.open(dir.resolve("clock.db"));
    f = new WebFixture(store, WebFixture.configure(Dashboard.builder(store)).clock(clock)
        .sessionLifetime(Duration.ofHours(1)));
    String cookie = cookie(f.get("/?token=" + WebFixture.VIEWER_TOKEN, null));
    clock.advance(Duration.ofMinutes(59));
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(1));
    assertThat(withCookie("/api/v1/status", cookie).statusCode()).isEqualTo(401);
    assertThatThrownBy(() -> Dashboard.builder(store).sessionLifetime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void abandonedSessionsArePrunedWhenNewOnesStart() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    restartWith(clock);
    for (int i = 0; i < 50; i++) { // sessions from the token URL, never presented again
      HttpResponse<String> r = f.get("/?token=" + WebFixture.VIEWER_TOKEN, null);
      assertThat(r.statusCode()).isEqualTo(303);
      cookie(r);
    }
    assertThat(f.dashboard.sessions()).isEqualTo(50);
    clock.advance(Duration.ofHours(13));
    String fresh = cookie(login("alice", WebFixture.PASSWORD));
    assertThat(f.dashboard.sessions()).as("the 50 expired sessions are gone").isEqualTo(1);
    assertThat(withCookie("/api/v1/status", fresh).statusCode()).isEqualTo(200);
  }

  @Test
  void aGeneratedTokenOpensTheDashboardOnceInTheUrl() {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("g.db"));
         Dashboard d = Dashboard.builder(store).port(0).build().start()) {
      String token = d.generatedToken().orElseThrow();
      HttpResponse<String> r = f.send(HttpRequest.newBuilder(URI.create(d.url() + "/jobs?token=" + token)).build());
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).contains("/jobs");
      String cookie = cookie(r);
      HttpResponse<String> page = f.send(HttpRequest.newBuilder(URI.create(d.url() + "/jobs"))
          .header("Cookie", cookie).build());
      assertThat(page.statusCode()).isEqualTo(200);
      HttpResponse<String> wrong = f.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/status?token=nope"))
          .build());
      assertThat(wrong.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void theTokenInTheUrlRedirectsOnlyWithinTheDashboard() {
    HttpResponse<String> r = f.send(HttpRequest.newBuilder(URI.create(f.url("//evil.example/?token="
        + WebFixture.VIEWER_TOKEN))).build());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/");
  }

  @Test
  void anUnknownUserCostsAsMuchAsAKnownOneSoTimingDoesNotTellWhoExists() {
    Credentials c = Credentials.builder().password("alice", Role.OPERATOR, WebFixture.PASSWORD.toCharArray()).build();
    long known = Long.MAX_VALUE;
    long unknown = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) { // the fastest of several runs: the cost itself, not the machine's noise
      long t0 = System.nanoTime();
      assertThat(c.verifyPassword("alice", "wrong".toCharArray())).isEmpty();
      long t1 = System.nanoTime();
      assertThat(c.verifyPassword("mallory", "wrong".toCharArray())).isEmpty();
      long t2 = System.nanoTime();
      known = Math.min(known, t1 - t0);
      unknown = Math.min(unknown, t2 - t1);
    }
    assertThat(unknown).as("an unknown user's check, against a known user's %d ns", known).isGreaterThan(known / 3);
  }

  @Test
  void aMalformedUsersFileLineIsNamedWithoutEchoingItsFields() throws Exception {
    Path users = dir.resolve("users");
    String hash = Credentials.hashToken("ci-token-0123456789");
    // the columns mixed up: a secret where the role or the name belongs
    for (String line : List.of("ci " + hash + " operator", hash + " operator ci", "ci operator sha256$not-hex")) {
      writePrivate(users, List.of("# name role hash", line));
      assertThatThrownBy(() -> Credentials.fromFile(users)).as(line)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("line 2")
          .hasMessageNotContaining(hash.substring(7))
          .hasMessageNotContaining(hash.substring(7).toUpperCase(java.util.Locale.ROOT))
          .hasMessageNotContaining("not-hex")
          .hasMessageNotContaining("NOT-HEX");
    }
    writePrivate(users, List.of("ci admin " + hash));
    assertThatThrownBy(() -> Credentials.fromFile(users)).hasMessageContaining("line 1").hasMessageContaining("role")
        .hasMessageContaining("viewer or operator");
  }

  @Test
  void credentialsComeFromAFileOrTheEnvironmentAndAreKeptHashed() throws Exception {
    Path users = dir.resolve("users");
    writePrivate(users, List.of("# name role hash", "carol viewer " + Credentials.hashPassword("pw-123456".toCharArray()),
        "ci operator " + Credentials.hashToken("ci-token-0123456789")));
    Credentials c = Credentials.fromFile(users);
    assertThat(c.verifyPassword("carol", "pw-123456".toCharArray())).map(Credentials.User::role)
        .contains(Role.VIEWER);
    assertThat(c.verifyPassword("carol", "pw-1234567".toCharArray())).isEmpty();
    assertThat(c.verifyToken("ci-token-0123456789")).map(Credentials.User::name).contains("ci");
    assertThat(c.verifyToken("ci-token-012345678")).isEmpty();
    assertThat(c.toString()).doesNotContain("pbkdf2", "sha256");
    writePrivate(users, List.of("dave admin sha256$00"));
    assertThatThrownBy(() -> Credentials.fromFile(users)).hasMessageContaining("line 1")
        .hasMessageNotContaining("sha256$00");
    Credentials env = Credentials.fromEnvironment(Map.of(Credentials.ENV_TOKEN, "env-token-0123456789")).orElseThrow();
    assertThat(env.verifyToken("env-token-0123456789")).map(Credentials.User::role).contains(Role.OPERATOR);
    assertThat(Credentials.fromEnvironment(Map.of())).isEmpty();
    assertThatThrownBy(() -> Credentials.fromEnvironment(Map.of(Credentials.ENV_TOKEN, "short")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Writes a users file only its owner may read, as the dashboard requires. */
  private static void writePrivate(Path file, List<String> lines) throws java.io.IOException {
    Files.write(file, lines);
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }
}
