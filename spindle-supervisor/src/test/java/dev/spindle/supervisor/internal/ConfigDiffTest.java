package dev.spindle.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.supervisor.ServiceConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reload diff as a pure function. */
class ConfigDiffTest {
  private static ServiceConfig svc(String name, int workers, String args) {
    return ServiceConfig.builder(name, dev.spindle.supervisor.testing.CrashingService.class).workers(workers).argsJson(args).build();
  }

  private static Map<String, ServiceConfig> running(ServiceConfig... cs) {
    Map<String, ServiceConfig> m = new LinkedHashMap<>();
    for (ServiceConfig c : cs) {
      m.put(c.name(), c);
    }
    return m;
  }

  @Test
  void removalsComeFirstThenTheNewFilesOrder() {
    ServiceConfig a = svc("a", 2, "1");
    ServiceConfig b = svc("b", 1, "1");
    ServiceConfig c = svc("c", 1, "1");
    ServiceConfig aScaled = svc("a", 5, "1");
    ServiceConfig bChanged = svc("b", 1, "2");
    ServiceConfig d = svc("d", 3, null);
    assertThat(ConfigDiff.between(running(a, b, c), List.of(d, bChanged, aScaled))).containsExactly(
        new ConfigDiff.Remove("c"), new ConfigDiff.Add(d), new ConfigDiff.Restart(bChanged),
        new ConfigDiff.Scale("a", 5));
  }

  @Test
  void anUnchangedConfigurationIsNoStepAndADuplicateIsRefused() {
    ServiceConfig a = svc("a", 2, "1");
    assertThat(ConfigDiff.between(running(a), List.of(svc("a", 2, "1")))).isEmpty();
    assertThatThrownBy(() -> ConfigDiff.between(running(), List.of(a, svc("a", 1, "1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("service 'a' is configured twice");
  }
}
