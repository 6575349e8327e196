package dev.spindle.web.internal;

import org.jspecify.annotations.Nullable;

/**
 * An error answered as {@code application/problem+json} (RFC 9457): status, a short title and a
 * detail that says what is wrong. Immutable.
 */
public final class Problem extends RuntimeException {
  private final int status;
  private final String title;

  /** A problem with this status, title and detail. */
  public Problem(int status, String title, @Nullable String detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }

  /** 400 Bad Request. */
  public static Problem badRequest(@Nullable String detail) {
    return new Problem(400, "Bad request", detail);
  }

  /** 404 Not Found. */
  public static Problem notFound(String detail) {
    return new Problem(404, "Not found", detail);
  }

  /** 409 Conflict. */
  public static Problem conflict(String detail) {
    return new Problem(409, "Conflict", detail);
  }

  /** 403 Forbidden. */
  public static Problem forbidden(String detail) {
    return new Problem(403, "Forbidden", detail);
  }

  /** 501 Not Implemented. */
  public static Problem notImplemented(String detail) {
    return new Problem(501, "Not implemented", detail);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The short title. */
  public String title() {
    return title;
  }
}
