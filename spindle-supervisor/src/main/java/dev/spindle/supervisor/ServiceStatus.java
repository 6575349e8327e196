package dev.spindle.supervisor;

import java.util.List;

/**
 * A snapshot of one service. Immutable.
 *
 * @param name the service's name
 * @param serviceClass its {@link Service} class
 * @param workers the configured worker count
 * @param running workers whose service is built and running
 * @param crashLooping true while a worker position keeps dying young (see {@link ServiceConfig#crashLoopThreshold()})
 * @param restarts children started after the first one of each position, over the service's life
 * @param recycles children replaced on purpose (job or memory limit, changed definition)
 * @param workerStatuses each worker position, by worker id, then the ones still stopping
 */
public record ServiceStatus(String name, String serviceClass, int workers, int running, boolean crashLooping,
    long restarts, long recycles, List<WorkerStatus> workerStatuses) {
  /** Copies the list. */
  public ServiceStatus {
    workerStatuses = List.copyOf(workerStatuses);
  }
}
