package dev.spindle.examples.primes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimeSweepTest {
  @TempDir
  Path dir;

  @Test
  void sweepsEveryPointWritesMediansAsCsvAndDrawsTheChart() throws Exception {
    PrimeSweep sweep = PrimeSweep.builder().models(List.of(ExecutionModel.SEQUENTIAL, ExecutionModel.THREADS))
        .maxWorkers(2).runs(2).fixtures("small", List.of(new PrimeFixture(2, true), new PrimeFixture(91, false),
            new PrimeFixture(142702110479723L, true), new PrimeFixture(3333335652092209L, false))).build();
    assertThat(sweep.totalRuns()).isEqualTo(6); // sequential x1 + threads x2, two runs each
    List<PrimeSweep.Progress> progress = new ArrayList<>();

    PrimeSweep.SweepResult result = sweep.run(progress::add);

    assertThat(progress).extracting(PrimeSweep.Progress::done).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(progress).allMatch(p -> p.total() == 6);
    assertThat(result.points()).extracting(p -> p.model() + "/" + p.workers())
        .containsExactly("SEQUENTIAL/1", "THREADS/1", "THREADS/2");
    assertThat(result.points()).allSatisfy(p -> assertThat(p.seconds()).hasSize(2));

    Path csv = dir.resolve("out/primes-sweep.csv");
    result.writeCsv(csv);
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("model,workers,runs,median_s,min_s,max_s");
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).matches("sequential,1,2,\\d+\\.\\d{4},\\d+\\.\\d{4},\\d+\\.\\d{4}");
    assertThat(lines.get(3)).startsWith("threads,2,2,");

    Path png = dir.resolve("out/primes-sweep.png");
    SweepChart.writePng(result, "test", png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(1180);
    assertThat(img.getHeight()).isEqualTo(600);
    // the legend sits right of the plot (which ends at x = 910), never over its lines
    boolean threadsSwatch = false;
    for (int x = 930; x < 952; x++) {
      for (int y = 60; y < 200; y++) {
        threadsSwatch |= (img.getRGB(x, y) & 0xffffff) == 0x1f77b4;
      }
    }
    assertThat(threadsSwatch).as("the threads entry of the legend, right of the plot").isTrue();
  }

  @Test
  void mediansAndChartStepsAreRight() {
    assertThat(PrimeSweep.median(List.of(3.0))).isEqualTo(3.0);
    assertThat(PrimeSweep.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
    assertThat(PrimeSweep.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThatThrownBy(() -> PrimeSweep.median(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThat(SweepChart.niceStep(0.13)).isEqualTo(0.2);
    assertThat(SweepChart.niceStep(3.3)).isEqualTo(5.0);
    assertThat(SweepChart.niceStep(7)).isEqualTo(10.0);
    assertThat(SweepChart.niceStep(0)).isEqualTo(1.0);
  }

  @Test
  void validatesItsSettings() {
    assertThatThrownBy(() -> PrimeSweep.builder().models(List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> PrimeSweep.builder().models(List.of(ExecutionModel.THREADS, ExecutionModel.THREADS)))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> PrimeSweep.builder().models(List.of(ExecutionModel.DISTRIBUTED)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrimeSweep.builder().maxWorkers(0)).hasMessageContaining("1..256");
    assertThatThrownBy(() -> PrimeSweep.builder().runs(0)).hasMessageContaining("1..1000");
  }
}
