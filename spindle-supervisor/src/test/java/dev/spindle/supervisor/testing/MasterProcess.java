package dev.spindle.supervisor.testing;

import static org.awaitility.Awaitility.await;

import dev.spindle.process.supervise.ChildProcess;
import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.ExitStatus;
import dev.spindle.process.supervise.JvmLauncher;
import dev.spindle.supervisor.ControlClient;
import dev.spindle.supervisor.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link TestMaster} JVM started by a test, its log, and its control client. */
public final class MasterProcess implements AutoCloseable {
  private final ChildProcess process;
  private final Path log;
  private final ControlClient control;

  private MasterProcess(ChildProcess process, Path log, ControlClient control) {
    this.process = process;
    this.log = log;
    this.control = control;
  }

  /**
   * Starts a master on {@code config}; returns once its control socket answers.
   *
   * @param extra further arguments of {@link TestMaster} (a reload hook {@code service=n})
   */
  public static MasterProcess start(Path dir, String name, Path config, String... extra) throws IOException {
    Path run = RunDirectory.ensure(dir.resolve("run"));
    Path log = dir.resolve(name + ".log");
    List<String> args = new ArrayList<>(List.of(run.toString(), name, config.toString()));
    args.addAll(List.of(extra));
    ChildSpec spec = ChildSpec.builder("spindle: master process [test " + name + "]", TestMaster.class.getName())
        .args(args)
        .jvmOptions(List.of("-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"))
        .stdout(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .stderr(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .defaultSignals("HUP") // the tests send SIGHUP, also when they run under nohup
        .build();
    ChildProcess p = new JvmLauncher().start(spec);
    ControlClient ctl = ControlClient.of(RunDirectory.socketPath(run, name)).withTimeout(Duration.ofSeconds(20));
    MasterProcess m = new MasterProcess(p, log, ctl);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("master exited early: " + m.log());
      }
      try {
        ctl.ping();
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    return m;
  }

  public long pid() {
    return process.pid();
  }

  public ControlClient control() {
    return control;
  }

  /** Sends a signal with kill(1), e.g. {@code HUP}. */
  public void signal(String name) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
    if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
    }
  }

  /** SIGKILL. */
  public void kill9() {
    process.kill();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the master's exit. */
  public ExitStatus awaitExit(Duration timeout) {
    return process.onExit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** Everything it printed so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of the log starting with {@code prefix}. */
  public List<String> lines(String prefix) {
    return log().lines().filter(l -> l.startsWith(prefix)).toList();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.kill();
      process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }
}
