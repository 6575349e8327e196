/** Implementation of the service manager: master run-time, control socket, worker entry point. Not API. */
@NullMarked
package dev.spindle.supervisor.internal;

import org.jspecify.annotations.NullMarked;
