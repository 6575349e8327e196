package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.queue.spi.Incident;
import dev.spindle.queue.spi.Incident.Kind;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.StoreBackend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link IncidentLog} on one store: one open incident per key however many callers
 * race to raise it, exactly one resolver, listings newest first, details cut to their limit, and
 * times kept as given. Subclass it per backend and implement {@link #openStore()}.
 */
public abstract class IncidentLogContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:00:00Z");
  private static final Incident.Key STALL = Incident.Key.of(Kind.STALLED_QUEUE, "mail");

  /** The store's clock: open the store with it. */
  protected ManualClock clock;
  /** The store under test. */
  protected StoreBackend store;
  private IncidentLog log;

  /** Opens a new, empty store on {@link #clock}. */
  protected abstract StoreBackend openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    clock = new ManualClock(T0);
    store = openStore();
    log = store.incidents().orElseThrow();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void raisingOpensOneIncidentAndRaisingAgainReturnsIt() {
    IncidentLog.Raised first = log.raise(STALL, T0.minusSeconds(90), "3 ready, no claim", T0);
    IncidentLog.Raised again = log.raise(STALL, T0, "other words", T0.plusSeconds(30));

    assertThat(first.created()).isTrue();
    Incident i = first.incident();
    assertThat(i.id()).isPositive();
    assertThat(i.kind()).isEqualTo(Kind.STALLED_QUEUE);
    assertThat(i.queue()).isEqualTo("mail");
    assertThat(i.subject()).isEmpty();
    assertThat(i.since()).isEqualTo(T0.minusSeconds(90));
    assertThat(i.openedAt()).isEqualTo(T0);
    assertThat(i.isOpen()).isTrue();
    assertThat(i.details()).isEqualTo("3 ready, no claim");
    assertThat(again.created()).isFalse();
    assertThat(again.incident()).isEqualTo(i);
    assertThat(log.incidents(true, 10)).containsExactly(i);
    assertThat(log.incident(i.id())).contains(i);
  }

  @Test
  void kindQueueAndSubjectEachMakeADifferentIncident() {
    long a = log.raise(STALL, T0, "a", T0).incident().id();
    long b = log.raise(Incident.Key.of(Kind.QUEUE_LATENCY, "mail"), T0, "b", T0).incident().id();
    long c = log.raise(Incident.Key.of(Kind.STALLED_QUEUE, "mail2"), T0, "c", T0).incident().id();
    long d = log.raise(new Incident.Key(Kind.STALLED_WORKER, "mail", "w1@h:1#a"), T0, "d", T0).incident().id();
    long e = log.raise(new Incident.Key(Kind.STALLED_WORKER, "mail", "w2@h:1#b"), T0, "e", T0).incident().id();

    assertThat(List.of(a, b, c, d, e)).doesNotHaveDuplicates();
    assertThat(log.incidents(true, 10)).extracting(Incident::id).containsExactly(e, d, c, b, a);
    assertThat(log.incident(d).orElseThrow().subject()).isEqualTo("w1@h:1#a");
  }

  @Test
  void resolvingClosesTheOpenIncidentOnceAndANewOneMayOpenAfter() {
    Incident opened = log.raise(STALL, T0, "stalled", T0).incident();

    Optional<Incident> resolved = log.resolve(STALL, T0.plusSeconds(60));
    Optional<Incident> twice = log.resolve(STALL, T0.plusSeconds(61));
    IncidentLog.Raised next = log.raise(STALL, T0.plusSeconds(100), "again", T0.plusSeconds(120));

    assertThat(resolved).isPresent();
    assertThat(resolved.orElseThrow().id()).isEqualTo(opened.id());
    assertThat(resolved.orElseThrow().resolvedAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(twice).isEmpty();
    assertThat(next.created()).isTrue();
    assertThat(next.incident().id()).isGreaterThan(opened.id());
    assertThat(log.incidents(true, 10)).containsExactly(next.incident());
    assertThat(log.incidents(false, 10)).containsExactly(next.incident(), resolved.orElseThrow());
    assertThat(log.incident(opened.id())).contains(resolved.orElseThrow());
    assertThat(log.resolve(Incident.Key.of(Kind.DEAD_JOBS, Incident.ALL_QUEUES), T0)).isEmpty();
  }

  @Test
  void listingsAreNewestFirstWithinTheLimit() {
    for (int i = 0; i < 5; i++) {
      Incident.Key k = Incident.Key.of(Kind.STALLED_QUEUE, "q" + i);
      log.raise(k, T0, "n" + i, T0.plusSeconds(i));
      if (i % 2 == 0) {
        log.resolve(k, T0.plusSeconds(10 + i));
      }
    }

    assertThat(log.incidents(false, 3)).extracting(Incident::queue).containsExactly("q4", "q3", "q2");
    assertThat(log.incidents(true, 10)).extracting(Incident::queue).containsExactly("q3", "q1");
    assertThat(log.incidents(true, 1)).extracting(Incident::queue).containsExactly("q3");
    assertThat(log.incident(999_999)).isEmpty();
    assertThatThrownBy(() -> log.incidents(false, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void longDetailsAreCutAndOddNamesKeptAsGiven() {
    String queue = "q:1:with:colons";
    Incident i = log.raise(new Incident.Key(Kind.STALLED_WORKER, queue, "w:\u00e9\u4e2d"), T0,
        "x".repeat(Incident.MAX_DETAILS + 500), T0).incident();

    Incident read = log.incident(i.id()).orElseThrow();
    assertThat(read.details()).hasSize(Incident.MAX_DETAILS).endsWith("...");
    assertThat(read.queue()).isEqualTo(queue);
    assertThat(read.subject()).isEqualTo("w:\u00e9\u4e2d");
    assertThat(log.raise(new Incident.Key(Kind.STALLED_WORKER, "q", "1:with:colons:w:"), T0, "other", T0)
        .created()).as("a key whose parts shift the separators is another key").isTrue();
  }

  @Test
  void ofRacingRaisersExactlyOneCreatesAndOfRacingResolversExactlyOneResolves() throws Exception {
    int n = 8;
    List<IncidentLog.Raised> raised = race(n, () -> log.raise(STALL, T0, "race", T0));
    assertThat(raised).filteredOn(IncidentLog.Raised::created).hasSize(1);
    assertThat(raised).extracting(r -> r.incident().id()).containsOnly(raised.get(0).incident().id());
    assertThat(log.incidents(true, 10)).hasSize(1);

    List<Optional<Incident>> resolved = race(n, () -> log.resolve(STALL, T0.plusSeconds(5)));
    assertThat(resolved).filteredOn(Optional::isPresent).hasSize(1);
    assertThat(log.incidents(true, 10)).isEmpty();
  }

  private static <T> List<T> race(int n, Callable<T> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return call.call();
        }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
