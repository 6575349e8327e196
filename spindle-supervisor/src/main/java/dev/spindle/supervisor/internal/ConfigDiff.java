package dev.spindle.supervisor.internal;

import dev.spindle.supervisor.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reload changes: the steps that turn the running services into the ones a configuration
 * names, in the order they must be applied (removals first, then the new file's order). A pure
 * function of the two configurations. Stateless.
 */
final class ConfigDiff {
  private ConfigDiff() {}

  /** One step of a reload. */
  sealed interface Step {}

  /** A service that is no longer configured: retire its workers. */
  record Remove(String name) implements Step {}

  /** A new service: start its workers. */
  record Add(ServiceConfig config) implements Step {}

  /** A service whose definition changed: retire it and start it anew. */
  record Restart(ServiceConfig config) implements Step {}

  /** A service whose only change is its number of workers. */
  record Scale(String name, int workers) implements Step {}

  /**
   * The steps from {@code running} (name to configuration) to {@code fresh}.
   *
   * @throws IllegalArgumentException if {@code fresh} names a service twice
   */
  static List<Step> between(Map<String, ServiceConfig> running, List<ServiceConfig> fresh) {
    Map<String, ServiceConfig> byName = new LinkedHashMap<>();
    for (ServiceConfig c : fresh) {
      if (byName.put(c.name(), c) != null) {
        throw new IllegalArgumentException("service '" + c.name() + "' is configured twice");
      }
    }
    List<Step> steps = new ArrayList<>();
    for (String name : running.keySet()) {
      if (!byName.containsKey(name)) {
        steps.add(new Remove(name));
      }
    }
    for (ServiceConfig c : fresh) {
      ServiceConfig old = running.get(c.name());
      if (old == null) {
        steps.add(new Add(c));
      } else if (!old.sameDefinition(c)) {
        steps.add(new Restart(c));
      } else if (old.workers() != c.workers()) {
        steps.add(new Scale(c.name(), c.workers()));
      }
    }
    return steps;
  }
}
