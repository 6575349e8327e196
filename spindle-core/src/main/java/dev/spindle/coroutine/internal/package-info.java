/**
 * Internal: the cooperative scheduler behind {@link dev.spindle.coroutine.EventLoop} (the baton,
 * the ready queue, timers). Not API; use {@link dev.spindle.coroutine.EventLoop} and
 * {@link dev.spindle.coroutine.Async}.
 */
@NullMarked
package dev.spindle.coroutine.internal;

import org.jspecify.annotations.NullMarked;
