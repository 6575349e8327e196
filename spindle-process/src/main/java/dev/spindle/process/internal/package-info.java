/** Internals of the process pool: scheduler, wire protocol, worker entry point. Not API. */
@NullMarked
package dev.spindle.process.internal;

import org.jspecify.annotations.NullMarked;
