package dev.spindle.examples.queues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.Futures;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.examples.primes.Primes;
import dev.spindle.process.JoinableQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PoisonPillPipelineTest {
  private static final List<Long> ITEMS = LongStream.rangeClosed(1, 300).boxed().toList();

  @ParameterizedTest
  @EnumSource(value = ExecutionModel.class, names = {"SEQUENTIAL", "THREADS", "VIRTUAL", "PROCESSES"})
  void deliversEveryItemExactlyOnceAndStopsEveryConsumer(ExecutionModel model) throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    PoisonPillPipeline pipeline = PoisonPillPipeline.on(model).consumers(3).items(ITEMS).maxsize(5).build();

    PoisonPillPipeline.Report report = pipeline.run(new PoisonPillPipeline.Listener() {
      @Override
      public void onResult(Delivery d) {
        events.add("result");
      }

      @Override
      public void onJoined(int items) {
        events.add("joined " + items);
      }

      @Override
      public void onStopped(Delivery ack) {
        events.add("stopped " + ack.sender());
      }
    });

    assertThat(report.results()).hasSize(300);
    assertThat(report.results().stream().map(Delivery::n)).containsExactlyInAnyOrderElementsOf(ITEMS);
    for (Delivery d : report.results()) {
      assertThat(d.prime()).as("%d", d.n()).isEqualTo(Primes.isPrime(d.n()));
    }
    // One acknowledgement per consumer, and the counts add up.
    assertThat(report.handledByConsumer()).containsOnlyKeys("consumer-0", "consumer-1", "consumer-2");
    assertThat(report.handledByConsumer().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
    // Pills go out only after join(): every result arrives before the join notice, and the join
    // notice before every acknowledgement (trap P3).
    List<Delivery.Kind> kinds = report.arrivals().stream().map(Delivery::kind).toList();
    assertThat(kinds.subList(0, 300)).containsOnly(Delivery.Kind.RESULT);
    assertThat(kinds.subList(300, kinds.size())).containsExactly(Delivery.Kind.JOINED, Delivery.Kind.STOPPED,
        Delivery.Kind.STOPPED, Delivery.Kind.STOPPED);
    assertThat(events.subList(300, events.size())).startsWith("joined 300");
    assertThat(events.stream().filter(e -> e.startsWith("stopped"))).hasSize(3);
  }

  @Test
  void onePillForThreeConsumersLeavesTwoRunning() throws Exception {
    // Trap P4, shown with the real consumer task and queues.
    try (JoinableQueue<WorkItem> jobs = JoinableQueue.create(WorkItem.class, 0);
        JoinableQueue<Delivery> results = JoinableQueue.create(Delivery.class, 0);
        TaskExecutor pool = Spindle.executor(ExecutionModel.THREADS).workers(3).registry(QueueTasks.REGISTRY).start()) {
      List<TaskFuture<Long>> consumers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        consumers.add(pool.submit(QueueTasks.CONSUME,
            new QueueTasks.ConsumerArgs("consumer-" + i, jobs.descriptor(), results.descriptor())));
      }
      for (long n = 1; n <= 30; n++) {
        jobs.put(WorkItem.job(n));
      }
      jobs.join();
      jobs.put(WorkItem.pill());

      List<Delivery> got = new ArrayList<>();
      Delivery d;
      do {
        d = results.get(Duration.ofSeconds(30));
        got.add(d);
      } while (d.kind() != Delivery.Kind.STOPPED);
      jobs.join(); // the pill was taken and marked done

      assertThat(got.stream().filter(x -> x.kind() == Delivery.Kind.STOPPED)).hasSize(1);
      Futures.DoneAndNotDone<TaskFuture<Long>> state =
          Futures.wait(consumers, Duration.ofSeconds(30), Futures.ReturnWhen.FIRST_COMPLETED);
      assertThat(state.done()).hasSize(1);
      assertThat(state.notDone()).hasSize(2);
      // The two others are still blocked in get(): nothing else will ever stop them...
      assertThatThrownBy(() -> results.get(Duration.ZERO)).isInstanceOf(dev.spindle.process.QueueEmptyException.class);
      // ...until each gets its own pill.
      jobs.put(WorkItem.pill());
      jobs.put(WorkItem.pill());
      long total = 0;
      for (TaskFuture<Long> f : consumers) {
        total += f.result(Duration.ofSeconds(30));
      }
      assertThat(total).isEqualTo(30);
    }
  }

  @Test
  void validatesItsSettings() {
    assertThatThrownBy(() -> PoisonPillPipeline.on(ExecutionModel.DISTRIBUTED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PoisonPillPipeline.on(ExecutionModel.THREADS).consumers(0))
        .hasMessageContaining("consumers must be 1..64");
    assertThatThrownBy(() -> PoisonPillPipeline.on(ExecutionModel.THREADS).items(List.of()))
        .hasMessageContaining("at least one item");
    assertThatThrownBy(() -> new WorkItem(WorkItem.Kind.PILL, 5))
        .hasMessageContaining("no number");
  }
}
