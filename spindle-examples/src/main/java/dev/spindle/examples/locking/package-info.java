/**
 * The texts' locking service on the supervisor: N supervised worker processes share one fenced
 * lock, so that one at a time does the guarded work; a worker killed while holding it is
 * respawned by the master and its lease expires, so the others carry on.
 */
@NullMarked
package dev.spindle.examples.locking;

import org.jspecify.annotations.NullMarked;
