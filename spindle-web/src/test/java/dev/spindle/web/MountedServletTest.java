package dev.spindle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.store.sqlite.SqliteJobStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's servlet in a foreign servlet container (a plain Jetty with context path
 * {@code /app}, the servlet under {@code /spindle/*}), behind a host filter that authenticates from
 * a header: roles from the host, the dashboard's CSRF token in the host's session, every link and
 * redirect under {@code /app/spindle}. The Spring Boot starter's test does the same behind Spring
 * Security.
 */
class MountedServletTest {
  static final Pattern CSRF = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">");

  @TempDir
  Path dir;
  SqliteJobStore store;
  Dashboard dashboard;
  Server server;
  String root;

  @BeforeEach
  void start() throws Exception {
    store = SqliteJobStore.open(dir.resolve("jobs.db"));
    try (JobQueue q = JobQueue.builder(store).build()) {
      q.enqueue("mail.send", "{}", JobOptions.builder().queue("mail").build());
    }
    dashboard = Dashboard.builder(store).tick(Duration.ofMillis(200)).supervisorRunDirectory(null)
        .hostSecurity(HostSecurity.builder().viewerRole("ops-read").operatorRole("ops-write").build()).build().start();
    server = new Server();
    ServerConnector c = new ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(0);
    server.addConnector(c);
    ServletContextHandler ctx = new ServletContextHandler(ServletContextHandler.SESSIONS);
    ctx.setContextPath("/app");
    ctx.addFilter(new FilterHolder(hostAuthentication()), "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder holder = new ServletHolder(dashboard.servlet());
    holder.setAsyncSupported(true);
    ctx.addServlet(holder, "/spindle/*");
    server.setHandler(ctx);
    server.start();
    root = "http://127.0.0.1:" + c.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    dashboard.close();
    store.close();
  }

  /** The host's security, reduced to a header {@code X-Test-User: name role}. */
  static Filter hostAuthentication() {
    return (req, res, chain) -> {
      HttpServletRequest r = (HttpServletRequest) req;
      String h = r.getHeader("X-Test-User");
      if (h == null) {
        chain.doFilter(req, res);
        return;
      }
      String[] p = h.split(" ");
      chain.doFilter(new HttpServletRequestWrapper(r) {
        @Override
        public Principal getUserPrincipal() {
          return () -> p[0];
        }

        @Override
        public boolean isUserInRole(String role) {
          return p[1].equals(role);
        }
      }, res);
    };
  }

  final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

  HttpResponse<String> send(String method, String path, String user, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (user != null) {
      b.header("X-Test-User", user);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPagesWithLinksUnderTheMountAndTheHostsUser() throws Exception {
    HttpResponse<String> page = send("GET", "/app/spindle/queues", "carol ops-write", "Accept", "text/html");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<base href=\"/app/spindle/\">", "carol (operator)",
        "<link rel=\"stylesheet\" href=\"assets/app.css\">", "<a href=\"jobs?queue=mail\">",
        "data-api=\"api/v1/queues/mail/pause\"", "<meta name=\"csrf-header\" content=\"X-Spindle-CSRF\">")
        .doesNotContain("<a href=\"/", "id=\"logout\"", "host-csrf-token");
    assertThat(send("GET", "/app/spindle/assets/app.js", "carol ops-write").statusCode()).isEqualTo(200);
    HttpResponse<String> bare = send("GET", "/app/spindle?x=1", "carol ops-write");
    assertThat(bare.statusCode()).isEqualTo(303);
    assertThat(bare.headers().firstValue("Location").orElseThrow()).isEqualTo("/app/spindle/?x=1");
    HttpResponse<String> jobs = send("GET", "/app/spindle/api/v1/jobs?limit=1", "carol ops-read");
    assertThat(jobs.body()).contains("\"self\":\"/app/spindle/api/v1/jobs/");
    HttpResponse<String> missing = send("GET", "/app/spindle/nothing-here", "carol ops-read", "Accept", "text/html");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("<base href=\"/app/spindle/\">", "<a href=\"./\">Back to the overview</a>");
    assertThat(send("GET", "/app/spindle/login", "carol ops-read").statusCode()).isEqualTo(404);
  }

  @Test
  void rolesComeFromTheHost() throws Exception {
    assertThat(send("GET", "/app/spindle/api/v1/status", null).statusCode()).isEqualTo(401);
    HttpResponse<String> stranger = send("GET", "/app/spindle/api/v1/status", "dave billing");
    assertThat(stranger.statusCode()).isEqualTo(403);
    assertThat(stranger.body()).contains("neither the ops-read nor the ops-write role");
    assertThat(send("GET", "/app/spindle/api/v1/status", "erin ops-read").statusCode()).isEqualTo(200);
  }

  @Test
  void changesNeedTheOperatorRoleAndTheCsrfTokenOfTheHostSession() throws Exception {
    HttpResponse<String> page = send("GET", "/app/spindle/", "carol ops-write", "Accept", "text/html");
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).isTrue();
    String token = m.group(1);
    String pause = "/app/spindle/api/v1/queues/mail/pause";
    assertThat(send("POST", pause, "carol ops-write").statusCode()).isEqualTo(403);
    assertThat(send("POST", pause, "carol ops-write", "X-CSRF-Token", token).statusCode()).isEqualTo(403);
    assertThat(send("POST", pause, "carol ops-write", "X-Spindle-CSRF", token, "Origin", "http://evil.example")
        .statusCode()).isEqualTo(403);
    assertThat(send("POST", pause, "erin ops-read", "X-Spindle-CSRF", token).statusCode()).isEqualTo(403);
    assertThat(store.control().pausedQueues()).isEmpty();
    assertThat(send("POST", pause, "carol ops-write", "X-Spindle-CSRF", token).statusCode()).isEqualTo(200);
    assertThat(store.control().pausedQueues()).containsExactly("mail");
    // another host session has another token
    HttpClient other = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    HttpResponse<String> r = other.send(HttpRequest.newBuilder(URI.create(root + "/app/spindle/api/v1/queues/mail/resume"))
        .header("X-Test-User", "carol ops-write").header("X-Spindle-CSRF", token)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(store.control().pausedQueues()).containsExactly("mail");
  }
}
