package dev.spindle.spring.boot;

import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.TaskContext;
import dev.spindle.spring.SpindleTask;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tasks of the test applications: a catalog bean, a Task bean and annotated methods. */
@Configuration(proxyBeanMethods = false)
class TestTasks {
  static final Task<String, String> UPPER = Task.of("test.upper", String.class, String.class, s -> s.toUpperCase());
  static final Task<Integer, Integer> SQUARE = Task.of("test.square", Integer.class, Integer.class, i -> i * i);

  /** A catalog bean. */
  public static final class Catalog implements TaskCatalog {
    @Override
    public Collection<Task<?, ?>> tasks() {
      return List.of(UPPER);
    }
  }

  @Bean
  Catalog testCatalog() {
    return new Catalog();
  }

  @Bean
  Task<Integer, Integer> squareTask() {
    return SQUARE;
  }

  @Bean
  Recorder recorder() {
    return new Recorder();
  }

  /** A bean with task methods; records what ran. */
  static class Recorder {
    final List<String> ran = new CopyOnWriteArrayList<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final CountDownLatch blockedStarted = new CountDownLatch(1);

    @SpindleTask("test.record")
    public void record(String what) {
      ran.add(what);
    }

    @SpindleTask("test.sum")
    public long sum(List<Long> values, TaskContext ctx) {
      return values.stream().mapToLong(Long::longValue).sum() + (ctx.attempt() > 1 ? 1000 : 0);
    }

    @SpindleTask("test.noinput")
    String noInput() {
      return "ok";
    }

    /** Blocks until the test opens the gate named by the input (at most 30 s). */
    @SpindleTask("test.block")
    public String block(String gate) throws InterruptedException {
      blockedStarted.countDown();
      boolean opened = gates.computeIfAbsent(gate, g -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS);
      ran.add("block:" + gate + ":" + opened);
      return opened ? "opened" : "timeout";
    }

    void open(String gate) {
      gates.computeIfAbsent(gate, g -> new CountDownLatch(1)).countDown();
    }
  }
}
