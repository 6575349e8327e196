package dev.spindle.process.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SupervisorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ChildSpec spec(String title, String... args) {
    return ChildSpec.builder(title, SupervisedChild.class.getName()).args(List.of(args))
        .jvmOptions(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")).maxHeap("32m")
        .stdout(ProcessBuilder.Redirect.DISCARD).build();
  }

  static final class Recorder implements Supervisor.Listener {
    final List<ChildProcess> started = new CopyOnWriteArrayList<>();
    final List<ExitStatus> exits = new CopyOnWriteArrayList<>();
    final List<Boolean> expected = new CopyOnWriteArrayList<>();
    final List<Optional<Duration>> restarts = new CopyOnWriteArrayList<>();
    final AtomicInteger crashLoops = new AtomicInteger();

    @Override
    public void started(Supervisor.Slot slot, ChildProcess child) {
      started.add(child);
    }

    @Override
    public void exited(Supervisor.Slot slot, ChildProcess child, ExitStatus status, boolean exp,
        Optional<Duration> restartIn) {
      exits.add(status);
      expected.add(exp);
      restarts.add(restartIn);
    }

    @Override
    public void crashLoop(Supervisor.Slot slot, int failures) {
      crashLoops.incrementAndGet();
    }
  }

  @Test
  void aKilledChildIsReplacedAndItsSignalReported() throws Exception {
    Recorder rec = new Recorder();
    try (Supervisor sup = Supervisor.builder("t1").listener(rec).build()) {
      Supervisor.Slot slot = sup.add("svc(0)", () -> spec("sup-test svc(0)", "run"));
      ChildProcess first = slot.child().orElseThrow();
      first.kill();
      await().atMost(WAIT).until(() -> rec.started.size() == 2 && slot.state() == Supervisor.Slot.State.RUNNING);
      assertThat(rec.exits.get(0).code()).isEqualTo(137);
      assertThat(rec.exits.get(0).signal()).isEqualTo(9);
      assertThat(rec.exits.get(0).toString()).contains("SIGKILL");
      assertThat(rec.expected.get(0)).isFalse();
      assertThat(rec.restarts.get(0)).contains(Duration.ZERO);
      assertThat(slot.child().orElseThrow().pid()).isNotEqualTo(first.pid());
      assertThat(slot.generation()).isEqualTo(2);

      assertThat(slot.stop()).isFalse();
      slot.kill();
      await().atMost(WAIT).until(() -> slot.state() == Supervisor.Slot.State.STOPPED);
      assertThat(rec.restarts.get(1)).isEmpty();
      assertThat(sup.slot("svc(0)")).isEmpty();
    }
  }

  @Test
  void aCrashLoopIsDetectedAndBackedOff() throws Exception {
    Recorder rec = new Recorder();
    try (Supervisor sup = Supervisor.builder("t2").listener(rec).crashLoopThreshold(3)
        .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(20), Duration.ofMillis(200))).build()) {
      Supervisor.Slot slot = sup.add("crash(0)", () -> spec("sup-test crash(0)", "exit", "3"));
      await().atMost(WAIT).until(() -> rec.crashLoops.get() >= 1);
      assertThat(rec.exits).allMatch(s -> s.code() == 3);
      assertThat(rec.restarts.get(0)).contains(Duration.ZERO);
      assertThat(rec.restarts.get(1)).contains(Duration.ofMillis(20));
      assertThat(rec.restarts.get(2)).contains(Duration.ofMillis(40));
      assertThat(slot.consecutiveFailures()).isGreaterThanOrEqualTo(3);
      slot.stop();
      await().atMost(WAIT).until(() -> slot.state() == Supervisor.Slot.State.STOPPED);
    }
  }

  @Test
  void aRetiredChildIsReplacedWithoutCountingAFailure() throws Exception {
    Recorder rec = new Recorder();
    try (Supervisor sup = Supervisor.builder("t3").listener(rec).restartPolicy(RestartPolicy.never()).build()) {
      Supervisor.Slot slot = sup.add("r(0)", () -> spec("sup-test r(0)", "run"));
      slot.retire();
      slot.kill();
      await().atMost(WAIT).until(() -> rec.exits.size() == 1);
      assertThat(rec.expected.get(0)).isTrue();
      assertThat(slot.consecutiveFailures()).isZero();
      // RestartPolicy.never() gives up even on an expected exit
      await().atMost(WAIT).until(() -> slot.state() == Supervisor.Slot.State.STOPPED);
    }
  }

  @Test
  void anExitAfterCloseIsStillReported() throws Exception {
    Recorder rec = new Recorder();
    Supervisor sup = Supervisor.builder("t4").listener(rec).build();
    Supervisor.Slot slot = sup.add("c(0)", () -> spec("sup-test c(0)", "run"));
    sup.close();
    assertThat(slot.state()).isEqualTo(Supervisor.Slot.State.STOPPING);
    slot.kill();
    await().atMost(WAIT).until(() -> slot.state() == Supervisor.Slot.State.STOPPED);
    assertThat(rec.exits).hasSize(1);
    assertThat(rec.restarts.get(0)).isEmpty();
    assertThat(sup.slot("c(0)")).isEmpty();
  }

  @Test
  void aChildCanHandleSighupEvenWhenItsParentRunsUnderNohup() throws Exception {
    ChildSpec plain = ChildSpec.builder("sigign", SupervisedChild.class.getName()).args(List.of("sigign")).build();
    ChildSpec reset = plain.toBuilder().defaultSignals("HUP").build();
    assertThat(JvmLauncher.command(reset).subList(0, 2)).containsExactly("/usr/bin/env", "--default-signal=HUP");
    // nohup makes SIGHUP ignored, and a child inherits that: bit 0 of the SigIgn mask is SIGHUP
    assertThat(sighupIgnored(plain)).as("inherited from nohup").isTrue();
    assertThat(sighupIgnored(reset)).as("reset by defaultSignals").isFalse();
  }

  private static boolean sighupIgnored(ChildSpec spec) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("nohup"));
    cmd.addAll(JvmLauncher.command(spec));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("CLASSPATH", spec.classpath());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isZero();
    assertThat(out).startsWith("SigIgn:");
    return (Long.parseLong(out.substring("SigIgn:".length()).strip(), 16) & 1) != 0;
  }

  @Test
  void theCommandLineIsShortAndTitled() {
    ChildSpec s = spec("svc worker(3)", "run");
    List<String> cmd = JvmLauncher.command(s);
    assertThat(cmd.get(0)).isEqualTo("/bin/bash");
    assertThat(cmd.get(3)).isEqualTo("svc worker(3)");
    assertThat(String.join(" ", cmd)).doesNotContain("-cp").doesNotContain(System.getProperty("java.class.path"));
    assertThat(cmd).contains("-Xmx32m", SupervisedChild.class.getName());
    // native access on, as for ./spindle's own JVM: a child opening SQLite prints no JDK warning
    assertThat(cmd).containsOnlyOnce(JvmLauncher.ENABLE_NATIVE_ACCESS);
    List<String> own = JvmLauncher.command(s.toBuilder().jvmOptions(List.of("--enable-native-access=ALL-UNNAMED")).build());
    assertThat(own).containsOnlyOnce(JvmLauncher.ENABLE_NATIVE_ACCESS);
  }
}
