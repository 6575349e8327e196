/** {@code ./spindle lock}: run a command under a fenced lock (spindle-coordination). */
@NullMarked
package dev.spindle.cli.coordination;

import org.jspecify.annotations.NullMarked;
