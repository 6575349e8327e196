package dev.spindle.supervisor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The live process list as {@code ps -eo pid,ppid,args} prints it. */
public final class Ps {
  /** One row. */
  public record Proc(long pid, long ppid, String args) {
    /** The process title (argv[0] up to the first JVM option). */
    public String title() {
      int i = args.indexOf(" -");
      return i < 0 ? args : args.substring(0, i);
    }
  }

  private Ps() {}

  /** Every process now. */
  public static List<Proc> all() {
    try {
      Process p = new ProcessBuilder("ps", "-eo", "pid=,ppid=,args=").redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("ps failed: " + new String(out, StandardCharsets.UTF_8));
      }
      List<Proc> rows = new ArrayList<>();
      for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
        String t = line.strip();
        if (t.isEmpty()) {
          continue;
        }
        String[] f = t.split("\\s+", 3);
        rows.add(new Proc(Long.parseLong(f[0]), Long.parseLong(f[1]), f.length > 2 ? f[2] : ""));
      }
      return rows;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The children of {@code parent} whose title starts with {@code titlePrefix}, by title. */
  public static List<Proc> children(long parent, String titlePrefix) {
    return all().stream().filter(p -> p.ppid() == parent && p.args().startsWith(titlePrefix))
        .sorted(java.util.Comparator.comparing(Proc::title)).toList();
  }

  /**
   * Like {@link #children} but read straight from {@code /proc} (argv[0] of each child of
   * {@code parent}), cheap enough to poll every few milliseconds without spawning {@code ps}.
   */
  public static List<Proc> childrenFast(long parent, String titlePrefix) {
    List<Proc> out = new ArrayList<>();
    ProcessHandle.of(parent).ifPresent(ph -> ph.children().forEach(c -> {
      try {
        byte[] cmd = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(c.pid()), "cmdline"));
        int end = 0;
        while (end < cmd.length && cmd[end] != 0) {
          end++;
        }
        String argv0 = new String(cmd, 0, end, StandardCharsets.UTF_8);
        if (argv0.startsWith(titlePrefix) && isRunning(c.pid())) {
          out.add(new Proc(c.pid(), parent, argv0));
        }
      } catch (IOException e) {
        // exited meanwhile
      }
    }));
    out.sort(java.util.Comparator.comparing(Proc::title));
    return out;
  }

  /**
   * The live processes among {@code pids}. A zombie (dead, not yet reaped by its new parent, here
   * the machine's init) does not count: it runs nothing and holds nothing but its pid.
   */
  public static List<Long> alive(List<Long> pids) {
    return pids.stream().filter(Ps::isRunning).toList();
  }

  private static boolean isRunning(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false; // gone
    }
  }
}
