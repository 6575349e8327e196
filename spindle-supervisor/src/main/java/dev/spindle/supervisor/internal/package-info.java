/** Implementation of the service manager: master run-time, control socket, worker entry point. Not API. */
package dev.spindle.supervisor.internal;
