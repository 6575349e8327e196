package dev.spindle.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every backend does; subclasses open coordinators on one shared store. */
abstract class CoordinationContract {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final List<Coordinator> opened = new ArrayList<>();
  Coordinator coordinator;
  String name;

  /** A builder on the backend under test, with the given timings. */
  abstract Coordinator.Builder backend();

  Coordinator open(Duration heartbeat) {
    Coordinator c = backend().heartbeatInterval(heartbeat).leaseDuration(Duration.ofSeconds(10)).build();
    opened.add(c);
    return c;
  }

  @BeforeEach
  void openCoordinator() {
    coordinator = open(Duration.ofMillis(200));
    name = getClass().getSimpleName() + "-" + NAMES.incrementAndGet();
  }

  @AfterEach
  void closeCoordinators() {
    opened.forEach(Coordinator::close);
  }

  @Test
  void aLockHasOneHolderAndEveryAcquisitionATokenGreaterThanTheLast() throws Exception {
    FencedLock lock = coordinator.lock(name);
    Lease first = lock.tryAcquire().orElseThrow();
    assertThat(lock.tryAcquire()).isEmpty();
    assertThat(lock.holders()).extracting(Holder::holderId).containsExactly(first.holderId());
    first.close();
    Lease second = lock.acquire(Duration.ofSeconds(5)).orElseThrow();
    assertThat(second.token()).isGreaterThan(first.token());
    second.close();
    assertThat(lock.holders()).isEmpty();
    assertThat(first.isHeld()).isFalse();
  }

  @Test
  void acquireWithTimeoutGivesUpAndTryWithResourcesReleases() throws Exception {
    FencedLock lock = coordinator.lock(name);
    try (Lease held = lock.tryAcquire().orElseThrow()) {
      assertThat(held.isHeld()).isTrue();
      long t0 = System.nanoTime();
      assertThat(lock.acquire(Duration.ofMillis(100))).isEmpty();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    }
    assertThat(lock.tryAcquire()).isPresent().get().satisfies(Lease::close);
  }

  @Test
  void theOwnerIsTheLeaseNotTheThread() throws Exception {
    FencedLock lock = coordinator.lock(name);
    AtomicReference<Lease> got = new AtomicReference<>();
    Thread v = Thread.ofVirtual().start(() -> {
      try {
        got.set(lock.acquire(Duration.ofSeconds(5)).orElseThrow());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    v.join();
    assertThat(got.get().isHeld()).isTrue();
    Thread other = Thread.ofPlatform().start(got.get()::close);
    other.join();
    assertThat(lock.holders()).isEmpty();
    assertThat(lock.tryAcquire()).isPresent().get().satisfies(Lease::close);
  }

  @Test
  void aWaiterGetsTheLockWhenItIsReleased() throws Exception {
    FencedLock lock = coordinator.lock(name);
    Lease held = lock.tryAcquire().orElseThrow();
    AtomicReference<Optional<Lease>> waited = new AtomicReference<>();
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        waited.set(lock.acquire(Duration.ofSeconds(10)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.WAITING
        || waiter.getState() == Thread.State.TIMED_WAITING);
    held.close();
    waiter.join();
    Lease next = waited.get().orElseThrow();
    assertThat(next.token()).isGreaterThan(held.token());
    next.close();
  }

  @Test
  void renewalKeepsALeaseLongerThanItsDuration() {
    Lease lease = coordinator.lock(name, Duration.ofMillis(300)).tryAcquire().orElseThrow();
    await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(lease::isHeld);
    assertThat(coordinator.lock(name, Duration.ofMillis(300)).tryAcquire()).isEmpty();
    lease.close();
  }

  @Test
  void aLeaseThatIsNotRenewedExpiresAndItsHoldersFencedWriteIsRejected() {
    // a holder that stopped renewing (paused): acquired directly on the backend
    var stale = coordinator.backend().tryAcquire(name, 1, "paused-holder", Duration.ofMillis(100));
    assertThat(stale.granted()).isTrue();
    FencedLock lock = coordinator.lock(name);
    Lease fresh = await().atMost(Duration.ofSeconds(5)).until(lock::tryAcquire, Optional::isPresent).orElseThrow();
    assertThat(fresh.token()).isGreaterThan(stale.token());
    FencedRegister register = coordinator.register(name + "-value");
    assertThat(register.write(fresh, "new")).isTrue();
    assertThat(register.write(fresh, "new again")).as("one holder writes many times").isTrue();
    assertThat(register.write(stale.token(), "stale")).isFalse();
    assertThat(register.read()).contains(new RegisterValue("new again", fresh.token()));
    assertThat(coordinator.backend().renew(name, "paused-holder", stale.token(), Duration.ofSeconds(1))).isFalse();
    assertThat(coordinator.backend().release(name, "paused-holder", stale.token())).isFalse();
    fresh.close();
  }

  @Test
  void aFencedReadStopsAnOlderHolderThatReadTheSameValueFromWriting() {
    FencedRegister register = coordinator.register(name);
    var backend = coordinator.backend();
    assertThat(backend.readFenced(name, 3)).as("nothing written yet").isEmpty();
    assertThat(register.write(3, "10")).isTrue();
    // holder 4 reads 10, then holder 5 reads 10 too (holder 4 was paused past its lease)
    assertThat(backend.readFenced(name, 4)).contains(new RegisterValue("10", 4));
    assertThat(backend.readFenced(name, 5)).contains(new RegisterValue("10", 5));
    assertThat(register.write(4, "11")).as("the older reader may not write").isFalse();
    assertThat(register.write(5, "11")).isTrue();
    assertThat(backend.readFenced(name, 4)).as("a stale read raises nothing").contains(new RegisterValue("11", 5));
    assertThat(register.read()).contains(new RegisterValue("11", 5));
  }

  @Test
  void aLeaseFoundGoneByItsRenewalIsLost() {
    Lease lease = coordinator.lock(name, Duration.ofMillis(600)).tryAcquire().orElseThrow();
    // another party removes it (as an expiry would)
    assertThat(coordinator.backend().release(name, lease.holderId(), lease.token())).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> lease.whenLost().isDone());
    assertThat(lease.isHeld()).isFalse();
    lease.close();
  }

  @Test
  void aSemaphoreGrantsItsPermitsAndNoMore() {
    FencedLock sem = coordinator.semaphore(name, 3);
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(sem.tryAcquire().orElseThrow());
    }
    assertThat(sem.tryAcquire()).isEmpty();
    assertThat(leases).extracting(Lease::token).doesNotHaveDuplicates().isSorted();
    leases.remove(1).close();
    Lease again = sem.tryAcquire().orElseThrow();
    assertThat(again.token()).isGreaterThan(leases.get(1).token());
    assertThat(sem.holders()).hasSize(3);
    leases.forEach(Lease::close);
    again.close();
  }

  @Test
  void membersJoinWithCapabilitiesAndWatchersHearJoinsAndLeaves() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (GroupWatch watch = coordinator.watch(name, new GroupListener() {
      @Override
      public void onJoin(Member m) {
        events.add("join " + m.id() + " " + m.weight());
      }

      @Override
      public void onLeave(Member m) {
        events.add("leave " + m.id());
      }
    })) {
      Membership a = coordinator.join(name, "a", "{\"weight\":2}");
      Membership b = coordinator.join(name, "b", "{}");
      await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("join a 2") && events.contains("join b 1"));
      assertThat(coordinator.members(name)).extracting(Member::id).containsExactly("a", "b");
      a.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("leave a"));
      b.close();
      assertThat(watch.group()).isEqualTo(name);
    }
  }

  @Test
  void aSilentMemberExpires() {
    List<String> left = new CopyOnWriteArrayList<>();
    try (GroupWatch watch = coordinator.watch(name, new GroupListener() {
      @Override
      public void onLeave(Member m) {
        left.add(m.id());
      }
    })) {
      assertThat(coordinator.backend().heartbeat(name, "silent", "{}", Duration.ofMillis(800))).isTrue();
      assertThat(coordinator.backend().heartbeat(name, "silent", "{}", Duration.ofMillis(800))).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> left.contains("silent"));
      assertThat(coordinator.members(name)).isEmpty();
      assertThat(watch.group()).isEqualTo(name);
    }
  }

  @Test
  void oneCandidateLeadsAndTheNextTakesOverWithAGreaterToken() {
    List<Long> elected = new CopyOnWriteArrayList<>();
    List<String> who = new CopyOnWriteArrayList<>();
    LeaderElection.Listener record = lease -> {
      elected.add(lease.token());
      who.add(lease.holderId());
    };
    LeaderElection x = coordinator.election(name, "x", record);
    await().atMost(Duration.ofSeconds(5)).until(x::isLeader);
    LeaderElection y = open(Duration.ofMillis(200)).election(name, "y", record);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !y.isLeader());
    assertThat(y.leader()).contains("x");
    x.close();
    await().atMost(Duration.ofSeconds(5)).until(y::isLeader);
    assertThat(y.leader()).contains("y");
    assertThat(elected).hasSize(2).isSorted();
    y.close();
  }

  @Test
  void aLeaderWhoseLeaseIsGoneIsRevokedAndElectedAgainWithAGreaterToken() {
    List<Long> elected = new CopyOnWriteArrayList<>();
    List<Long> revoked = new CopyOnWriteArrayList<>();
    Coordinator fast = backend().heartbeatInterval(Duration.ofMillis(200)).leaseDuration(Duration.ofMillis(600)).build();
    opened.add(fast);
    LeaderElection x = fast.election(name, "x", new LeaderElection.Listener() {
      @Override
      public void elected(Lease lease) {
        elected.add(lease.token());
      }

      @Override
      public void revoked(Lease lease) {
        revoked.add(lease.token());
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(x::isLeader);
    Holder h = fast.holders("election/" + name).get(0);
    // as if the lease expired while the leader was paused
    assertThat(fast.backend().release("election/" + name, h.holderId(), h.token())).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> revoked.contains(h.token()) && elected.size() >= 2);
    assertThat(elected.get(1)).isGreaterThan(elected.get(0));
    x.close();
  }

  /**
   * A candidate closed while its listener is still hearing of its election is revoked only after
   * that: the listener never hears "revoked" before (or while) it hears "elected", which would leave
   * it believing it leads after it resigned.
   */
  @Test
  void aCandidateClosedWhileItHearsOfItsElectionIsRevokedOnlyAfterward() throws Exception {
    CountDownLatch hearing = new CountDownLatch(1);
    CountDownLatch carryOn = new CountDownLatch(1);
    List<String> heard = new CopyOnWriteArrayList<>();
    LeaderElection x = coordinator.election(name, "x", new LeaderElection.Listener() {
      @Override
      public void elected(Lease lease) {
        heard.add("elected");
        hearing.countDown();
        try {
          carryOn.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        heard.add("elected returned");
      }

      @Override
      public void revoked(Lease lease) {
        heard.add("revoked");
      }
    });
    assertThat(hearing.await(5, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(x::close, "closer");
    closer.start();
    // the closer either waits for the candidate (blocked on it) or has revoked it already
    await().atMost(Duration.ofSeconds(5))
        .until(() -> closer.getState() == Thread.State.BLOCKED || heard.contains("revoked"));
    carryOn.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(closer.isAlive()).isFalse();
    assertThat(heard).containsExactly("elected", "elected returned", "revoked");
  }

  @Test
  void aPartitionerFollowsTheGroup() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    try (Partitioner p = coordinator.partitioner(name, "a", (before, after) -> sizes.add(after.members().size()));
        Membership a = coordinator.join(name, "a", "{}")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> p.ring().members().size() == 1);
      assertThat(p.owns("anything")).isTrue();
      try (Membership b = coordinator.join(name, "b", "{}")) {
        await().atMost(Duration.ofSeconds(5)).until(() -> p.ring().members().size() == 2);
        long mine = java.util.stream.IntStream.range(0, 1000).filter(i -> p.owns("k" + i)).count();
        assertThat(mine).isBetween(300L, 700L);
        assertThat(b.memberId()).isEqualTo("b");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> p.ring().members().size() == 1);
      assertThat(sizes).containsSubsequence(1, 2, 1);
      assertThat(a.group()).isEqualTo(name);
    }
  }
}
