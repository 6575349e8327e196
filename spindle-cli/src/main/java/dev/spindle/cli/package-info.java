/** The {@code ./spindle} command line (picocli): the entry point and the options shared by its subcommands. */
@NullMarked
package dev.spindle.cli;

import org.jspecify.annotations.NullMarked;
