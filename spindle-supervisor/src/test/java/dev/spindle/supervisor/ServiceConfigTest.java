package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.PayloadException;
import dev.spindle.supervisor.internal.ConfigFile;
import dev.spindle.supervisor.internal.Sizes;
import dev.spindle.supervisor.testing.IdleService;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
  /** Not a usable service: abstract. */
  public abstract static class AbstractService extends Service {
    protected AbstractService(ServiceContext c) {
      super(c);
    }
  }

  /** Not a usable service: no suitable constructor. */
  public static final class NoCtorService extends Service {
    public NoCtorService(String s) {
      super((ServiceContext) null);
    }

    @Override
    public void run() {}
  }

  @Test
  void defaultsAndCopies() {
    ServiceConfig c = ServiceConfig.builder("printer", IdleService.class).build();
    assertThat(c.workers()).isEqualTo(1);
    assertThat(c.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.restartDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.maxRestartDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.crashLoopThreshold()).isEqualTo(5);
    assertThat(c.withWorkers(5).workers()).isEqualTo(5);
    assertThat(c.withWorkers(5).sameDefinition(c)).isTrue();
    assertThat(c.toBuilder().args(List.of(1)).build().sameDefinition(c)).isFalse();
    assertThat(ServiceConfig.builder(IdleService.class).build().name()).isEqualTo("IdleService");
  }

  @Test
  void refusesBadSettingsWithClearMessages() {
    assertThatThrownBy(() -> ServiceConfig.builder("bad name", IdleService.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service name");
    assertThatThrownBy(() -> ServiceConfig.builder("a=b", IdleService.class)).hasMessageContaining("[A-Za-z0-9_.-]");
    var b = ServiceConfig.builder("x", IdleService.class);
    assertThatThrownBy(() -> b.workers(513)).hasMessageContaining("0..512");
    assertThatThrownBy(() -> b.jvmOptions(List.of("-cp"))).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> b.jvmOptions(List.of("Xmx1g"))).hasMessageContaining("must start with '-'");
    assertThatThrownBy(() -> b.maxHeap("lots")).hasMessageContaining("256m");
    assertThatThrownBy(() -> b.env("SPINDLE_X", "1")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> b.maxResidentBytes(1000)).hasMessageContaining(">= 16 MiB");
    assertThatThrownBy(() -> b.restartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("initial <= max");
    assertThatThrownBy(() -> b.crashLoopThreshold(1)).hasMessageContaining(">= 2");
    assertThatThrownBy(() -> b.argsJson("{nope")).isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> ServiceConfig.builder("x", AbstractService.class)).hasMessageContaining("concrete");
    assertThatThrownBy(() -> ServiceConfig.builder("x", NoCtorService.class))
        .hasMessageContaining("public constructor taking a ServiceContext");
    assertThatThrownBy(() -> ServiceConfig.builder("x", "java.lang.String")).hasMessageContaining("does not extend");
  }

  @Test
  void parsesConfigurationFiles() {
    List<ServiceConfig> cs = ConfigFile.parse("""
        {"services": [
          {"name": "printer", "class": "%s", "workers": 3, "args": {"finishMillis": 5},
           "jvmOptions": ["-Xss512k"], "maxHeap": "64m", "env": {"K": "v"}, "maxJobsPerChild": 100,
           "maxResident": "512m", "maxHeapUsed": "200m", "stopTimeout": "2s",
           "restartBackoff": {"initial": "50ms", "max": "PT5S"}, "stableAfter": 3000, "crashLoopThreshold": 4},
          {"class": "%s"}
        ]}""".formatted(IdleService.class.getName(), IdleService.class.getName()));
    ServiceConfig p = cs.get(0);
    assertThat(p.workers()).isEqualTo(3);
    assertThat(p.argsJson()).isEqualTo("{\"finishMillis\":5}");
    assertThat(p.jvmOptions()).containsExactly("-Xss512k");
    assertThat(p.environment()).containsEntry("K", "v");
    assertThat(p.maxResidentBytes()).isEqualTo(512L << 20);
    assertThat(p.maxHeapUsedBytes()).isEqualTo(200L << 20);
    assertThat(p.stopTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.restartDelay()).isEqualTo(Duration.ofMillis(50));
    assertThat(p.maxRestartDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.stableAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(cs.get(1).name()).isEqualTo("IdleService");

    assertThatThrownBy(() -> ConfigFile.parse("[]")).hasMessageContaining("\"services\"");
    assertThatThrownBy(() -> ConfigFile.parse("{\"services\": []}")).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> ConfigFile.parse("{\"servces\": []}")).hasMessageContaining("unknown key 'servces'");
    assertThatThrownBy(() -> ConfigFile.parse("{\"services\": [{\"name\": \"a\", \"class\": \"" + IdleService.class.getName()
        + "\"}, {\"name\": \"a\", \"class\": \"" + IdleService.class.getName() + "\"}]}"))
        .hasMessageContaining("defined twice");
    assertThatThrownBy(() -> ConfigFile.parse("{\"services\": [{\"name\": \"a\", \"class\": \""
        + IdleService.class.getName() + "\", \"workers\": \"two\"}]}")).hasMessageContaining("must be an integer");
  }

  @Test
  void parsesAndPrintsSizesAndDurations() {
    assertThat(Sizes.parseBytes("512m", "x")).isEqualTo(512L << 20);
    assertThat(Sizes.parseBytes("2GiB", "x")).isEqualTo(2L << 30);
    assertThat(Sizes.parseBytes("1048576", "x")).isEqualTo(1L << 20);
    assertThatThrownBy(() -> Sizes.parseBytes("5 apples", "limit")).hasMessageContaining("limit: not a size");
    assertThat(Sizes.parseDuration("250ms", "x")).isEqualTo(Duration.ofMillis(250));
    assertThat(Sizes.parseDuration("PT1M", "x")).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> Sizes.parseDuration("soon", "t")).hasMessageContaining("t: not a duration");
    assertThat(Sizes.formatBytes(-1)).isEqualTo("-");
    assertThat(Sizes.formatBytes(3L << 20)).isEqualTo("3.0 MiB");
    assertThat(Sizes.formatDuration(Duration.ofSeconds(184))).isEqualTo("3m04s");
  }
}
