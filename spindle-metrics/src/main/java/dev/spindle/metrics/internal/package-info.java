/** Implementation of the metrics and tracing module: not API, may change without notice. */
@NullMarked
package dev.spindle.metrics.internal;

import org.jspecify.annotations.NullMarked;
