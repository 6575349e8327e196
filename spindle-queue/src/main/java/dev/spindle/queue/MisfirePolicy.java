package dev.spindle.queue;

/**
 * What a recurring schedule does with ticks that were missed (no worker was running at the tick,
 * or workers were busy), i.e. ticks older than the schedule's misfire grace when a worker first sees
 * them. A tick seen within the grace is on time and always fires.
 */
public enum MisfirePolicy {
  /** Fire one job for all the missed ticks together, then continue with the next future tick (default). */
  FIRE_ONCE,
  /** Fire one job per missed tick (at most 1,000 per scheduler pass; the rest on the next passes). */
  FIRE_ALL,
  /** Drop missed ticks; continue with the next future tick. */
  SKIP
}
