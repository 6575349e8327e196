/** Internals of the process pool: scheduler, wire protocol, worker entry point. Not API. */
package dev.spindle.process.internal;
