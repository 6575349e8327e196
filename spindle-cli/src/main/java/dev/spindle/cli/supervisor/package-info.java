/** {@code ./spindle services} (a master running supervised services) and {@code ./spindle ctl} (its control client). */
@NullMarked
package dev.spindle.cli.supervisor;

import org.jspecify.annotations.NullMarked;
