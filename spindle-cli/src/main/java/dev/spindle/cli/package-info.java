/** The {@code ./spindle} command line (picocli): the entry point and the options shared by its subcommands. */
package dev.spindle.cli;
