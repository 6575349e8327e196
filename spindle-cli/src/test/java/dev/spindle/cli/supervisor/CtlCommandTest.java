package dev.spindle.cli.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.cli.SpindleCli;
import dev.spindle.supervisor.ManagerState;
import dev.spindle.supervisor.RunDirectory;
import dev.spindle.supervisor.ServiceManager;
import dev.spindle.supervisor.examples.CotyledonExamples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code spindle ctl} against a master running in this JVM (its printers write to a discarded stdout). */
class CtlCommandTest {
  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {}

  private Run ctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = SpindleCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> all = new java.util.ArrayList<>(List.of("ctl", "--run-dir", dir.resolve("run").toString()));
    all.addAll(List.of(args));
    int code = cl.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void reportsClearlyWhenNoMasterRunsOrTheInputIsBad() throws Exception {
    RunDirectory.ensure(dir.resolve("run"));
    Run r = ctl("status");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("spindle ctl: no master is running");
    Run bad = ctl("scale", "printer");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("expected SERVICE=N, got 'printer'");
  }

  @Test
  void statusScaleReloadAndStopAMaster() throws Exception {
    ServiceManager m = ServiceManager.builder().name("cli").runDirectory(dir.resolve("run"))
        .service(CotyledonExamples.printer(1)).onReload(x -> x.scale("printer", 1))
        .childStdout(ProcessBuilder.Redirect.DISCARD).build().start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> m.status().services().get(0).running() == 1);
      Run st = ctl("status");
      assertThat(st.code()).isZero();
      assertThat(st.out()).contains("master cli").contains("SERVICE").contains("printer").contains("RUNNING")
          .contains("printer: 1 worker(s) wanted, 1 running");
      assertThat(ctl("status", "--json").out()).contains("\"workerStatuses\"");

      Run sc = ctl("--name", "cli", "scale", "printer=2");
      assertThat(sc.code()).isZero();
      assertThat(sc.out()).contains("printer: 1 -> 2 workers");
      Run unknown = ctl("scale", "nope=2");
      assertThat(unknown.code()).isEqualTo(1);
      assertThat(unknown.err()).contains("no service named 'nope'");

      Run rl = ctl("reload");
      assertThat(rl.out()).contains("reloaded:").contains("scaled printer from 2 to 1 workers");

      assertThat(ctl("stop").out()).contains("stopping");
      assertThat(m.onTermination().get().exitCode()).isZero();
      assertThat(m.state()).isEqualTo(ManagerState.TERMINATED);
    } finally {
      m.stopNow();
      m.onTermination().get();
    }
  }
}
