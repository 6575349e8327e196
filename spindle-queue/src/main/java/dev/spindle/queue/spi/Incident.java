package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something wrong with a queue or a worker that a {@code dev.spindle.queue.health.StallDetector} saw
 * and an {@link IncidentLog} keeps: open from {@code openedAt} until it is resolved. At most one
 * incident per {@link Key} is open at a time, however many processes watch the store. Immutable.
 *
 * <p>Its details name queues, workers and counts, never job arguments or results, so it needs no
 * redaction.
 *
 * @param id increasing number assigned by the store (0 before it is stored)
 * @param kind what is wrong
 * @param queue the queue concerned, or {@link #ALL_QUEUES} for a store-wide condition
 * @param subject what within the queue: the worker id of a {@link Kind#STALLED_WORKER}, else empty
 * @param since when the condition began, as far as the detector could tell (store clock)
 * @param openedAt when the incident was raised (store clock)
 * @param resolvedAt when it was resolved, or {@code null} while it is open
 * @param details a human-readable description (at most {@value #MAX_DETAILS} characters)
 */
public record Incident(long id, Kind kind, String queue, String subject, Instant since, Instant openedAt,
    @Nullable Instant resolvedAt, String details) {
  /** The queue name of incidents about the whole store (failure rate, dead jobs). */
  public static final String ALL_QUEUES = "*";

  /** The most characters of {@link #details} kept; longer details are cut. */
  public static final int MAX_DETAILS = 2000;

  /** What an incident is about. */
  public enum Kind {
    /** Ready jobs wait, live workers of the queue have free slots, and nothing claimed them for too long. */
    STALLED_QUEUE,
    /** A live worker holds running jobs but completed none and claimed none for too long. */
    STALLED_WORKER,
    /** The oldest ready job of a queue waited longer than the latency threshold. */
    QUEUE_LATENCY,
    /** The share of failed attempts over the recent window passed the failure-rate threshold. */
    FAILURE_RATE,
    /** Jobs became DEAD in the recent window. */
    DEAD_JOBS
  }

  /**
   * What makes two incidents the same one: kind, queue and subject. Immutable.
   *
   * @param kind what is wrong
   * @param queue the queue (or {@link #ALL_QUEUES})
   * @param subject the worker id of a worker's incident, else empty
   */
  public record Key(Kind kind, String queue, String subject) {
    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if the queue is blank or longer than 200 characters, or the
     *     subject is longer than 255
     */
    public Key {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(subject, "subject");
      if (queue.isBlank() || queue.length() > 200) {
        throw new IllegalArgumentException("an incident's queue must be 1 to 200 characters, not '" + queue + "'");
      }
      if (subject.length() > 255) {
        throw new IllegalArgumentException("an incident's subject must be at most 255 characters");
      }
    }

    /** A key of a queue-wide incident (empty subject). */
    public static Key of(Kind kind, String queue) {
      return new Key(kind, queue, "");
    }

    /**
     * The one string stores index the open incident under: unambiguous whatever the parts hold
     * (the queue's length comes first).
     */
    public String openKey() {
      return kind.name() + ":" + queue.length() + ":" + queue + ":" + subject;
    }
  }

  /** Checks the fields and cuts the details to {@link #MAX_DETAILS}. */
  public Incident {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(openedAt, "openedAt");
    details = cut(Objects.requireNonNull(details, "details"));
  }

  /** The key this incident is open under. */
  public Key key() {
    return new Key(kind, queue, subject);
  }

  /** True while it is not resolved. */
  public boolean isOpen() {
    return resolvedAt == null;
  }

  /** This incident resolved at {@code at}. */
  public Incident resolved(Instant at) {
    return new Incident(id, kind, queue, subject, since, openedAt, at, details);
  }

  /** {@code details} cut to {@link #MAX_DETAILS} characters. */
  public static String cut(String details) {
    return details.length() <= MAX_DETAILS ? details : details.substring(0, MAX_DETAILS - 3) + "...";
  }
}
