/** Queue workers run as a supervised service. */
@NullMarked
package dev.spindle.supervisor.queue;

import org.jspecify.annotations.NullMarked;
