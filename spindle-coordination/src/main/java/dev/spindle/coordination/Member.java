package dev.spindle.coordination;

import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A member of a group: its id and capabilities (a JSON document it joined with, e.g.
 * {@code {"weight":2,"region":"eu"}}). Immutable.
 *
 * @param id the member's id, unique in its group
 * @param capabilitiesJson the capabilities as JSON text ({@code {}} if none)
 */
public record Member(String id, String capabilitiesJson) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Checks the fields. */
  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capabilitiesJson, "capabilitiesJson");
  }

  /** The capabilities parsed. */
  public JsonNode capabilities() {
    return JSON.readTree(capabilitiesJson);
  }

  /** The integer field {@code weight} of the capabilities if present and in 1..1000, else 1. */
  public int weight() {
    JsonNode w = capabilities().get("weight");
    if (w != null && w.canConvertToInt()) {
      int v = w.asInt();
      if (v >= 1 && v <= 1000) {
        return v;
      }
    }
    return 1;
  }

  static String validJson(String json) {
    JsonNode n = JSON.readTree(json);
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("capabilities must be a JSON object, got " + json);
    }
    return JSON.writeValueAsString(n);
  }
}
