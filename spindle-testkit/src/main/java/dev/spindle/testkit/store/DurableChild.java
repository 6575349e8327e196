package dev.spindle.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DurableChildWorker} process of a durable fault test, started on this JVM's class path,
 * and the worker id it printed. Signals go through the {@code kill} command. Not thread-safe.
 *
 * @param process the child JVM
 * @param workerId the id of the worker it runs
 */
record DurableChild(Process process, String workerId) {
  /**
   * Starts a child worker on the store at {@code location} and waits for its {@code READY}.
   *
   * @param log the file its step bodies append to
   * @param lease the worker's lease
   * @param properties more system properties, {@code name=value}
   */
  static DurableChild start(String location, Path log, Duration lease, String... properties) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Ddurable.log=" + log, "-Ddurable.lease=" + lease));
    for (String p : properties) {
      cmd.add("-D" + p);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DurableChildWorker.class.getName(), location));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String ready = out.readLine();
    assertThat(ready).as("child worker started").startsWith("READY ");
    return new DurableChild(p, ready.substring("READY ".length()).strip());
  }

  /** Sends {@code signal} ({@code -STOP}, {@code -CONT}, ...) to the child. */
  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill " + signal).isZero();
  }

  /** Writes {@code line} to the child's standard input. */
  void send(String line) throws Exception {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /** Kills the child with {@code SIGKILL} (thawing it first is not needed) and waits for its end. */
  void destroy() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }
}
