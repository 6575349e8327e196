package dev.spindle.queue.spi;

import dev.spindle.queue.JobProgress;
import java.util.List;
import java.util.Optional;

/**
 * Where a store keeps what running jobs report ({@link dev.spindle.TaskContext#progress}, {@link
 * dev.spindle.TaskContext#log}): per job its latest progress and its last log lines. Reached with
 * {@link JobStore#progress()}; a store without it keeps nothing (the worker drops the reports). The
 * contract suite is {@code dev.spindle.testkit.store.ProgressStoreContract}.
 *
 * <p>Workers buffer reports and call {@link #write} with the updates of many jobs at once, on a
 * timer and before they write the jobs' outcomes, so a report costs no round trip of its own.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>{@link #write} is atomic per call, like {@link JobStore}'s methods; a failure throws {@link
 *       dev.spindle.queue.StoreException} and changes nothing.
 *   <li>An update applies only while its job is RUNNING, held by its {@code workerId} under its
 *       {@code fence}: a worker that lost the job writes nothing, even if the job was claimed again.
 *   <li>Log lines are numbered from 1 per job in the order written, across attempts; only the last
 *       {@code maxLines} are kept.
 *   <li>Progress and lines are removed with their job (retention, purge, delete).
 *   <li>Thread-safe.
 * </ul>
 */
public interface ProgressStore {
  /**
   * Applies each update whose job is held as {@link ProgressUpdate} says: replaces the job's
   * progress if the update carries one, appends its lines, then drops the job's oldest lines beyond
   * {@code maxLines}.
   *
   * @param maxLines the lines to keep per job, at least 1
   * @return one flag per update, in order: false if it was fenced off (nothing written for it)
   */
  List<Boolean> write(List<ProgressUpdate> updates, int maxLines);

  /**
   * The job's progress and kept lines for readers, whoever holds the job; {@link JobProgress#NONE}
   * if it reported nothing, empty if there is no such job.
   */
  Optional<JobProgress> view(String jobId);
}
