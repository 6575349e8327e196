package dev.spindle.examples.primes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrimeCheckerTest {
  @ParameterizedTest
  @EnumSource(value = ExecutionModel.class, names = {"SEQUENTIAL", "THREADS", "VIRTUAL", "PROCESSES"})
  void everyModelGivesTheFixtureAnswersOneArrivalPerNumber(ExecutionModel model) throws Exception {
    PrimeChecker checker = PrimeChecker.on(model).workers(model == ExecutionModel.SEQUENTIAL ? 1 : 2)
        .dataset(PrimeDataset.TEXT).build();
    List<PrimeResult> arrivals = new ArrayList<>();

    PrimeRun run = checker.run(arrivals::add, f -> {});

    Map<Long, Boolean> expected = PrimeDataset.TEXT.fixtures().stream()
        .collect(Collectors.toMap(PrimeFixture::n, PrimeFixture::prime));
    assertThat(run.succeeded()).isTrue();
    assertThat(arrivals).isEqualTo(run.results()).hasSize(20);
    assertThat(arrivals).allSatisfy(r -> assertThat(r.prime()).as("%d", r.n()).isEqualTo(expected.get(r.n())));
    assertThat(arrivals.stream().map(PrimeResult::n)).containsExactlyInAnyOrderElementsOf(PrimeDataset.TEXT.numbers());
    assertThat(run.elapsedSeconds()).isGreaterThanOrEqualTo(run.startupSeconds());
    if (model == ExecutionModel.SEQUENTIAL) {
      assertThat(arrivals.stream().map(PrimeResult::n)).containsExactlyElementsOf(PrimeDataset.TEXT.numbers());
    }
  }

  @Test
  void headersFollowTheModel() {
    assertThat(PrimeChecker.on(ExecutionModel.SEQUENTIAL).build().header())
        .isEqualTo("Checking 20 numbers sequentially:");
    assertThat(PrimeChecker.on(ExecutionModel.PROCESSES).workers(2).build().header())
        .isEqualTo("Checking 20 numbers with 2 processes:");
    assertThat(PrimeChecker.on(ExecutionModel.THREADS).workers(3).dataset(PrimeDataset.LARGE).build().header())
        .isEqualTo("Checking 12 numbers with 3 threads:");
  }

  @Test
  void timesTheRunWithTheInjectedTicker() throws Exception {
    AtomicLong now = new AtomicLong();
    PrimeRun run = PrimeChecker.on(ExecutionModel.THREADS).workers(2).numbers(List.of(2L, 9L, 97L))
        .ticker(() -> now.addAndGet(1_000_000_000L)).build().run();
    // One reading before the pool starts, one after it started, one when the last answer arrived.
    assertThat(run.startupSeconds()).isEqualTo(1.0);
    assertThat(run.elapsedSeconds()).isEqualTo(2.0);
    assertThat(run.results()).extracting(PrimeResult::prime).containsExactlyInAnyOrder(true, false, true);
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> PrimeChecker.on(ExecutionModel.DISTRIBUTED)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrimeChecker.on(ExecutionModel.SEQUENTIAL).workers(2))
        .hasMessageContaining("exactly one worker");
    assertThatThrownBy(() -> PrimeChecker.on(ExecutionModel.THREADS).workers(0)).hasMessageContaining(">= 1");
    assertThatThrownBy(() -> PrimeChecker.on(ExecutionModel.THREADS).numbers(List.of()))
        .hasMessageContaining("no numbers");
    assertThat(PrimeChecker.on(ExecutionModel.VIRTUAL).workers(0).build().header())
        .isEqualTo("Checking 20 numbers with 20 virtual threads:");
  }
}
