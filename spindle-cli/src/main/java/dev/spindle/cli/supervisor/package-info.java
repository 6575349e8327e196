/** {@code ./spindle services} (a master running supervised services) and {@code ./spindle ctl} (its control client). */
package dev.spindle.cli.supervisor;
