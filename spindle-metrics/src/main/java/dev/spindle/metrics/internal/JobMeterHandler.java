package dev.spindle.metrics.internal;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

/**
 * The timer half of the {@code spindle.job.process} observation: records the attempt's run time
 * (measured by the worker) under queue, task and outcome. Stateless, thread-safe.
 */
public final class JobMeterHandler implements ObservationHandler<JobObservation> {
  @Override
  public void onStop(JobObservation context) {
    if (context.outcome != null) {
      context.meters.outcome(context.outcome);
      io.micrometer.core.instrument.Timer t = context.meters.run(context.outcome);
      if (t != null) {
        t.record(context.runTime);
      }
    }
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return context instanceof JobObservation;
  }
}
