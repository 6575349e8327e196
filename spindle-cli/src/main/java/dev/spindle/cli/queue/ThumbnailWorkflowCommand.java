package dev.spindle.cli.queue;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.JsonCodec;
import dev.spindle.thumbnails.ContactSheet;
import dev.spindle.thumbnails.SampleServer;
import dev.spindle.thumbnails.ThumbnailConfig;
import dev.spindle.thumbnails.ThumbnailMaker;
import dev.spindle.thumbnails.ThumbnailTasks;
import dev.spindle.thumbnails.ThumbnailWorkflow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./spindle workflow thumbnails}: the thumbnail maker as a workflow on the durable queue,
 * over generated sample photos served from this process: a download chained to a resize per photo,
 * in a group, and a contact sheet as the callback.
 */
@Command(name = "thumbnails", mixinStandardHelpOptions = true,
    description = {"The thumbnail maker as a workflow: download -> resize per photo, all in a group, and a contact"
        + " sheet of them as the callback (it runs however the others ended and names the gaps).",
        "Example: ./spindle workflow thumbnails --count 12 --faults"})
public final class ThumbnailWorkflowCommand implements Callable<Integer> {
  @Option(names = "--count", paramLabel = "N", defaultValue = "12",
      description = "sample photos to serve (1..500, default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--faults", description = "add a URL that fails (404) and an image bomb the resize refuses")
  boolean faults;

  @Option(names = "--home", paramLabel = "DIR", defaultValue = "spindle-data/thumbnail-workflow",
      description = "folder for downloads, thumbnails and the sheet (default: ${DEFAULT-VALUE})")
  String home;

  @Mixin ScratchStore.Options scratch = new ScratchStore.Options();

  @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "4",
      description = "jobs the worker runs at once (1..64, default: ${DEFAULT-VALUE})")
  int workers;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || count > 500) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--count must be 1..500: " + count);
    }
    if (workers < 1 || workers > 64) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--workers must be 1..64: " + workers);
    }
    Path db;
    try {
      db = scratch.choose("thumbnail-workflow", System.out).toAbsolutePath();
    } catch (ScratchStore.NotEmpty e) {
      System.err.println("spindle workflow thumbnails: " + e.getMessage());
      return 1;
    }
    TaskRegistry tasks = TaskRegistry.of(ThumbnailTasks.class);
    try (SampleServer server = SampleServer.builder().count(count).size(1280, 720).faults(faults).start();
         StoreBackend s = JobStores.open("sqlite:" + db);
         JobQueue q = JobQueue.builder(s).registry(tasks).build();
         Worker w = Worker.builder(s).registry(tasks).concurrency(workers).pollInterval(Duration.ofMillis(20))
             .start()) {
      List<String> urls = new ArrayList<>(server.imageUrls());
      if (faults) {
        for (String u : server.faultUrls()) {
          if (u.endsWith("/missing.jpg") || u.endsWith("/bomb.jpg")) {
            urls.add(u);
          }
        }
      }
      ThumbnailConfig config = ThumbnailMaker.builder().homeDir(Path.of(home)).build();
      run(System.out, q, s, ThumbnailWorkflow.of(urls, config), urls.size());
    }
    return 0;
  }

  static void run(PrintStream out, JobQueue q, StoreAdmin admin, dev.spindle.queue.Workflow workflow, int images) {
    long t0 = System.nanoTime();
    WorkflowHandle h = q.submit(workflow);
    out.printf("submitted %d jobs: %d download -> resize chains and a contact sheet%n", h.jobs().size(), images);
    List<JobInfo> ended = h.await(Duration.ofMinutes(10));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    for (JobInfo j : ended) {
      if (!j.state().name().equals("SUCCEEDED")) {
        out.printf("  job %s %s %s: %s%n", j.id(), j.task(), j.state(),
            j.error().map(e -> e.message()).orElse(""));
      }
    }
    JobInfo last = ended.get(ended.size() - 1);
    if (last.resultJson() == null) {
      out.printf("no contact sheet (%s) after %d ms%n", last.state(), ms);
      return;
    }
    ContactSheet sheet = JsonCodec.defaults().fromJson(last.resultJson(), ContactSheet.class, "the contact sheet");
    out.printf("contact sheet: %s (%dx%d, %d bytes) with %d of %d images, after %d ms%n", sheet.path(),
        sheet.width(), sheet.height(), sheet.bytes(), sheet.images().size(), images, ms);
    sheet.missing().forEach(m -> out.println("  missing " + m));
    new WorkflowTree(admin.inspector(), q.store()::find, 12).print(out, last.id());
  }
}
