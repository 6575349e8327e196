package dev.spindle.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.supervisor.examples.PrinterService;
import dev.spindle.supervisor.testing.MasterProcess;
import dev.spindle.supervisor.testing.Ps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text's Cotyledon examples, run by a real master with real children. */
class ExamplesTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Pattern LINE = Pattern.compile("I am Worker: (\\d+) PID: (\\d+) and I print (\\d+)");

  @TempDir
  Path dir;

  @Test
  void printerServicePrintsDoingStuffInTwoNamedWorkers() throws Exception {
    Path cfg = dir.resolve("printer.json");
    Files.writeString(cfg, "{\"services\": [{\"name\": \"printer\", \"class\": \"" + PrinterService.class.getName()
        + "\", \"workers\": 2, \"args\": {\"intervalMillis\": 200}}]}");
    try (MasterProcess master = MasterProcess.start(dir, "printer", cfg)) {
      await().atMost(LONG).until(() -> master.lines("Doing stuff").size() >= 6);
      assertThat(Ps.children(master.pid(), "spindle: printer worker(")).extracting(Ps.Proc::title)
          .containsExactly("spindle: printer worker(0)", "spindle: printer worker(1)");
      assertThat(Ps.all()).anySatisfy(p -> {
        assertThat(p.pid()).isEqualTo(master.pid());
        assertThat(p.args()).startsWith("spindle: master process [test printer]");
      });
    }
  }

  @Test
  void producerConsumerPrintsEveryItemOnceAndSighupGivesFivePrinters() throws Exception {
    try (MasterProcess master = MasterProcess.start(dir, "pc", Path.of("producer-consumer"), "printer=5")) {
      try {
        producerConsumer(master);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "; master log:\n" + master.log(), e);
      }
    }
  }

  private void producerConsumer(MasterProcess master) throws Exception {
    await().atMost(LONG).until(() -> items(master).size() >= 6);
    Map<String, Long> printers = Ps.children(master.pid(), "spindle: printer worker(").stream()
        .collect(Collectors.toMap(Ps.Proc::title, Ps.Proc::pid));
    assertThat(printers).containsOnlyKeys("spindle: printer worker(0)", "spindle: printer worker(1)");
    List<Ps.Proc> producer = Ps.children(master.pid(), "spindle: ProducerService worker(0)");
    assertThat(producer).hasSize(1);
    for (String line : master.lines("I am Worker: ")) {
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      assertThat(printers.get("spindle: printer worker(" + m.group(1) + ")")).isEqualTo(Long.parseLong(m.group(2)));
    }

    master.signal("HUP");
    await().atMost(LONG).until(() -> Ps.children(master.pid(), "spindle: printer worker(").size() == 5);
    assertThat(master.lines("Reloading")).hasSize(1);
    assertThat(Ps.children(master.pid(), "spindle: ProducerService worker(0)")).isEqualTo(producer);
    int seen = items(master).size();
    await().atMost(LONG).until(() -> items(master).size() >= seen + 10);
    master.signal("TERM");
    assertThat(master.awaitExit(LONG).code()).as("master log:%n%s", master.log()).isZero();
    // every item the producer put was printed exactly once, in order of the queue
    List<Long> items = items(master);
    assertThat(items).doesNotHaveDuplicates();
    assertThat(items.stream().sorted().toList()).isEqualTo(
        java.util.stream.LongStream.range(0, items.size()).boxed().toList());
  }

  private static List<Long> items(MasterProcess master) {
    List<Long> out = new ArrayList<>();
    for (String line : master.lines("I am Worker: ")) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        out.add(Long.parseLong(m.group(3)));
      }
    }
    return out;
  }
}
