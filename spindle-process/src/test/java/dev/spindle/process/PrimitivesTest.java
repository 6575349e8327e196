package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ExecutionModel;
import dev.spindle.Spindle;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskFuture;
import dev.spindle.TaskRegistry;
import dev.spindle.spi.JsonCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cross-process primitives, used at once by the test JVM and two worker JVMs. */
@Timeout(120)
class PrimitivesTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static TaskExecutor pool;

  @BeforeAll
  static void startPool() {
    pool = Spindle.executor(ExecutionModel.PROCESSES).workers(2).name("primitives")
        .registry(TaskRegistry.of(PrimitiveTasks.class)).start();
  }

  @AfterAll
  static void stopPool() {
    pool.close();
  }

  @Test
  void counterIncrementsFromSeveralProcessesAreExact() throws Exception {
    try (SharedCounter counter = SharedCounter.create()) {
      List<TaskFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        fs.add(pool.submit(PrimitiveTasks.COUNT, new PrimitiveTasks.Count(counter, 50_000)));
      }
      Thread local = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 50_000; i++) {
          counter.incrementAndGet();
        }
      });
      fs.forEach(f -> f.result(LONG));
      local.join();
      assertThat(counter.get()).isEqualTo(250_000);
      assertThat(counter.compareAndSet(250_000, 7)).isTrue();
      assertThat(counter.compareAndSet(250_000, 8)).isFalse();
      assertThat(counter.getAndAdd(3)).isEqualTo(7);
      assertThat(counter.updateAndGet(v -> v * 2)).isEqualTo(20);
    }
  }

  @Test
  void lockExcludesAcrossProcesses() throws Exception {
    try (SharedLock lock = SharedLock.create(); SharedCounter value = SharedCounter.create();
        SharedCounter inside = SharedCounter.create()) {
      var in = new PrimitiveTasks.Locked(lock, value, inside, 5_000);
      List<TaskFuture<Long>> fs = List.of(pool.submit(PrimitiveTasks.LOCKED, in), pool.submit(PrimitiveTasks.LOCKED, in));
      long localMax = PrimitiveTasks.LOCKED.run(in, null);
      for (TaskFuture<Long> f : fs) {
        assertThat(f.result(LONG)).isEqualTo(1);
      }
      assertThat(localMax).isEqualTo(1);
      assertThat(value.get()).isEqualTo(15_000);
      assertThat(lock.isLocked()).isFalse();
    }
  }

  @Test
  void lockGuardTryLockAndUnlockByAStranger() throws Exception {
    try (SharedLock lock = SharedLock.create()) {
      SharedLock other = SharedLock.open(lock.descriptor());
      try (SharedLock.Guard g = lock.acquire()) {
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        assertThat(other.tryLock()).isFalse();
        assertThat(other.tryLock(Duration.ofMillis(20))).isFalse();
        Thread t = Thread.ofPlatform().start(() ->
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class));
        t.join();
      }
      assertThat(other.tryLock(Duration.ofMillis(20))).isTrue();
      other.unlock();
    }
  }

  @Test
  void aLockHeldByADeadProcessIsTakenOver() throws Exception {
    try (SharedLock lock = SharedLock.create(); SharedEvent locked = SharedEvent.create()) {
      TaskFuture<Boolean> f = pool.submit(PrimitiveTasks.DIE_HOLDING_LOCK, new PrimitiveTasks.Die(lock, locked));
      assertThat(locked.await(LONG)).isTrue();
      assertThat(f.exception(LONG)).isInstanceOf(dev.spindle.WorkerLostException.class);
      assertThat(lock.tryLock(LONG)).isTrue();
      assertThat(lock.recoveredFromDeadHolder()).isTrue();
      lock.unlock();
    }
  }

  @Test
  void joinableQueueFeedsConsumersInOtherProcessesAndJoins() throws Exception {
    try (JoinableQueue<Long> q = JoinableQueue.create(Long.class, 100); SharedEvent s1 = SharedEvent.create();
        SharedEvent s2 = SharedEvent.create()) {
      TaskFuture<Long> c1 = pool.submit(PrimitiveTasks.CONSUME, new PrimitiveTasks.Consume(q.descriptor(), s1));
      TaskFuture<Long> c2 = pool.submit(PrimitiveTasks.CONSUME, new PrimitiveTasks.Consume(q.descriptor(), s2));
      long expected = 0;
      for (long i = 1; i <= 2_000; i++) {
        q.put(i);
        expected += i;
      }
      q.put(-1L);
      q.put(-1L);
      assertThat(q.join(LONG)).isTrue();
      assertThat(c1.result(LONG) + c2.result(LONG)).isEqualTo(expected);
      assertThat(q.isEmpty()).isTrue();
    }
  }

  @Test
  void queueRaisesEmptyAndFullAndCountsTaskDone() throws Exception {
    try (JoinableQueue<String> q = JoinableQueue.create(String.class, 1)) {
      JoinableQueue<String> remote = JoinableQueue.open(
          JsonCodec.defaults().fromJson(JsonCodec.defaults().toJson(q, "queue"), JoinableQueue.Descriptor.class, "d"),
          String.class);
      remote.put("a");
      assertThatThrownBy(() -> remote.put("b", Duration.ZERO)).isInstanceOf(QueueFullException.class)
          .hasMessageContaining("maxsize 1");
      assertThatThrownBy(() -> q.put("b", Duration.ofMillis(30))).isInstanceOf(QueueFullException.class);
      assertThat(remote.size()).isEqualTo(1);
      assertThat(remote.get()).isEqualTo("a");
      assertThatThrownBy(() -> remote.get(Duration.ZERO)).isInstanceOf(QueueEmptyException.class);
      assertThatThrownBy(() -> remote.get(Duration.ofMillis(30))).isInstanceOf(QueueEmptyException.class);
      assertThat(remote.join(Duration.ofMillis(30))).isFalse();
      remote.taskDone();
      assertThat(q.join(Duration.ZERO)).isTrue();
      assertThatThrownBy(remote::taskDone).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("more times");
      remote.close();
    }
  }

  @Test
  void eventWakesAWaiterInAnotherProcessAndTimesOut() throws Exception {
    try (SharedEvent started = SharedEvent.create(); SharedEvent ev = SharedEvent.create()) {
      TaskFuture<Boolean> waiter = pool.submit(PrimitiveTasks.WAIT, new PrimitiveTasks.Wait(started, ev, 60_000));
      assertThat(started.await(LONG)).isTrue();
      assertThat(waiter.isDone()).isFalse();
      ev.set();
      assertThat(waiter.result(LONG)).isTrue();
      assertThat(ev.isSet()).isTrue();
      ev.clear();
      assertThat(ev.isSet()).isFalse();
      started.clear();
      TaskFuture<Boolean> timesOut = pool.submit(PrimitiveTasks.WAIT, new PrimitiveTasks.Wait(started, ev, 50));
      assertThat(timesOut.result(LONG)).isFalse();
      assertThat(ev.await(Duration.ofMillis(10))).isFalse();
    }
  }

  @Test
  void aBoundedSemaphoreAdmitsItsPermitsAcrossProcessesAndRefusesAnExtraRelease() throws Exception {
    try (SharedSemaphore sem = SharedSemaphore.bounded(2); SharedCounter inside = SharedCounter.create()) {
      var in = new PrimitiveTasks.Sem(sem, inside, 3_000);
      List<TaskFuture<Long>> fs = List.of(pool.submit(PrimitiveTasks.SEMAPHORE, in), pool.submit(PrimitiveTasks.SEMAPHORE, in));
      long local = PrimitiveTasks.SEMAPHORE.run(in, null);
      long max = local;
      for (TaskFuture<Long> f : fs) {
        max = Math.max(max, f.result(LONG));
      }
      assertThat(max).as("holders at once").isBetween(1L, 2L);
      assertThat(sem.available()).isEqualTo(2);
      assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("BoundedSemaphore");
      assertThat(sem.tryAcquire()).isTrue();
      assertThat(sem.tryAcquire()).isTrue();
      assertThat(sem.tryAcquire(Duration.ofMillis(20))).isFalse();
      try (SharedSemaphore plain = SharedSemaphore.create(0)) {
        plain.release();
        plain.release();
        assertThat(plain.available()).isEqualTo(2);
      }
    }
  }

  @Test
  void aReentrantLockExcludesAcrossProcessesAndCountsItsHolds() throws Exception {
    try (SharedRLock lock = SharedRLock.create(); SharedCounter value = SharedCounter.create();
        SharedCounter inside = SharedCounter.create()) {
      var in = new PrimitiveTasks.Reentrant(lock, value, inside, 3_000);
      List<TaskFuture<Long>> fs = List.of(pool.submit(PrimitiveTasks.REENTRANT, in), pool.submit(PrimitiveTasks.REENTRANT, in));
      long localMax = PrimitiveTasks.REENTRANT.run(in, null);
      for (TaskFuture<Long> f : fs) {
        assertThat(f.result(LONG)).isEqualTo(1);
      }
      assertThat(localMax).isEqualTo(1);
      assertThat(value.get()).isEqualTo(9_000);
      lock.lock();
      lock.lock();
      assertThat(lock.holdCount()).isEqualTo(2);
      lock.unlock();
      assertThat(lock.isLocked()).isTrue();
      lock.unlock();
      assertThat(lock.isLocked()).isFalse();
      assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    }
  }

  @Test
  void aBarrierReleasesEveryProcessOnlyWhenAllHaveArrivedRoundAfterRound() throws Exception {
    int rounds = 20;
    try (SharedBarrier barrier = SharedBarrier.create(3); SharedArray arrivals = SharedArray.create(SharedArray.Type.LONG, rounds)) {
      var in = new PrimitiveTasks.Bar(barrier, arrivals, rounds);
      List<TaskFuture<Long>> fs = List.of(pool.submit(PrimitiveTasks.BARRIER, in), pool.submit(PrimitiveTasks.BARRIER, in));
      assertThat(PrimitiveTasks.BARRIER.run(in, null)).isEqualTo(rounds);
      for (TaskFuture<Long> f : fs) {
        assertThat(f.result(LONG)).isEqualTo(rounds);
      }
      assertThat(arrivals.toLongArray()).containsOnly(3L);
      assertThatThrownBy(() -> barrier.await(Duration.ofMillis(20))).isInstanceOf(java.util.concurrent.TimeoutException.class);
    }
  }

  @Test
  void aConditionWakesAWaiterInAnotherProcess() throws Exception {
    try (SharedRLock lock = SharedRLock.create(); SharedCondition cond = SharedCondition.create(lock);
        SharedArray box = SharedArray.create(SharedArray.Type.LONG, 2)) {
      TaskFuture<Long> waiter = pool.submit(PrimitiveTasks.CONDITION, new PrimitiveTasks.Cond(cond, box));
      org.awaitility.Awaitility.await().atMost(LONG).until(() -> box.get(1) == 1);
      lock.lock();
      try {
        box.set(0, 42);
        cond.signalAll();
      } finally {
        lock.unlock();
      }
      assertThat(waiter.result(LONG)).isEqualTo(42);
      lock.lock();
      try {
        assertThat(cond.await(Duration.ofMillis(20))).as("nobody signals").isFalse();
        assertThat(lock.holdCount()).as("the lock is held again").isEqualTo(1);
      } finally {
        lock.unlock();
      }
      assertThatThrownBy(() -> cond.await(Duration.ofMillis(1))).isInstanceOf(IllegalMonitorStateException.class);
    }
  }

  @Test
  void typedArraysAreSharedAndAtomicPerElement() throws Exception {
    try (SharedArray longs = SharedArray.create(SharedArray.Type.LONG, 1); SharedArray doubles = SharedArray.ofDoubles(0.0)) {
      var in = new PrimitiveTasks.Arr(longs, doubles, 20_000);
      List<TaskFuture<Long>> fs = List.of(pool.submit(PrimitiveTasks.ARRAY, in), pool.submit(PrimitiveTasks.ARRAY, in));
      PrimitiveTasks.ARRAY.run(in, null);
      fs.forEach(f -> f.result(LONG));
      assertThat(longs.get(0)).isEqualTo(60_000);
      assertThat(doubles.getDouble(0)).isEqualTo(30_000.0);
      assertThatThrownBy(() -> longs.getDouble(0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> longs.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
      try (SharedArray a = SharedArray.of(1, 2, 3)) {
        SharedArray b = JsonCodec.defaults().fromJson(JsonCodec.defaults().toJson(a, "array"), SharedArray.class, "array");
        b.set(1, 20);
        assertThat(a.toLongArray()).containsExactly(1, 20, 3);
      }
    }
  }

  record Point(int x, int y) {}

  @Test
  void managerStyleDictListAndNamespaceAreSharedWithChildProcesses() throws Exception {
    try (SharedDict dict = SharedDict.create(); SharedList list = SharedList.create();
        SharedNamespace ns = SharedNamespace.create()) {
      List<TaskFuture<Long>> fs = List.of(
          pool.submit(PrimitiveTasks.MANAGED, new PrimitiveTasks.Managed(dict, list, ns, "a", 200)),
          pool.submit(PrimitiveTasks.MANAGED, new PrimitiveTasks.Managed(dict, list, ns, "b", 200)));
      PrimitiveTasks.MANAGED.run(new PrimitiveTasks.Managed(dict, list, ns, "local", 200), null);
      fs.forEach(f -> f.result(LONG));
      assertThat(dict.get("hits", Long.class)).contains(600L);
      assertThat(list.size()).isEqualTo(600);
      assertThat(list.toList(String.class)).contains("a-0", "a-199", "b-199", "local-199").doesNotHaveDuplicates();
      assertThat(ns.names()).containsExactlyInAnyOrder("a", "b", "local");
      assertThat(ns.get("a", Integer.class)).isEqualTo(199);
      assertThatThrownBy(() -> ns.get("missing", Integer.class)).hasMessageContaining("no attribute 'missing'");
      dict.put("point", new Point(1, 2));
      assertThat(dict.get("point", Point.class)).contains(new Point(1, 2));
      assertThat(dict.keys()).containsExactly("hits", "point");
      assertThat(dict.remove("point")).isTrue();
      assertThat(dict.containsKey("point")).isFalse();
      assertThat(list.pop(String.class)).isNotNull();
      assertThat(list.size()).isEqualTo(599);
    }
  }

  @Test
  void descriptorsOutsideThePrivateDirectoryAreRefused() {
    assertThatThrownBy(() -> SharedCounter.open(new SharedCounter.Descriptor("/etc/passwd")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Spindle counter");
    assertThatThrownBy(() -> JoinableQueue.open(new JoinableQueue.Descriptor("/tmp/x/queue-1", 0), String.class))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
