package dev.spindle.cli;

import dev.spindle.queue.JobStores;
import dev.spindle.spi.Echo;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spindle} command line: {@code ./spindle <command>}. Subcommands are listed in
 * {@link #subcommands()}; each lives in its own class.
 */
@Command(
    name = "spindle",
    mixinStandardHelpOptions = true,
    version = "spindle 0.1.0-SNAPSHOT",
    description = "Define a task once; run it sequentially, on threads, virtual threads, "
        + "supervised child JVMs or a durable queue.",
    subcommandsRepeatable = false)
public final class SpindleCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Every top-level subcommand, one per line. */
  static List<Object> subcommands() {
    return List.of(
        // add subcommands here, one per line
        new dev.spindle.cli.examples.SpinnerCommand(),
        new dev.spindle.cli.examples.PrimesCommand(),
        new dev.spindle.cli.examples.ProducerConsumerCommand(),
        new dev.spindle.cli.examples.BankCommand(),
        new dev.spindle.cli.examples.CpuScalingCommand(),
        new dev.spindle.cli.examples.BasicsCommand(),
        new dev.spindle.cli.examples.AsyncioCommand(),
        new dev.spindle.cli.examples.FuturistCommand(),
        new dev.spindle.cli.thumbnails.ThumbnailsCommand(),
        new dev.spindle.cli.queue.DemoCommand(),
        new dev.spindle.cli.queue.EnqueueCommand(),
        new dev.spindle.cli.queue.WorkerCommand(),
        new dev.spindle.cli.queue.StatusCommand(),
        new dev.spindle.cli.queue.MigrateCommand(),
        new dev.spindle.cli.queue.JobsCommand(),
        new dev.spindle.cli.queue.WorkflowCommand(),
        new dev.spindle.cli.queue.SchedulesCommand(),
        new dev.spindle.cli.queue.FlowCommand(),
        new dev.spindle.cli.queue.IncidentsCommand(),
        new dev.spindle.cli.queue.DashboardCommand(),
        new dev.spindle.cli.supervisor.ServicesCommand(),
        new dev.spindle.cli.supervisor.CtlCommand(),
        new dev.spindle.cli.coordination.LockCommand(),
        new CommandLine.HelpCommand());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with every subcommand. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new SpindleCli());
    for (Object sub : subcommands()) {
      cl.addSubcommand(sub);
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(SpindleCli::usageError);
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, help -> "");
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new CommandGroups());
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes (docs/CLI.md):%n")
        .exitCodeList(ExitCode.helpList())
        .footerHeading("%nStore: ")
        .footer("every queue command uses --store, else $" + JobStores.ENV + ", else " + JobStores.DEFAULT_LOCATION
            + " (relative to the working directory).");
    CommandLine enqueue = cl.getSubcommands().get("enqueue");
    if (enqueue != null) {
      enqueue.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
    }
    return cl;
  }

  /** The longest usage-error message printed; longer ones (echoing huge input) are cut. */
  static final int MAX_MESSAGE_CHARS = 1000;

  /**
   * Prints a usage error like picocli does, but with control characters escaped and the length
   * bounded, so that hostile input cannot flood or drive the terminal.
   */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine c = ex.getCommandLine();
    java.io.PrintWriter err = c.getErr();
    String msg = Echo.controls(String.valueOf(ex.getMessage()));
    if (msg.length() > MAX_MESSAGE_CHARS) {
      msg = msg.substring(0, MAX_MESSAGE_CHARS) + "... (" + (msg.length() - MAX_MESSAGE_CHARS) + " more characters)";
    }
    err.println(msg);
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
      err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
    }
    err.flush();
    return c.getCommandSpec().exitCodeOnInvalidInput();
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
