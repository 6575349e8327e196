package dev.spindle.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.MapOptions;
import dev.spindle.RejectedSubmissionException;
import dev.spindle.ResultIterator;
import dev.spindle.Task;
import dev.spindle.TaskFailedException;
import dev.spindle.TaskTimeoutException;
import dev.spindle.WorkerLostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * {@link MapSupport} against a backend whose chunks the test completes by hand, so window, order,
 * failures and rejections are checked deterministically.
 */
class MapSupportTest {
  private static final Task<Integer, Integer> DOUBLE = Task.of("double", Integer.class, Integer.class, x -> 2 * x);

  /** A backend that records chunks and completes them only when told. */
  private static final class HandBackend implements MapSupport.ChunkSubmitter<Integer, Integer> {
    final List<List<Integer>> chunks = new ArrayList<>();
    final List<CompletableTaskFuture<List<Outcome<Integer>>>> futures = new ArrayList<>();
    RejectedSubmissionException rejectNext;
    int rejections;

    @Override
    public CompletableTaskFuture<List<Outcome<Integer>>> submit(List<Integer> inputs) {
      if (rejectNext != null && rejections-- > 0) {
        throw rejectNext;
      }
      chunks.add(inputs);
      CompletableTaskFuture<List<Outcome<Integer>>> f = new CompletableTaskFuture<>(futures.size(), "double");
      futures.add(f);
      return f;
    }

    void complete(int chunk) {
      List<Outcome<Integer>> out = new ArrayList<>();
      for (int x : chunks.get(chunk)) {
        out.add(x < 0 ? Outcome.failure(new IllegalArgumentException("negative " + x)) : Outcome.success(2 * x));
      }
      futures.get(chunk).succeed(out);
    }

    void completeAll() {
      for (int i = 0; i < futures.size(); i++) {
        if (!futures.get(i).isDone()) {
          complete(i);
        }
      }
    }
  }

  private final HandBackend backend = new HandBackend();

  @Test
  void submitsAWindowOfChunksAtOnceAndMoreAsResultsAreConsumed() {
    List<Integer> in = List.of(1, 2, 3, 4, 5, 6, 7);
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, in, MapOptions.defaults().withChunkSize(2).withWindow(2), 99, backend);
    assertThat(backend.chunks).containsExactly(List.of(1, 2), List.of(3, 4));
    backend.complete(1); // out of order
    backend.complete(0);
    assertThat(it.next()).isEqualTo(2);
    assertThat(backend.chunks).hasSize(3); // refilled as soon as the head chunk was taken
    assertThat(it.next()).isEqualTo(4);
    assertThat(it.next()).isEqualTo(6);
    backend.completeAll();
    List<Integer> rest = new ArrayList<>();
    while (it.hasNext()) {
      rest.add(it.next());
      backend.completeAll();
    }
    assertThat(rest).containsExactly(8, 10, 12, 14);
    assertThat(backend.chunks).containsExactly(List.of(1, 2), List.of(3, 4), List.of(5, 6), List.of(7));
    assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void theDefaultWindowApplies() {
    MapSupport.map(DOUBLE, List.of(1, 2, 3, 4, 5), MapOptions.defaults(), 3, backend);
    assertThat(backend.chunks).hasSize(3);
    assertThat(MapSupport.defaultWindow(2)).isGreaterThanOrEqualTo(16);
  }

  @Test
  void elementFailuresAndWholeChunkFailuresSurfaceAtTheirPositions() {
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, -2, 3, 4, 5), MapOptions.defaults().withChunkSize(3), 8, backend);
    backend.complete(0);
    backend.futures.get(1).fail(new WorkerLostException("w(0)", 123, 137, null));
    assertThat(it.next()).isEqualTo(2);
    assertThatThrownBy(it::next).isInstanceOf(TaskFailedException.class)
        .hasRootCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("0[1]");
    assertThat(it.next()).isEqualTo(6);
    assertThatThrownBy(it::next).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(WorkerLostException.class);
    assertThatThrownBy(it::next).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(WorkerLostException.class);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aCancelledChunkThrowsCancellationForEachInput() {
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2), MapOptions.defaults().withChunkSize(2), 8, backend);
    backend.futures.get(0).cancel(true);
    assertThatThrownBy(it::next).isInstanceOf(CancellationException.class);
    assertThatThrownBy(it::next).isInstanceOf(CancellationException.class);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aTimeoutCancelsEverythingInFlightAndEndsTheIteration() {
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2, 3), MapOptions.defaults().withTimeout(Duration.ofMillis(30)), 8, backend);
    backend.complete(0);
    assertThat(it.next()).isEqualTo(2);
    assertThatThrownBy(it::next).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("double")
        .hasMessageContaining("2 pending");
    assertThat(backend.futures.get(1).isCancelled()).isTrue();
    assertThat(backend.futures.get(2).isCancelled()).isTrue();
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aTimeoutWithInputsLeftButNothingInFlightIsReportedNotSwallowed() {
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2), MapOptions.defaults().withTimeout(Duration.ZERO), 8, backend);
    assertThat(backend.chunks).isEmpty();
    assertThat(it.hasNext()).isTrue();
    assertThatThrownBy(it::next).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("not yet submitted");
    assertThat(it.hasNext()).isFalse();
    ResultIterator<Integer> empty = MapSupport.map(DOUBLE, List.of(), MapOptions.defaults().withTimeout(Duration.ZERO), 8, backend);
    assertThat(empty.hasNext()).isFalse();
  }

  @Test
  void closeCancelsPendingChunksNewestFirst() {
    List<String> order = new ArrayList<>();
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2, 3), MapOptions.defaults(), 8, backend);
    for (int i = 0; i < 3; i++) {
      int n = i;
      backend.futures.get(i).onDone(f -> order.add("c" + n));
    }
    it.close();
    assertThat(order).containsExactly("c2", "c1", "c0");
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aFullBacklogIsRetriedWithoutLosingInputs() {
    HandBackend b = new HandBackend();
    b.rejectNext = new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL, "full");
    b.rejections = 1;
    ResultIterator<Integer> it2 = MapSupport.map(DOUBLE, List.of(5, 6), MapOptions.defaults().withWindow(1), 8, b);
    assertThat(it2.hasNext()).isTrue();
    assertThatThrownBy(it2::next).isSameAs(b.rejectNext);
    assertThat(it2.hasNext()).isTrue(); // retried: input 5 was held, not lost
    b.completeAll();
    assertThat(it2.next()).isEqualTo(10);
    b.completeAll();
    assertThat(it2.next()).isEqualTo(12);
    assertThat(it2.hasNext()).isFalse();
  }

  @Test
  void aFullBacklogWhileChunksAreInFlightWaitsForTheNextResult() {
    HandBackend b = new HandBackend();
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2, 3), MapOptions.defaults().withWindow(3), 8, new MapSupport.ChunkSubmitter<>() {
      int calls;

      @Override
      public dev.spindle.TaskFuture<List<Outcome<Integer>>> submit(List<Integer> inputs) {
        if (++calls == 2) {
          throw new RejectedSubmissionException(RejectedSubmissionException.Reason.BACKLOG_FULL, "full");
        }
        return b.submit(inputs);
      }
    });
    assertThat(b.chunks).containsExactly(List.of(1));
    b.completeAll();
    assertThat(it.next()).isEqualTo(2);
    assertThat(b.chunks).containsExactly(List.of(1), List.of(2), List.of(3));
    b.completeAll();
    assertThat(it.next()).isEqualTo(4);
    assertThat(it.next()).isEqualTo(6);
  }

  @Test
  void aShutDownExecutorRefusesTheMapAtOnce() {
    MapSupport.ChunkSubmitter<Integer, Integer> closed = inputs -> {
      throw new RejectedSubmissionException(RejectedSubmissionException.Reason.SHUTDOWN, "shut down");
    };
    assertThatThrownBy(() -> MapSupport.map(DOUBLE, List.of(1), MapOptions.defaults(), 8, closed))
        .isInstanceOf(RejectedSubmissionException.class).hasMessage("shut down");
  }

  @Test
  void anInputIteratorFailureSurfacesAfterEarlierOutputs() {
    Iterable<Integer> bad = () -> new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (n == 2) {
          throw new IllegalStateException("input source broke");
        }
        return n++;
      }
    };
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, bad, MapOptions.defaults(), 8, backend);
    backend.completeAll();
    assertThat(it.next()).isEqualTo(0);
    assertThat(it.next()).isEqualTo(2);
    assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("input source broke");
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void aBackendReturningTheWrongNumberOfOutcomesIsReported() {
    ResultIterator<Integer> it = MapSupport.map(DOUBLE, List.of(1, 2), MapOptions.defaults().withChunkSize(2), 8, backend);
    backend.futures.get(0).succeed(List.of(Outcome.success(2)));
    assertThatThrownBy(it::next).isInstanceOf(TaskFailedException.class).hasRootCauseMessage("backend returned 1 outcomes for a chunk of 2 inputs of map(double)");
  }
}
