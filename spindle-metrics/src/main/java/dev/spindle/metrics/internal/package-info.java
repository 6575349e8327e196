/** Implementation of the metrics and tracing module: not API, may change without notice. */
package dev.spindle.metrics.internal;
