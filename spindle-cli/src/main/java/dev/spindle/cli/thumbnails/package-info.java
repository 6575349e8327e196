/** The {@code ./spindle thumbnails} subcommands; the service itself lives in {@code spindle-thumbnails}. */
package dev.spindle.cli.thumbnails;
