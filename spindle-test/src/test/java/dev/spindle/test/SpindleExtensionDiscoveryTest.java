package dev.spindle.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith(SpindleExtension.class)} alone: the catalogs listed under META-INF/services. */
@ExtendWith(SpindleExtension.class)
class SpindleExtensionDiscoveryTest {
  @Test
  void runsTheServiceListedTasks(SpindleTestQueue spindle) {
    assertThat(spindle.registry().names()).contains(ShopTasks.SEND_MAIL.name(), ShopTasks.REPORT.name());
    assertThat(spindle.now()).isEqualTo(SpindleTestQueue.DEFAULT_START);
  }
}
