package dev.spindle.cli.supervisor;

import dev.spindle.supervisor.ControlClient;
import dev.spindle.supervisor.ControlException;
import dev.spindle.supervisor.ManagerStatus;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.ServiceStatus;
import dev.spindle.supervisor.WorkerStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./spindle ctl}: controls a running master ({@code spindle services}, {@code spindle worker
 * --processes N}) over its control socket, which only the same user can reach.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
    description = {
        "Controls a running master over its unix domain socket ($XDG_RUNTIME_DIR/spindle/NAME.sock or "
            + "~/.spindle/run/NAME.sock, in a directory only its user can enter). Works where signals do not "
            + "(a SIGHUP ignored under nohup never arrives).",
        "Examples: ./spindle ctl status",
        "          ./spindle ctl scale printer=5",
        "          ./spindle ctl reload",
        "          ./spindle ctl stop"},
    subcommands = {CtlCommand.Status.class, CtlCommand.Scale.class, CtlCommand.Reload.class, CtlCommand.Stop.class})
public final class CtlCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--name", paramLabel = "NAME", scope = CommandLine.ScopeType.INHERIT,
      description = "the master's name (default: the only master running)")
  @Nullable String name;

  @Option(names = "--run-dir", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
      description = "the masters' run directory (default: $XDG_RUNTIME_DIR/spindle or ~/.spindle/run)")
  @Nullable Path runDir;

  @Option(names = "--socket", paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
      description = "the control socket itself (instead of --name and --run-dir)")
  @Nullable Path socket;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  ControlClient client() {
    if (socket != null) {
      return ControlClient.of(socket);
    }
    return ControlClient.find(runDir != null ? runDir : RunDirectory.defaultPath(), name);
  }

  static int fail(CommandLine.Model.CommandSpec spec, ControlException e) {
    spec.commandLine().getErr().println("spindle ctl: " + e.getMessage());
    spec.commandLine().getErr().flush();
    return 1;
  }

  /** {@code spindle ctl status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Services, worker ids, pids, states, uptimes, restarts, jobs and memory of each worker.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    CtlCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "print the status as JSON")
    boolean json;

    @Override
    public Integer call() {
      ManagerStatus st;
      try {
        st = parent.client().status();
      } catch (ControlException e) {
        return fail(spec, e);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(st));
      } else {
        print(st, out);
      }
      out.flush();
      return 0;
    }
  }

  /** Prints a status as a table. */
  static void print(ManagerStatus st, PrintWriter out) {
    out.printf(Locale.ROOT, "master %s  pid %d  %s  up %s  socket %s%n", st.name(), st.pid(), st.state(),
        Supervision.human(st.uptime()), st.controlSocket());
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SERVICE", "WORKER", "PID", "STATE", "UPTIME", "RESTARTS", "JOBS", "RSS", "HEAP", "LAST EXIT"});
    for (ServiceStatus s : st.services()) {
      for (WorkerStatus w : s.workerStatuses()) {
        rows.add(new String[] {s.name(), Integer.toString(w.workerId()), w.pid() == 0 ? "-" : Long.toString(w.pid()),
            w.state().name(), w.pid() == 0 ? "-" : Supervision.human(w.uptime()), Integer.toString(w.restarts()),
            Long.toString(w.jobs()), Supervision.bytes(w.residentBytes()), Supervision.bytes(w.heapUsedBytes()),
            w.lastExit() == null ? "-" : w.lastExit()});
      }
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(i == r.length - 1 ? r[i] : String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", r[i]));
      }
      out.println(sb.toString().stripTrailing());
    }
    for (ServiceStatus s : st.services()) {
      out.printf(Locale.ROOT, "%s: %d worker(s) wanted, %d running, %d restart(s), %d recycle(s)%s%n", s.name(),
          s.workers(), s.running(), s.restarts(), s.recycles(),
          s.crashLooping() ? "  CRASH-LOOPING: restarts are backed off" : "");
    }
  }

  /** {@code spindle ctl scale printer=5 [other=2 ...]}. */
  @Command(name = "scale", mixinStandardHelpOptions = true,
      description = "Sets worker counts: new worker ids start, the highest ones stop gracefully, the others are "
          + "untouched.")
  static final class Scale implements Callable<Integer> {
    @ParentCommand
    CtlCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SERVICE=N", description = "e.g. printer=5")
    List<String> changes = new ArrayList<>();

    @Override
    public Integer call() {
      Map<String, Integer> want = new LinkedHashMap<>();
      for (String c : changes) {
        int eq = c.indexOf('=');
        if (eq <= 0 || eq == c.length() - 1) {
          throw new CommandLine.ParameterException(spec.commandLine(), "expected SERVICE=N, got '" + c + "'");
        }
        try {
          want.put(c.substring(0, eq), Integer.parseInt(c.substring(eq + 1).trim()));
        } catch (NumberFormatException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), "not a worker count in '" + c + "'");
        }
      }
      try {
        ControlClient ctl = parent.client();
        PrintWriter out = spec.commandLine().getOut();
        for (Map.Entry<String, Integer> e : want.entrySet()) {
          int from = ctl.scale(e.getKey(), e.getValue());
          out.println(e.getKey() + ": " + from + " -> " + e.getValue() + " workers");
        }
        out.flush();
        return 0;
      } catch (ControlException e) {
        return fail(spec, e);
      }
    }
  }

  /** {@code spindle ctl reload}. */
  @Command(name = "reload", mixinStandardHelpOptions = true,
      description = "Reloads the master like SIGHUP: re-reads its configuration file and runs its reload hook.")
  static final class Reload implements Callable<Integer> {
    @ParentCommand
    CtlCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try {
        List<String> changes = parent.client().reload();
        PrintWriter out = spec.commandLine().getOut();
        out.println(changes.isEmpty() ? "reloaded: nothing changed" : "reloaded:");
        changes.forEach(c -> out.println("  " + c));
        out.flush();
        return 0;
      } catch (ControlException e) {
        return fail(spec, e);
      }
    }
  }

  /** {@code spindle ctl stop [--now]}. */
  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops the master like SIGTERM: workers finish within their deadline, then are killed; the "
          + "master exits last.")
  static final class Stop implements Callable<Integer> {
    @ParentCommand
    CtlCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--now", description = "kill every worker at once")
    boolean now;

    @Override
    public Integer call() {
      try {
        parent.client().stop(now);
        spec.commandLine().getOut().println("stopping");
        spec.commandLine().getOut().flush();
        return 0;
      } catch (ControlException e) {
        return fail(spec, e);
      }
    }
  }
}
