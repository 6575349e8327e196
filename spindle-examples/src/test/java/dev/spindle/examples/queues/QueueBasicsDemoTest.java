package dev.spindle.examples.queues;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QueueBasicsDemoTest {
  @Test
  void theConsumerProcessesAllTenItemsBeforeJoinReturns() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    assertThat(QueueBasicsDemo.run(10, out)).isEqualTo(10);

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(21);
    assertThat(lines).filteredOn(l -> l.startsWith("consumer got item-")).hasSize(10);
    assertThat(lines).filteredOn(l -> l.startsWith("producer put item-")).hasSize(10);
    assertThat(lines[20]).isEqualTo("queue joined: 10 items put, 10 processed");
  }
}
