package dev.spindle.cli.queue;

import dev.spindle.cli.ExitCode;
import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowHold;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ./spindle flow list|set|remove|why}: flow limits changed at run time. */
@Command(name = "flow", mixinStandardHelpOptions = true,
    description = {"Lists, sets and removes flow limits, checked by the store inside every claim (the next claim "
        + "applies a change), and shows why a waiting job is held.",
        "Examples:",
        "  ./spindle flow set 'api per=arg:tenant concurrency=5 rate=200/1s burst=10 window=1000/60s'",
        "  ./spindle flow set 'tenants per=arg:tenant weights=acme:3,beta:2'   (fair, acme 3 turns, beta 2, others 1)",
        "  ./spindle flow why 42",
        "  ./spindle flow remove api"},
    subcommands = {FlowCommand.ListLimits.class, FlowCommand.Set.class, FlowCommand.Remove.class,
        FlowCommand.Why.class})
public final class FlowCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code flow list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the stored flow limits.")
  static final class ListLimits implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    JsonOption output = new JsonOption();

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        List<FlowLimit> all = flowAdmin(s).limits();
        if (output.json) {
          ObjectNode doc = CliJson.object();
          ArrayNode limits = doc.putArray("flowLimits");
          all.forEach(l -> limits.add(CliJson.flow(l)));
          CliJson.print(System.out, doc);
          return 0;
        }
        all.forEach(l -> System.out.println(l.toSpec()));
        if (all.isEmpty()) {
          System.out.println("(no flow limits)");
        }
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("flow list", e);
      }
    }
  }

  /** {@code flow set SPEC}. */
  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Adds a flow limit or replaces the one of the same name.")
  static final class Set implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "SPEC", arity = "1..*",
        description = "NAME [per=queue|task|arg:NAME] [concurrency=N] [rate=N/PERIOD] [burst=N] [window=N/PERIOD]")
    List<String> words;

    @Override
    public Integer call() {
      FlowLimit limit;
      try {
        limit = FlowLimit.parse(String.join(" ", words));
      } catch (IllegalArgumentException e) {
        System.err.println("spindle flow set: " + e.getMessage());
        return 2;
      }
      try (StoreBackend s = store.openOrCreate()) {
        flowAdmin(s).putLimit(limit);
        System.out.println("set " + limit.toSpec());
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("flow set", e);
      }
    }
  }

  /** {@code flow remove NAME}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a flow limit: its keys stay fair, no longer limited.")
  static final class Remove implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "NAME", description = "the limit's name")
    String name;

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        if (!flowAdmin(s).removeLimit(name)) {
          System.err.println("spindle flow remove: no flow limit named '" + name + "'");
          return ExitCode.NOT_FOUND.code();
        }
        System.out.println(name + " removed");
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("flow remove", e);
      }
    }
  }

  /** {@code flow why ID}. */
  @Command(name = "why", mixinStandardHelpOptions = true,
      description = "Says which flow limit holds a waiting job, and until when.")
  static final class Why implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "ID", description = "the job id")
    String id;

    @Override
    public Integer call() {
      try (StoreBackend s = store.open()) {
        Optional<FlowHold> h = flowAdmin(s).holdOf(id);
        System.out.println(id + ": " + h.map(FlowHold::describe).orElse("not held by a flow limit"));
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("flow why", e);
      }
    }
  }

  /**
   * The store's flow-limit administration.
   *
   * @throws IllegalStateException "not supported by this store" if it enforces no flow limits
   */
  static FlowAdmin flowAdmin(StoreAdmin s) {
    return s.flowAdmin().orElseThrow(() -> new IllegalStateException("flow limits are not supported by this store ("
        + s.describe() + ")"));
  }
}
