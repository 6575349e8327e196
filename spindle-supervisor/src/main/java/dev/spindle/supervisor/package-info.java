/**
 * Supervised long-running services (Cotyledon): a {@link dev.spindle.supervisor.ServiceManager}
 * master runs N child JVMs per {@link dev.spindle.supervisor.Service}, restarts them with back-off,
 * recycles them, rescales them live and stops them gracefully; {@link
 * dev.spindle.supervisor.ControlClient} drives a running master over its control socket.
 */
@NullMarked
package dev.spindle.supervisor;

import org.jspecify.annotations.NullMarked;
