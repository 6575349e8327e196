package dev.spindle.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which variants of a comparison resize in this JVM, and so get this JVM's warm-up first. */
class VariantComparisonTest {
  @Test
  void variantsOnOneThreadResizeHereWhateverThePool() {
    for (ResizePool pool : new ResizePool[] {ResizePool.threads(2), ResizePool.processes(2)}) {
      assertThat(VariantComparison.resizesHere(Variant.SEQUENTIAL, pool)).isTrue();
      assertThat(VariantComparison.resizesHere(Variant.THREAD_PER_URL, pool)).isTrue();
      assertThat(VariantComparison.resizesHere(Variant.DOWNLOAD_THREADS, pool)).isTrue();
      assertThat(VariantComparison.resizesHere(Variant.PIPELINE_QUEUE, pool)).isTrue();
    }
  }

  @Test
  void processVariantsNeverResizeHere() {
    assertThat(VariantComparison.resizesHere(Variant.PROCESS_POOL, ResizePool.threads(2))).isFalse();
    assertThat(VariantComparison.resizesHere(Variant.THREADS_AND_PROCESSES, ResizePool.processes(2))).isFalse();
  }

  @Test
  void poolVariantsResizeHereUnlessThePoolIsChildJvms() {
    assertThat(VariantComparison.resizesHere(Variant.ASYNCIO, ResizePool.threads(2))).isTrue();
    assertThat(VariantComparison.resizesHere(Variant.PIPELINE, ResizePool.threads(1))).isTrue();
    assertThat(VariantComparison.resizesHere(Variant.ASYNCIO, ResizePool.processes(2))).isFalse();
    assertThat(VariantComparison.resizesHere(Variant.ASYNC, ResizePool.processes(1))).isFalse();
  }
}
