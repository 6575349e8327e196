package dev.spindle.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Authentication taken from the application that mounts the dashboard as a servlet ({@link
 * Dashboard.Builder#hostSecurity}): the host authenticates every request (Spring Security, a
 * servlet container realm, ...), and the dashboard reads {@link HttpServletRequest#getUserPrincipal()}
 * and {@link HttpServletRequest#isUserInRole(String)}. A user in the {@linkplain Builder#operatorRole
 * operator role} may read and change; one in the {@linkplain Builder#viewerRole viewer role} may
 * read; anyone else gets 403, and a request without a principal 401. The dashboard's own log-in,
 * log-out and tokens are not used.
 *
 * <p>Changing requests keep the dashboard's own CSRF protection: a same-origin check and a token
 * kept in the host's {@link jakarta.servlet.http.HttpSession}, which the pages embed and app.js
 * echoes in {@code X-Spindle-CSRF}. When the host has CSRF protection of its own (Spring Security's
 * is on by default), give its token with {@link Builder#hostCsrf}: the pages embed it as well and
 * app.js sends it in the host's header, so both checks pass. Immutable; thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link Builder#viewerRole}</td><td>{@value #DEFAULT_VIEWER_ROLE}</td></tr>
 *   <tr><td>{@link Builder#operatorRole}</td><td>{@value #DEFAULT_OPERATOR_ROLE}</td></tr>
 *   <tr><td>{@link Builder#hostCsrf}</td><td>none: the host has no CSRF token of its own</td></tr>
 * </table>
 */
public final class HostSecurity {
  /** The default role that may read. */
  public static final String DEFAULT_VIEWER_ROLE = "SPINDLE_VIEWER";
  /** The default role that may read and change. */
  public static final String DEFAULT_OPERATOR_ROLE = "SPINDLE_OPERATOR";

  /**
   * The host's own CSRF token for a request: the header it is expected in and its value.
   *
   * @param headerName the request header, e.g. {@code X-CSRF-TOKEN}
   * @param token the value to send
   */
  public record HostCsrfToken(String headerName, String token) {
    /** Checks that both are given and the header name is a plain token. */
    public HostCsrfToken {
      Objects.requireNonNull(headerName, "headerName");
      Objects.requireNonNull(token, "token");
      if (!headerName.matches("[A-Za-z0-9-]+")) {
        throw new IllegalArgumentException("not a header name: '" + headerName + "'");
      }
    }
  }

  private final String viewerRole;
  private final String operatorRole;
  private final Function<HttpServletRequest, Optional<HostCsrfToken>> hostCsrf;

  private HostSecurity(Builder b) {
    this.viewerRole = b.viewerRole;
    this.operatorRole = b.operatorRole;
    this.hostCsrf = b.hostCsrf;
  }

  /** Host security with the default roles and no host CSRF token. */
  public static HostSecurity defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The role that may read. */
  public String viewerRole() {
    return viewerRole;
  }

  /** The role that may read and change. */
  public String operatorRole() {
    return operatorRole;
  }

  /** The host's CSRF token for {@code request}, if it has one. */
  public Optional<HostCsrfToken> hostCsrf(HttpServletRequest request) {
    return hostCsrf.apply(request);
  }

  /** Validates each setting as it is given. Not thread-safe. */
  public static final class Builder {
    private String viewerRole = DEFAULT_VIEWER_ROLE;
    private String operatorRole = DEFAULT_OPERATOR_ROLE;
    private Function<HttpServletRequest, Optional<HostCsrfToken>> hostCsrf = r -> Optional.empty();

    private Builder() {}

    /**
     * The role, as {@link HttpServletRequest#isUserInRole} takes it, that may read (pages, GET).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder viewerRole(String role) {
      this.viewerRole = role(role);
      return this;
    }

    /**
     * The role that may read and change (enqueue, retry, cancel, delete, pause, schedules).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder operatorRole(String role) {
      this.operatorRole = role(role);
      return this;
    }

    /** Reads the host's own CSRF token of a request (called while a page is rendered). */
    public Builder hostCsrf(Function<HttpServletRequest, Optional<HostCsrfToken>> tokenOfRequest) {
      this.hostCsrf = Objects.requireNonNull(tokenOfRequest, "tokenOfRequest");
      return this;
    }

    private static String role(String role) {
      if (Objects.requireNonNull(role, "role").isBlank()) {
        throw new IllegalArgumentException("a role name must not be blank");
      }
      return role.trim();
    }

    /** The settings. */
    public HostSecurity build() {
      return new HostSecurity(this);
    }
  }
}
