package dev.spindle.web.internal;

import dev.spindle.web.Credentials;
import dev.spindle.web.HostSecurity;
import dev.spindle.web.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Authentication, sessions, CSRF and login throttling. API clients send
 * {@code Authorization: Bearer <token>}; browsers log in with a password (or open the one-time URL
 * with {@code ?token=}) and get a {@code SameSite=Strict; HttpOnly} session cookie plus a CSRF token
 * that every state-changing request must echo in {@value #CSRF_HEADER}, from the dashboard's own
 * origin. Sessions live in memory (a restart logs browsers out) and end after {@link #SESSION_IDLE}
 * unused or a lifetime after their login (default {@link #SESSION_LIFETIME}), whichever comes first;
 * expired ones are dropped when presented and, for abandoned ones, whenever a session starts.
 * Sessions expire on the injected clock (the dashboard's is a {@code MonotonicClock} unless one was
 * set, so a wall-clock step neither ends nor prolongs them); the login throttle's window is timed on
 * the monotonic clock ({@link System#nanoTime()}), so a wall clock stepped back by an hour does not
 * lock a user out for 65 minutes instead of 5, nor does a step forward lift the throttle early.
 *
 * <p>Mounted in a host application with {@link HostSecurity}, the host authenticates: the user and
 * role come from the servlet request's principal and roles, there is no log-in page, and the CSRF
 * token lives in the host's HTTP session. Thread-safe.
 */
public final class Auth {
  /** The session cookie. */
  public static final String COOKIE = "spindle_session";
  /** The header carrying the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /**
   * The header carrying the CSRF token when mounted with {@link HostSecurity}: a name of its own,
   * since the host's token may travel in a header that differs only in case (Spring Security's
   * {@code X-CSRF-TOKEN}), and a browser would merge the two.
   */
  public static final String HOSTED_CSRF_HEADER = "X-Spindle-CSRF";
  /** Request attribute holding the {@link Credentials.User}. */
  public static final String USER = "spindle.user";
  /** Request attribute holding the {@link Session}, if the request came with a session cookie. */
  public static final String SESSION = "spindle.session";
  /** How long an idle session lives. */
  public static final Duration SESSION_IDLE = Duration.ofHours(12);
  /** How long a session lives after its login however often it is used, unless configured otherwise. */
  public static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  /** The least time between two sweeps of expired sessions. */
  static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);
  /** Failed logins per user and address within {@link #THROTTLE_WINDOW} before logins are refused. */
  public static final int MAX_FAILURES = 5;
  /** The throttling window (on the monotonic clock). */
  public static final Duration THROTTLE_WINDOW = Duration.ofMinutes(5);
  private static final long WINDOW_NANOS = THROTTLE_WINDOW.toNanos();
  /** User and address pairs with failed logins kept before those past the window are dropped. */
  static final int MAX_THROTTLED = 10_000;
  /** The host session attribute holding the CSRF token when mounted with {@link HostSecurity}. */
  public static final String HOST_CSRF_ATTRIBUTE = "dev.spindle.web.csrf";

  /** A browser session. */
  public static final class Session {
    final String id;
    final Credentials.User user;
    final String csrf;
    final Instant created;
    volatile Instant lastSeen;

    Session(String id, Credentials.User user, String csrf, Instant now) {
      this.id = id;
      this.user = user;
      this.csrf = csrf;
      this.created = now;
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

  private final @Nullable Credentials credentials;
  private final Clock clock;
  private final @Nullable HostSecurity host;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** Per user and address, when its recent failed logins were (monotonic clock, ns), oldest first. */
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final Duration lifetime;
  private volatile Instant lastPrune = Instant.MIN;

  /** Auth over these credentials. */
  public Auth(Credentials credentials, Clock clock) {
    this(credentials, clock, null);
  }

  /**
   * Auth over these credentials, or, when {@code host} is given, over the host application's
   * authentication (the credentials are then not used).
   */
  public Auth(@Nullable Credentials credentials, Clock clock, @Nullable HostSecurity host) {
    this(credentials, clock, host, SESSION_LIFETIME);
  }

  /**
   * Like {@link #Auth(Credentials, Clock, HostSecurity)}, with sessions ending {@code lifetime} after
   * their login however often they are used (and after {@link #SESSION_IDLE} unused).
   *
   * @throws IllegalArgumentException if {@code lifetime} is not positive
   */
  public Auth(@Nullable Credentials credentials, Clock clock, @Nullable HostSecurity host, Duration lifetime) {
    this(credentials, clock, host, lifetime, System::nanoTime);
  }

  /**
   * Like {@link #Auth(Credentials, Clock, HostSecurity, Duration)}, with the login throttle timed on
   * {@code nanoTime} (a monotonic clock in nanoseconds; tests move their own).
   */
  Auth(@Nullable Credentials credentials, Clock clock, @Nullable HostSecurity host, Duration lifetime,
      LongSupplier nanoTime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("the session lifetime must be positive: " + lifetime);
    }
    this.credentials = credentials;
    this.clock = clock;
    this.host = host;
    this.lifetime = lifetime;
    this.nanoTime = nanoTime;
  }

  /** True when the host application authenticates (no log-in page, no log-out). */
  public boolean hosted() {
    return host != null;
  }

  /** The header that must carry the dashboard's CSRF token. */
  public String csrfHeader() {
    return host == null ? CSRF_HEADER : HOSTED_CSRF_HEADER;
  }

  /** The host's own CSRF token for this request, when mounted with one. */
  public Optional<HostSecurity.HostCsrfToken> hostCsrf(Context ctx) {
    return host == null ? Optional.empty() : host.hostCsrf(ctx.req());
  }

  /** The request path below the dashboard's root ({@code /queues}), wherever it is mounted. */
  public static String path(Context ctx) {
    String path = ctx.path();
    String root = ctx.contextPath();
    return !root.isEmpty() && path.startsWith(root) ? path.substring(root.length()) : path;
  }

  /** The dashboard's root as an absolute path ending in '/' ({@code /} or {@code /app/spindle/}). */
  public static String base(Context ctx) {
    return ctx.contextPath() + "/";
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
    String path = path(ctx);
    HostSecurity h = host;
    if (h != null) {
      hostBefore(ctx, path, h);
      return;
    }
    Credentials credentials = credentials();
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
        ctx.redirect(ctx.contextPath() + Pages.safeNext(path), HttpStatus.SEE_OTHER); // not to //other.host
        ctx.skipRemainingHandlers();
        return;
      }
    }
    if (s == null) {
      String accept = ctx.header("Accept");
      if (api || !isRead(ctx.method()) || accept == null || !accept.contains("text/html")) {
        throw unauthenticated("log in or send 'Authorization: Bearer <token>'");
      }
      ctx.redirect(ctx.contextPath() + "/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
      ctx.skipRemainingHandlers();
      return;
    }
    if (!isRead(ctx.method())) {
      checkCsrf(ctx, s);
    }
    ctx.attribute(USER, s.user);
    ctx.attribute(SESSION, s);
  }

  /** The dashboard's own credentials (standalone; a mounted dashboard has none). */
  private Credentials credentials() {
    if (credentials == null) {
      throw new IllegalStateException("a dashboard mounted with host security has no credentials of its own");
    }
    return credentials;
  }

  private void hostBefore(Context ctx, String path, HostSecurity host) {
    if (path.startsWith("/assets/")) {
      return;
    }
    HttpServletRequest req = ctx.req();
    Principal p = req.getUserPrincipal();
    if (p == null) {
      throw unauthenticated("the application did not authenticate this request");
    }
    Role role;
    if (req.isUserInRole(host.operatorRole())) {
      role = Role.OPERATOR;
    } else if (req.isUserInRole(host.viewerRole())) {
      role = Role.VIEWER;
    } else {
      throw Problem.forbidden("user '" + p.getName() + "' has neither the " + host.viewerRole() + " nor the "
          + host.operatorRole() + " role");
    }
    Credentials.User u = new Credentials.User(p.getName(), role);
    ctx.attribute(USER, u);
    boolean read = isRead(ctx.method());
    HttpSession hs = req.getSession(read && !path.startsWith("/api/"));
    String csrf = hs == null ? null : (String) hs.getAttribute(HOST_CSRF_ATTRIBUTE);
    if (hs != null && csrf == null) {
      csrf = Credentials.newToken();
      hs.setAttribute(HOST_CSRF_ATTRIBUTE, csrf);
    }
    if (hs == null || csrf == null) {
      if (!read) {
        throw Problem.forbidden("missing or wrong " + HOSTED_CSRF_HEADER + " header (CSRF protection): open a dashboard"
            + " page first, it carries the token");
      }
      return;
    }
    Session s = new Session(hs.getId(), u, csrf, clock.instant());
    if (!read) {
      checkCsrf(ctx, s);
    }
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
    String header = csrfHeader();
    String token = ctx.header(header);
    if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        s.csrf.getBytes(StandardCharsets.UTF_8))) {
      throw Problem.forbidden("missing or wrong " + header + " header (CSRF protection)");
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

  private @Nullable Session sessionOf(@Nullable String id) {
    if (id == null) {
      return null;
    }
    Session s = sessions.get(id);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      sessions.remove(id);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  /** True once the session has been idle too long or has outlived its lifetime. */
  private boolean expired(Session s, Instant now) {
    return s.lastSeen.plus(SESSION_IDLE).isBefore(now) || !s.created.plus(lifetime).isAfter(now);
  }

  /**
   * Drops the expired sessions, at most once per {@link #PRUNE_INTERVAL}: sessions that are never
   * presented again (abandoned browsers, scripted logins) would otherwise stay in memory forever.
   */
  private void pruneExpired(Instant now) {
    Instant last = lastPrune;
    if (now.isBefore(last.plus(PRUNE_INTERVAL)) && !now.isBefore(last)) {
      return;
    }
    lastPrune = now;
    sessions.values().removeIf(s -> expired(s, now));
  }

  /** Browser sessions held in memory. */
  public int sessions() {
    return sessions.size();
  }

  /** Starts a session for {@code user} and sets its cookie. */
  public Session startSession(Context ctx, Credentials.User user) {
    Instant now = clock.instant();
    pruneExpired(now);
    Session s = new Session(Credentials.newToken(), user, Credentials.newToken(), now);
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
  public Optional<Credentials.User> login(@Nullable String name, char[] password, String address) {
    // a name no user can have (longer than 64 characters) shares one key: a key never holds a huge name
    String key = (name == null || name.length() > 64 ? "" : name) + "|" + address;
    long now = nanoTime.getAsLong();
    if (failures.size() >= MAX_THROTTLED) {
      forgetOldFailures(now);
    }
    Deque<Long> f = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (f) {
      while (!f.isEmpty() && now - f.peekFirst() > WINDOW_NANOS) {
        f.removeFirst();
      }
      if (f.size() >= MAX_FAILURES) {
        long wait = TimeUnit.NANOSECONDS.toSeconds(f.peekFirst() + WINDOW_NANOS - now) + 1;
        throw new Problem(429, "Too many failed logins", "too many failed logins; try again in " + wait + " s");
      }
      f.addLast(now); // counted as failed until verified, so parallel guesses cannot all pass the check above
    }
    Optional<Credentials.User> u = credentials().verifyPassword(name, password);
    if (u.isPresent()) {
      failures.remove(key);
    }
    return u;
  }

  /** Drops the user and address pairs whose failures are all older than the window at {@code now} (ns). */
  private void forgetOldFailures(long now) {
    failures.values().removeIf(f -> {
      synchronized (f) {
        return !f.isEmpty() && now - f.peekLast() > WINDOW_NANOS; // empty: being filled now
      }
    });
  }

  /** Content-Security-Policy without inline scripts, and the usual hardening headers. */
  static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        + "form-action 'self'; frame-ancestors 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
  }
}
