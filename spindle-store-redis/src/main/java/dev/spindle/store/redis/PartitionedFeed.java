package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.JobStore;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The finished feed of a {@link PartitionedRedisJobStore} as one ordered stream: a global finish
 * sequence is {@code seq * 1000 + partition}, and a read first raises every partition's counter to
 * the highest, so no later finish can sort before a delivered one. Thread-safe.
 */
final class PartitionedFeed {
  private static final int N = PartitionedRedisJobStore.MAX_PARTITIONS;
  private static final String RAISE_SEQ = "local c = tonumber(redis.call('GET', KEYS[1]) or '0') "
      + "local t = tonumber(ARGV[1]) if c < t then redis.call('SET', KEYS[1], ARGV[1]) return t end return c";

  private final RedisJobStore[] parts;

  PartitionedFeed(Partitions partitions) {
    this.parts = partitions.all();
  }

  /**
   * Raises every partition's finish counter to the highest, so that every later finish sorts after
   * {@code (highest, p)} for every p; returns the highest.
   */
  private long align() {
    long top = 0;
    long[] seqs = new long[parts.length];
    for (int p = 0; p < parts.length; p++) {
      seqs[p] = parts[p].finishCursor();
      top = Math.max(top, seqs[p]);
    }
    for (int p = 0; p < parts.length; p++) {
      if (seqs[p] < top) {
        String key = parts[p].config().keyPrefix() + "fseq";
        String t = Long.toString(top);
        parts[p].link().<Long>call("raising the finish sequence", true,
            c -> c.eval(RAISE_SEQ, ScriptOutputType.INTEGER, new String[] {key}, t));
      }
    }
    return top;
  }

  /** {@link JobStore#finishedAfter}, merged from every partition in global finish order. */
  FinishedBatch finishedAfter(long cursor, int limit) {
    if (limit < 1) {
      return new FinishedBatch(List.of(), cursor);
    }
    long top = align();
    long f = cursor / N;
    int cp = (int) (cursor % N);
    List<JobInfo> all = new ArrayList<>();
    for (int p = 0; p < parts.length; p++) {
      long from = p <= cp ? f : f - 1;
      for (JobInfo j : parts[p].finishedAfter(Math.max(0, from), limit).jobs()) {
        if (j.finishSeq() <= top) {
          all.add(Partitions.global(j, p));
        }
      }
    }
    all.sort(Comparator.comparingLong(JobInfo::finishSeq));
    List<JobInfo> page = all.size() > limit ? all.subList(0, limit) : all;
    long last = page.isEmpty() ? cursor : page.get(page.size() - 1).finishSeq();
    return new FinishedBatch(List.copyOf(page), last);
  }

  /** {@link JobStore#finishCursor}: the highest finish sequence, on the partition that holds it. */
  long finishCursor() {
    long top = align();
    if (top == 0) {
      return 0;
    }
    int last = 0;
    for (int p = 0; p < parts.length; p++) {
      if (!parts[p].finishedAfter(top - 1, 1).jobs().isEmpty()) {
        last = p;
      }
    }
    return Partitions.globalSeq(top, last);
  }
}
