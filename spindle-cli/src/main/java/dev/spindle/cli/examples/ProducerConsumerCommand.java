package dev.spindle.cli.examples;

import dev.spindle.ExecutionModel;
import dev.spindle.examples.primes.PrimeDataset;
import dev.spindle.examples.primes.PrimeReport;
import dev.spindle.examples.primes.PrimeResult;
import dev.spindle.examples.queues.Delivery;
import dev.spindle.examples.queues.PoisonPillPipeline;
import dev.spindle.examples.queues.QueueBasicsDemo;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spindle producer-consumer}: a joinable queue with poison pills, on any local model. */
@Command(name = "producer-consumer", mixinStandardHelpOptions = true,
    description = {
        "A producer puts numbers on a bounded, cross-process joinable queue; N consumers (threads, virtual "
            + "threads or child JVMs) check them and put results on a second queue. The producer join()s the "
            + "job queue, then sends one poison pill per consumer; the collector counts acknowledgements and "
            + "checks every item was delivered exactly once.",
        "--simple runs the course's first example instead: one producer thread, one consumer thread, 10 items.",
        "Examples: ./spindle producer-consumer --model processes --consumers 2",
        "          ./spindle producer-consumer --simple"})
public final class ProducerConsumerCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "processes",
      description = "sequential, threads, virtual or processes (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = {"-c", "--consumers"}, paramLabel = "N", defaultValue = "2",
      description = "consumers, each getting its own pill (default: ${DEFAULT-VALUE})")
  int consumers;

  @Option(names = "--items", paramLabel = "N",
      description = "produce 1..N instead of the text's 20 numbers")
  @Nullable Integer items;

  @Option(names = "--maxsize", paramLabel = "N", defaultValue = "4",
      description = "job queue size limit; the producer blocks while it is full; 0 = unbounded "
          + "(default: ${DEFAULT-VALUE})")
  int maxsize;

  @Option(names = "--quiet", description = "do not print a line per item")
  boolean quiet;

  @Option(names = "--simple", description = "the one-producer, one-consumer thread example (10 items)")
  boolean simple;

  @Override
  public Integer call() throws InterruptedException {
    PrintStream out = System.out;
    if (simple) {
      QueueBasicsDemo.run(items == null ? 10 : items, out);
      return 0;
    }
    CommandLine cl = spec.commandLine();
    ExecutionModel m = ModelOptions.parseLocal(cl, model);
    PoisonPillPipeline pipeline;
    try {
      PoisonPillPipeline.Builder b = PoisonPillPipeline.on(m).consumers(consumers).maxsize(maxsize);
      if (items != null) {
        if (items < 1) {
          throw new IllegalArgumentException("--items must be >= 1: " + items);
        }
        b.items(LongStream.rangeClosed(1, items).boxed().toList());
      } else {
        b.items(PrimeDataset.TEXT.numbers());
      }
      pipeline = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    out.printf(Locale.ROOT, "Producing %d numbers for %d consumers (%s) over a joinable queue (%s):%n",
        pipeline.items().size(), consumers, ModelOptions.name(m),
        maxsize == 0 ? "unbounded" : "maxsize " + maxsize);
    PoisonPillPipeline.Report report;
    try {
      report = pipeline.run(new PoisonPillPipeline.Listener() {
        @Override
        public void onResult(Delivery d) {
          if (!quiet) {
            out.println(PrimeReport.row(new PrimeResult(d.n(), d.prime(), d.elapsed())) + "  " + d.sender());
          }
        }

        @Override
        public void onJoined(int n) {
          out.printf(Locale.ROOT, "queue joined: all %d items marked done; sending %d poison pills%n", n, consumers);
        }

        @Override
        public void onStopped(Delivery ack) {
          out.printf(Locale.ROOT, "%s stopped after %d items%n", ack.sender(), ack.handled());
        }
      });
    } catch (IllegalStateException e) {
      System.err.println("producer-consumer: " + e.getMessage());
      return 1;
    }
    out.printf(Locale.ROOT, "%d items, each delivered exactly once, in %.2fs%n", report.results().size(),
        report.elapsedSeconds());
    return 0;
  }
}
