package dev.spindle.cli.queue;

import dev.spindle.TaskRegistry;
import dev.spindle.UnknownTaskException;
import dev.spindle.cli.DurationArgs;
import dev.spindle.cli.ExitCode;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.queue.Schedule;
import dev.spindle.queue.ScheduleInfo;
import dev.spindle.queue.spi.StoreBackend;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ./spindle schedules list|add|remove}: recurring jobs, changed at runtime. */
@Command(name = "schedules", mixinStandardHelpOptions = true,
    description = {"Lists, adds and removes recurring jobs. Running workers pick changes up at once; each tick "
        + "fires exactly once however many workers run.",
        "Examples:",
        "  ./spindle schedules add nightly demo.greet '\"night\"' --cron '30 2 * * MON-FRI' --zone Europe/Berlin",
        "  ./spindle schedules add heartbeat demo.tick '\"beat\"' --every 30s",
        "  ./spindle schedules remove nightly"},
    subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Add.class, SchedulesCommand.Remove.class})
public final class SchedulesCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code schedules list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the stored schedules.")
  static final class ListSchedules implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    JsonOption output = new JsonOption();

    @Override
    public Integer call() {
      try (StoreBackend s = store.open(); JobQueue q = JobQueue.builder(s).build()) {
        List<ScheduleInfo> all = q.schedules();
        if (output.json) {
          ObjectNode doc = CliJson.object();
          ArrayNode list = doc.putArray("schedules");
          all.forEach(i -> list.add(CliJson.schedule(i.schedule(), i.nextFireAt(), i.lastFireAt())));
          CliJson.print(System.out, doc);
          return 0;
        }
        System.out.println(String.format(Locale.ROOT, "%-24s %-40s %-20s %-10s %-20s %-20s", "NAME", "TRIGGER",
            "TASK", "MISFIRE", "NEXT", "LAST"));
        for (ScheduleInfo i : all) {
          Schedule sc = i.schedule();
          System.out.println(String.format(Locale.ROOT, "%-24s %-40s %-20s %-10s %-20s %-20s",
              QueueSupport.cut(sc.name(), 24), QueueSupport.cut(sc.describeTrigger(), 40),
              QueueSupport.cut(sc.task(), 20), sc.misfire(), QueueSupport.time(i.nextFireAt()),
              QueueSupport.time(i.lastFireAt())));
        }
        if (all.isEmpty()) {
          System.out.println("(no schedules)");
        }
        return 0;
      } catch (RuntimeException e) {
        return QueueSupport.fail("schedules list", e);
      }
    }
  }

  /** {@code schedules add}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Adds a schedule, or replaces the one with the same name if it differs.")
  static final class Add implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Mixin
    QueueSupport.CatalogOption catalog = new QueueSupport.CatalogOption();

    @Parameters(index = "0", paramLabel = "NAME", description = "the schedule's unique name")
    String name;

    @Parameters(index = "1", paramLabel = "TASK", description = "the task to enqueue on every tick")
    String task;

    @Parameters(index = "2", paramLabel = "ARGS", defaultValue = "null", description = "its input as JSON")
    String args;

    @Option(names = "--cron", paramLabel = "EXPR", description = "a five-field cron expression or @daily etc.")
    @Nullable String cron;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "UTC",
        description = "the cron time zone (default: ${DEFAULT-VALUE})")
    String zone;

    @Option(names = "--every", paramLabel = "DURATION", description = "a fixed interval, e.g. 30s or 5m")
    @Nullable String every;

    @Option(names = "--misfire", paramLabel = "POLICY", defaultValue = "fire_once",
        description = "missed ticks: fire_once, fire_all or skip (default: ${DEFAULT-VALUE})")
    String misfire;

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", defaultValue = JobOptions.DEFAULT_QUEUE,
        description = "the queue of the enqueued jobs (default: ${DEFAULT-VALUE})")
    String queue;

    @Option(names = "--allow-unknown", description = "accept a task name this command does not know")
    boolean allowUnknown;

    @Override
    public Integer call() {
      CommandLine cl = spec.commandLine();
      if ((cron == null) == (every == null)) {
        throw new CommandLine.ParameterException(cl, "give either --cron or --every");
      }
      Schedule schedule;
      try {
        Schedule.Builder b = cron != null ? Schedule.cron(name, cron, ZoneId.of(zone))
            : Schedule.every(name, DurationArgs.parse(cl, every));
        schedule = b.task(task, args).misfire(MisfirePolicy.valueOf(misfire.toUpperCase(Locale.ROOT)))
            .options(JobOptions.builder().queue(queue).build()).build();
      } catch (IllegalArgumentException | DateTimeException e) {
        throw new CommandLine.ParameterException(cl, e.getMessage());
      }
      try (StoreBackend s = store.openOrCreate();
           JobQueue q = JobQueue.builder(s).registry(allowUnknown ? TaskRegistry.empty() : catalog.registry())
               .build()) {
        ScheduleInfo info = q.addSchedule(schedule);
        System.out.println(info.schedule().name() + ": " + info.schedule().describeTrigger() + ", next tick "
            + QueueSupport.time(info.nextFireAt()));
        return 0;
      } catch (UnknownTaskException e) {
        System.err.println("spindle schedules add: " + e.getMessage() + "; use --catalog or --allow-unknown");
        return 2;
      } catch (RuntimeException e) {
        return QueueSupport.fail("schedules add", e);
      }
    }
  }

  /** {@code schedules remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a schedule; jobs it already enqueued stay.")
  static final class Remove implements Callable<Integer> {
    @Mixin
    QueueSupport.StoreOption store = new QueueSupport.StoreOption();

    @Parameters(paramLabel = "NAME", description = "the schedule's name")
    String name;

    @Override
    public Integer call() {
      try (StoreBackend s = store.open(); JobQueue q = JobQueue.builder(s).build()) {
        if (q.removeSchedule(name)) {
          System.out.println(name + " removed");
          return 0;
        }
        System.err.println("spindle schedules remove: no schedule named '" + name + "'");
        return ExitCode.NOT_FOUND.code();
      } catch (RuntimeException e) {
        return QueueSupport.fail("schedules remove", e);
      }
    }
  }
}
