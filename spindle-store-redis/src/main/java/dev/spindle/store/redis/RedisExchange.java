package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.store.redis.internal.LuaStateMachine;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.StoreErrors;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Claims and completions of {@link RedisJobStore}, together or alone, as one exchange script call
 * (fenced completions, then a claim). An exchange whose reply never arrived may still have claimed
 * jobs: its request id is kept per worker ({@link #MAX_UNCONFIRMED} at most) and the same worker's
 * next exchange hands those jobs back, so no job stays held by a worker that does not know it has
 * it. Thread-safe.
 */
final class RedisExchange {
  /** The most request ids of unanswered exchanges kept per worker. */
  private static final int MAX_UNCONFIRMED = 1000;

  private final RedisJobStore store;
  private final RedisLink link;
  private final NamespaceEpoch epoch;
  /** Per worker: request ids of exchanges whose reply never arrived (their claims go back). */
  private final ConcurrentHashMap<String, List<String>> unconfirmed = new ConcurrentHashMap<>();

  /** @param store gives request ids, the callers' times as scripts read them, and job policies */
  RedisExchange(RedisJobStore store, RedisLink link, NamespaceEpoch epoch) {
    this.store = store;
    this.link = link;
    this.epoch = epoch;
  }

  /** Forgets the unanswered exchanges of a worker that left. */
  void forget(String workerId) {
    unconfirmed.remove(workerId);
  }

  /**
   * Applies {@code completions}, then claims for {@code request} if it is not null, in one script
   * call.
   */
  Exchange exchange(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    String rid = store.rid();
    String worker = request == null ? null : request.workerId();
    List<String> lost = worker == null ? null : unconfirmed.remove(worker);
    List<String> args = new ArrayList<>(8 + completions.size() * 5 + (request == null ? 0 : request.queues().size()));
    args.add(rid);
    args.add(store.nowArg(now));
    args.add("");
    args.add(lost == null ? "" : String.join(",", lost));
    args.add(Integer.toString(completions.size()));
    String lastWorker = null;
    for (Completion c : completions) {
      args.add(c.jobId());
      args.add(Long.toString(c.fence()));
      args.add(c.workerId().equals(lastWorker) ? "" : c.workerId()); // '': the same as the previous one
      lastWorker = c.workerId();
      String error = c.errorJson() == null ? "" : c.errorJson();
      switch (c.outcome()) {
        case SUCCEEDED -> {
          args.add(LuaStateMachine.outcomeCode(c.outcome()));
          args.add(c.resultJson());
        }
        case RETRY -> {
          args.add(LuaStateMachine.outcomeCode(c.outcome()));
          args.add(error);
          Instant retryAt = Objects.requireNonNull(c.retryAt(), "retryAt of a RETRY completion");
          args.add(Times.encode(retryAt));
          args.add(retryAt.isAfter(now) ? "1" : "0");
        }
        case FAILED -> {
          args.add(LuaStateMachine.outcomeCode(c.outcome()));
          args.add(error);
        }
        case DEAD -> {
          args.add(LuaStateMachine.outcomeCode(c.outcome()));
          args.add(error);
          args.add(c.deadReason());
        }
        case CANCELLED -> {
          args.add(LuaStateMachine.outcomeCode(c.outcome()));
          args.add(error);
        }
        case RELEASED -> args.add(LuaStateMachine.outcomeCode(c.outcome()));
      }
    }
    if (request == null) {
      args.add("");
    } else {
      args.add(request.workerId());
      args.add(Integer.toString(request.max()));
      args.add(Integer.toString(request.queues().size()));
      args.addAll(request.queues());
      Set<String> tasks = request.tasks();
      if (tasks != null) { // absent: any task
        args.add(String.join(",", tasks));
      }
    }
    List<?> r;
    try {
      r = link.script(Script.EXCHANGE, true, args.toArray(String[]::new));
    } catch (RuntimeException e) {
      if (worker != null) {
        List<String> keep = new ArrayList<>();
        if (lost != null) {
          keep.addAll(lost);
        }
        if (!StoreErrors.certainlyNotApplied(e)) {
          keep.add(rid);
        }
        if (!keep.isEmpty()) {
          unconfirmed.merge(worker, keep, (a, b) -> {
            List<String> m = new ArrayList<>(a);
            m.addAll(b);
            return m.size() > MAX_UNCONFIRMED ? m.subList(m.size() - MAX_UNCONFIRMED, m.size()) : m;
          });
        }
      }
      throw e;
    }
    List<?> flags = (List<?>) r.get(0);
    List<Boolean> applied = new ArrayList<>(flags.size());
    for (Object f : flags) {
      applied.add(((Long) f) == 1);
    }
    ClaimResult claim = request == null ? ClaimResult.empty()
        : new ClaimResult(claimed(request.workerId(), (List<?>) r.get(1)), Times.instantOrNull((String) r.get(2)));
    return new Exchange(applied, claim);
  }

  /**
   * The jobs a claim took, from the script's rows ({@code {id, fence, header+args, status, ...}}).
   * A job no longer held with that fence (a replayed claim whose job moved on) is left out.
   */
  private List<JobInfo> claimed(String worker, List<?> rows) {
    List<JobInfo> out = new ArrayList<>(rows.size() / 4);
    for (int i = 0; i + 3 < rows.size(); i += 4) {
      String id = (String) rows.get(i);
      String header = (String) rows.get(i + 2);
      String status = (String) rows.get(i + 3);
      if (header == null || status == null) {
        continue;
      }
      JobInfo j = Rows.job(id, header, status, null, store::policy);
      if (j.state() == JobState.RUNNING && worker.equals(j.workerId())
          && Long.toString(j.fence()).equals(rows.get(i + 1))) {
        out.add(j);
        epoch.saw(id);
      }
    }
    return out;
  }
}
