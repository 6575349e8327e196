package dev.spindle.web.internal;

import dev.spindle.web.Credentials;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication, sessions, CSRF and login throttling. API clients send
 * {@code Authorization: Bearer <token>}; browsers log in with a password (or open the one-time URL
 * with {@code ?token=}) and get a {@code SameSite=Strict; HttpOnly} session cookie plus a CSRF token
 * that every state-changing request must echo in {@value #CSRF_HEADER}, from the dashboard's own
 * origin. Sessions live in memory (a restart logs browsers out). Thread-safe.
 */
public final class Auth {
  /** The session cookie. */
  public static final String COOKIE = "spindle_session";
  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** Request attribute holding the {@link Credentials.User}. */
  public static final String USER = "spindle.user";
  /** Request attribute holding the {@link Session}, if the request came with a session cookie. */
  public static final String SESSION = "spindle.session";
  /** How long an idle session lives. */
  public static final Duration SESSION_IDLE = Duration.ofHours(12);
  /** Failed logins per user and address within {@link #THROTTLE_WINDOW} before logins are refused. */
  public static final int MAX_FAILURES = 5;
  /** The throttling window. */
  public static final Duration THROTTLE_WINDOW = Duration.ofMinutes(5);

  /** A browser session. */
  public static final class Session {
    final String id;
    final Credentials.User user;
    final String csrf;
    volatile Instant lastSeen;

    Session(String id, Credentials.User user, String csrf, Instant now) {
      this.id = id;
      this.user = user;
      this.csrf = csrf;
      this.lastSeen = now;
    }

    /** The CSRF token pages embed. */
    public String csrf() {
      return csrf;
    }

    /** The user. */
    public Credentials.User user() {
      return user;
    }
  }

  private final Credentials credentials;
  private final Clock clock;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  /** Auth over these credentials. */
  public Auth(Credentials credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  /** The user of an authenticated request (set by {@link #before}). */
  public static Credentials.User user(Context ctx) {
    Credentials.User u = ctx.attribute(USER);
    if (u == null) {
      throw new Problem(401, "Unauthenticated", "credentials required");
    }
    return u;
  }

  /** The session of a browser request, if any. */
  public static Optional<Session> session(Context ctx) {
    return Optional.ofNullable(ctx.attribute(SESSION));
  }

  /**
   * Checks the user's role.
   *
   * @throws Problem 403 if the role does not cover {@code needed}
   */
  public static void require(Context ctx, Role needed) {
    Credentials.User u = user(ctx);
    if (!u.role().covers(needed)) {
      throw Problem.forbidden("user '" + u.name() + "' is a " + u.role().name().toLowerCase(java.util.Locale.ROOT)
          + "; this needs the " + needed.name().toLowerCase(java.util.Locale.ROOT) + " role");
    }
  }

  /** Runs before every request: security headers, then authentication and CSRF checks. */
  public void before(Context ctx) {
    securityHeaders(ctx);
    String path = ctx.path();
    if (path.startsWith("/assets/") || path.equals("/login")) {
      return;
    }
    boolean api = path.startsWith("/api/");
    String authz = ctx.header("Authorization");
    if (authz != null) {
      if (!authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthenticated("only 'Authorization: Bearer <token>' is accepted");
      }
      Credentials.User u = credentials.verifyToken(authz.substring(7).trim())
          .orElseThrow(() -> unauthenticated("unknown or wrong API token"));
      ctx.attribute(USER, u);
      return;
    }
    Session s = sessionOf(ctx.cookie(COOKIE));
    if (s == null && isRead(ctx.method()) && ctx.queryParam("token") != null) {
      Optional<Credentials.User> u = credentials.verifyToken(ctx.queryParam("token"));
      if (u.isPresent()) {
        startSession(ctx, u.get());
        ctx.redirect(path, HttpStatus.SEE_OTHER);
        ctx.skipRemainingHandlers();
        return;
      }
    }
    if (s == null) {
      String accept = ctx.header("Accept");
      if (api || !isRead(ctx.method()) || accept == null || !accept.contains("text/html")) {
        throw unauthenticated("log in or send 'Authorization: Bearer <token>'");
      }
      ctx.redirect("/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
      ctx.skipRemainingHandlers();
      return;
    }
    if (!isRead(ctx.method())) {
      checkCsrf(ctx, s);
    }
    ctx.attribute(USER, s.user);
    ctx.attribute(SESSION, s);
  }

  private static Problem unauthenticated(String detail) {
    return new Problem(401, "Unauthenticated", detail);
  }

  private static boolean isRead(HandlerType m) {
    return HandlerType.GET.equals(m) || HandlerType.HEAD.equals(m) || HandlerType.OPTIONS.equals(m);
  }

  private void checkCsrf(Context ctx, Session s) {
    if (!sameOrigin(ctx)) {
      throw Problem.forbidden("cross-site request refused (Origin " + ctx.header("Origin") + ")");
    }
    String token = ctx.header(CSRF_HEADER);
    if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        s.csrf.getBytes(StandardCharsets.UTF_8))) {
      throw Problem.forbidden("missing or wrong " + CSRF_HEADER + " header (CSRF protection)");
    }
  }

  /** True unless the browser says the request comes from another origin or site. */
  static boolean sameOrigin(Context ctx) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = ctx.header("Origin");
    if (origin == null) {
      return true;
    }
    String host = ctx.header("Host");
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  private Session sessionOf(String id) {
    if (id == null) {
      return null;
    }
    Session s = sessions.get(id);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    if (s.lastSeen.plus(SESSION_IDLE).isBefore(now)) {
      sessions.remove(id);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  /** Starts a session for {@code user} and sets its cookie. */
  public Session startSession(Context ctx, Credentials.User user) {
    Session s = new Session(Credentials.newToken(), user, Credentials.newToken(), clock.instant());
    sessions.put(s.id, s);
    ctx.header("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict");
    return s;
  }

  /** Ends the request's session, if any. */
  public void endSession(Context ctx) {
    String id = ctx.cookie(COOKIE);
    if (id != null) {
      sessions.remove(id);
    }
    ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  }

  /**
   * Checks a login: refused while the user and address are throttled; failures are counted.
   *
   * @return the user, or empty if wrong
   * @throws Problem 429 while throttled
   */
  public Optional<Credentials.User> login(String name, char[] password, String address) {
    String key = (name == null ? "" : name) + "|" + address;
    Instant now = clock.instant();
    Deque<Instant> f = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (f) {
      while (!f.isEmpty() && f.peekFirst().plus(THROTTLE_WINDOW).isBefore(now)) {
        f.removeFirst();
      }
      if (f.size() >= MAX_FAILURES) {
        long wait = Duration.between(now, f.peekFirst().plus(THROTTLE_WINDOW)).toSeconds() + 1;
        throw new Problem(429, "Too many failed logins", "too many failed logins; try again in " + wait + " s");
      }
    }
    Optional<Credentials.User> u = credentials.verifyPassword(name, password);
    if (u.isEmpty()) {
      synchronized (f) {
        f.addLast(now);
      }
    } else {
      failures.remove(key);
    }
    return u;
  }

  /** Content-Security-Policy without inline scripts, and the usual hardening headers. */
  static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
  }
}
