/** {@code ./spindle lock}: run a command under a fenced lock (spindle-coordination). */
package dev.spindle.cli.coordination;
