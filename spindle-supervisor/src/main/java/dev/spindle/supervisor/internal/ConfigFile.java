package dev.spindle.supervisor.internal;

import dev.spindle.supervisor.ServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the services of a master from a JSON file, the file {@code spindle services --config}
 * takes and re-reads on every reload. Unknown keys are errors (a typo must not be silently
 * ignored). Stateless.
 *
 * <pre>{@code
 * {"services": [
 *   {"name": "printer", "class": "dev.spindle.supervisor.examples.PrinterService", "workers": 2,
 *    "args": {"message": "Doing stuff"}, "jvmOptions": ["-Xss512k"], "maxHeap": "64m", "env": {"K": "v"},
 *    "maxJobsPerChild": 1000, "maxResident": "512m", "maxHeapUsed": "256m", "stopTimeout": "10s",
 *    "restartBackoff": {"initial": "100ms", "max": "30s"}, "stableAfter": "10s", "crashLoopThreshold": 5}
 * ]}
 * }</pre>
 */
public final class ConfigFile {
  /** The largest file accepted. */
  public static final long MAX_BYTES = 4 << 20;

  private static final Set<String> KEYS = Set.of("name", "class", "workers", "args", "jvmOptions", "maxHeap", "env",
      "maxJobsPerChild", "maxResident", "maxHeapUsed", "stopTimeout", "restartBackoff", "stableAfter",
      "crashLoopThreshold");

  private ConfigFile() {}

  /**
   * Reads and validates every service.
   *
   * @throws IllegalArgumentException if the file is missing, unreadable, not valid JSON, or a
   *     service is invalid; the message names the file and the service
   */
  public static List<ServiceConfig> read(Path file) {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException("configuration " + file + " is larger than " + MAX_BYTES + " bytes");
      }
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("configuration file " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read configuration " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("configuration " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a configuration document (see the class description). */
  public static List<ServiceConfig> parse(String json) {
    JsonNode root;
    try {
      root = JsonLines.MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with a \"services\" array");
    }
    for (String k : root.propertyNames()) {
      if (!k.equals("services")) {
        throw new IllegalArgumentException("unknown key '" + k + "' (expected \"services\")");
      }
    }
    JsonNode services = root.get("services");
    if (services == null || !services.isArray() || services.isEmpty()) {
      throw new IllegalArgumentException("\"services\" must be a non-empty array");
    }
    List<ServiceConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode s : services) {
      ServiceConfig c = service(s, i++);
      if (!names.add(c.name())) {
        throw new IllegalArgumentException("service '" + c.name() + "' is defined twice");
      }
      out.add(c);
    }
    return out;
  }

  private static ServiceConfig service(JsonNode s, int index) {
    if (!s.isObject()) {
      throw new IllegalArgumentException("services[" + index + "] must be an object");
    }
    for (String k : s.propertyNames()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("services[" + index + "]: unknown key '" + k + "' (known: "
            + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    String cls = text(s, "class", "services[" + index + "]");
    String name = s.has("name") ? text(s, "name", "services[" + index + "]")
        : cls.substring(cls.lastIndexOf('.') + 1);
    String where = "service '" + name + "'";
    ServiceConfig.Builder b = ServiceConfig.builder(name, cls);
    if (s.has("workers")) {
      b.workers(integer(s, "workers", where));
    }
    if (s.has("args") && !s.get("args").isNull()) {
      b.argsJson(s.get("args").toString());
    }
    if (s.has("jvmOptions")) {
      List<String> opts = new ArrayList<>();
      JsonNode a = s.get("jvmOptions");
      if (!a.isArray()) {
        throw new IllegalArgumentException(where + ": jvmOptions must be an array of strings");
      }
      a.forEach(o -> opts.add(o.asString()));
      b.jvmOptions(opts);
    }
    if (s.has("maxHeap")) {
      b.maxHeap(text(s, "maxHeap", where));
    }
    if (s.has("env")) {
      JsonNode env = s.get("env");
      if (!env.isObject()) {
        throw new IllegalArgumentException(where + ": env must be an object of strings");
      }
      for (Map.Entry<String, JsonNode> e : env.properties()) {
        b.env(e.getKey(), e.getValue().asString());
      }
    }
    if (s.has("maxJobsPerChild")) {
      b.maxJobsPerChild(integer(s, "maxJobsPerChild", where));
    }
    if (s.has("maxResident")) {
      b.maxResident(text(s, "maxResident", where));
    }
    if (s.has("maxHeapUsed")) {
      b.maxHeapUsed(text(s, "maxHeapUsed", where));
    }
    if (s.has("stopTimeout")) {
      b.stopTimeout(duration(s, "stopTimeout", where));
    }
    if (s.has("restartBackoff")) {
      JsonNode rb = s.get("restartBackoff");
      if (!rb.isObject() || !rb.has("initial") || !rb.has("max")) {
        throw new IllegalArgumentException(where + ": restartBackoff must be {\"initial\": \"100ms\", \"max\": \"30s\"}");
      }
      b.restartBackoff(duration(rb, "initial", where), duration(rb, "max", where));
    }
    if (s.has("stableAfter")) {
      b.stableAfter(duration(s, "stableAfter", where));
    }
    if (s.has("crashLoopThreshold")) {
      b.crashLoopThreshold(integer(s, "crashLoopThreshold", where));
    }
    return b.build();
  }

  private static String text(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (v == null || !v.isString() || v.asString().isBlank()) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be a non-empty string");
    }
    return v.asString();
  }

  private static int integer(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be an integer");
    }
    return v.asInt();
  }

  private static Duration duration(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (v != null && v.isIntegralNumber()) {
      return Duration.ofMillis(v.asLong());
    }
    return Sizes.parseDuration(text(n, key, where), where + ": " + key);
  }
}
