package dev.spindle.web;

import java.util.Objects;

/**
 * The answer of an extra GET route added with {@link Dashboard.Builder#route}: status, content type
 * and body text. Immutable.
 *
 * @param status the HTTP status, 100-599
 * @param contentType the media type, e.g. {@code text/plain; version=0.0.4}
 * @param body the body
 */
public record RouteResponse(int status, String contentType, String body) {
  public RouteResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status out of range: " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  /** A 200 answer. */
  public static RouteResponse ok(String contentType, String body) {
    return new RouteResponse(200, contentType, body);
  }
}
