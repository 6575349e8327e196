package dev.spindle.bench;

import dev.spindle.process.supervise.ChildSpec;
import dev.spindle.process.supervise.JvmLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the benches' worker child JVMs ({@link PostgresBenchWorker}). Stateless. */
final class BenchWorkers {
  private BenchWorkers() {}

  /**
   * Starts worker {@code name + seq} on {@code location} with the worker's {@code extra} arguments
   * and {@code jvm} options (after {@code -XX:+UseParallelGC}), its stderr appended to {@code
   * dir/worker-<seq>.log}, and returns it once it printed {@code READY} (lines before it, such as a
   * flight recording's path, are skipped).
   *
   * @throws IllegalStateException if it ended without printing {@code READY}
   */
  static Process start(Path dir, String name, int seq, String location, List<String> extra, List<String> jvm)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("--store", location, "--name", name + seq));
    cmd.addAll(extra);
    List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseParallelGC"));
    jvmOptions.addAll(jvm);
    ChildSpec spec = ChildSpec.builder(name + " worker" + seq, PostgresBenchWorker.class.getName())
        .jvmOptions(jvmOptions).args(cmd)
        .stderr(ProcessBuilder.Redirect.appendTo(dir.resolve("worker-" + seq + ".log").toFile())).build();
    Process p = JvmLauncher.processBuilder(spec).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    while (line != null && !line.startsWith("READY")) {
      line = out.readLine();
    }
    if (line == null) {
      throw new IllegalStateException("worker process did not start; see " + dir);
    }
    return p;
  }
}
