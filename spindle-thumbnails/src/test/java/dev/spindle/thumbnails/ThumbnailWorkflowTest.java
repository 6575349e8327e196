package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.TaskRegistry;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.JobState;
import dev.spindle.queue.JobStores;
import dev.spindle.queue.Worker;
import dev.spindle.queue.WorkflowHandle;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.spi.JsonCodec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thumbnail maker as a workflow on a SQLite queue, against the sample server with faults. */
class ThumbnailWorkflowTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  @Test
  void downloadsChainedToResizesThenOneContactSheetWithTheGapsNamed() throws Exception {
    TaskRegistry tasks = TaskRegistry.of(ThumbnailTasks.class);
    try (SampleServer server = SampleServer.builder().count(4).size(480, 270).cacheDir(dir.resolve("cache"))
        .faults(true).start();
         StoreBackend store = JobStores.open("sqlite:" + dir.resolve("queue.db"));
         JobQueue queue = JobQueue.builder(store).registry(tasks).build();
         Worker worker = Worker.builder(store).registry(tasks).concurrency(3).pollInterval(Duration.ofMillis(20))
             .start()) {
      List<String> urls = new ArrayList<>(server.imageUrls());
      Map<String, String> faults = server.faultUrls().stream()
          .collect(Collectors.toMap(u -> u.substring(u.lastIndexOf('/') + 1), Function.identity()));
      urls.add(faults.get("flaky.jpg")); // fails twice, then served: retried inside the download
      urls.add(faults.get("missing.jpg")); // 404: the download fails, its resize is cancelled
      urls.add(faults.get("bomb.jpg")); // downloaded, refused by the resize (too many pixels)
      ThumbnailConfig config = ThumbnailMaker.builder().homeDir(dir.resolve("home"))
          .retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 2, 0)).build();

      WorkflowHandle h = queue.submit(ThumbnailWorkflow.of(urls, config));
      assertThat(h.jobs()).hasSize(2 * urls.size() + 1);
      List<JobInfo> ended = h.await(WAIT);

      JobInfo sheetJob = ended.get(ended.size() - 1);
      assertThat(sheetJob.state()).isEqualTo(JobState.SUCCEEDED);
      ContactSheet sheet = JsonCodec.defaults().convert(h.last().get(0).result(WAIT), ContactSheet.class, "sheet");
      assertThat(sheet.images()).hasSize(5).allMatch(n -> n.endsWith(".jpg"));
      assertThat(sheet.missing()).hasSize(2);
      assertThat(sheet.missing().get(0)).startsWith("image 6: CANCELLED").contains("which ended FAILED");
      assertThat(sheet.missing().get(1)).startsWith("image 7 (bomb.jpg): TOO_MANY_PIXELS");
      BufferedImage img = ImageIO.read(Path.of(sheet.path()).toFile());
      assertThat(img.getWidth()).isEqualTo(sheet.width());
      assertThat(img.getHeight()).isEqualTo(sheet.height());
      assertThat(Path.of(sheet.path())).hasParent(config.outgoingDir().toAbsolutePath());

      // the failed download names its URL; every resize ran after its own download only
      JobInfo missingDownload = ended.get(2 * 5);
      assertThat(missingDownload.task()).isEqualTo("thumbnails.download");
      assertThat(missingDownload.state()).isIn(JobState.FAILED, JobState.DEAD);
      assertThat(missingDownload.error().orElseThrow().message()).contains("missing.jpg");
      for (int i = 0; i < urls.size(); i++) {
        String download = h.jobs().get(2 * i).id();
        String resize = h.jobs().get(2 * i + 1).id();
        assertThat(store.inspector().dependencyEdges(resize)).filteredOn(e -> e.childId().equals(resize))
            .extracting(DependencyEdge::parentId).containsExactly(download);
      }
      assertThat(store.inspector().dependencyEdges(sheetJob.id())).hasSize(urls.size())
          .allMatch(e -> e.childId().equals(sheetJob.id()));
    }
  }
}
