package dev.spindle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.queue.memory.InMemoryJobStore;
import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.IncidentLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** {@code spindle_incidents_open}: the store's open incidents per kind and queue, 0 once resolved. */
class IncidentGaugeTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void countsOpenIncidentsByKindAndQueueAndFallsToZeroWhenResolved() {
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    try (InMemoryJobStore store = new InMemoryJobStore("gauge", clock)) {
      IncidentLog log = store.incidents().orElseThrow();
      log.raise(Incident.Key.of(Incident.Kind.STALLED_QUEUE, "mail"), T0, "stalled", T0);
      log.raise(new Incident.Key(Incident.Kind.STALLED_WORKER, "mail", "w1"), T0, "w1 stalled", T0);
      log.raise(new Incident.Key(Incident.Kind.STALLED_WORKER, "mail", "w2"), T0, "w2 stalled", T0);
      SpindleMetrics metrics = SpindleMetrics.builder().clock(clock).storeRefresh(Duration.ZERO).build()
          .bindStore(store);

      assertThat(metrics.scrape()).contains("spindle_incidents_open{kind=\"STALLED_QUEUE\",queue=\"mail\"} 1.0")
          .contains("spindle_incidents_open{kind=\"STALLED_WORKER\",queue=\"mail\"} 2.0");

      log.resolve(Incident.Key.of(Incident.Kind.STALLED_QUEUE, "mail"), T0.plusSeconds(5));
      assertThat(metrics.scrape()).contains("spindle_incidents_open{kind=\"STALLED_QUEUE\",queue=\"mail\"} 0.0");
    }
  }
}
