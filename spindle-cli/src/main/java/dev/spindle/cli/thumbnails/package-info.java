/** The {@code ./spindle thumbnails} subcommands; the service itself lives in {@code spindle-thumbnails}. */
@NullMarked
package dev.spindle.cli.thumbnails;

import org.jspecify.annotations.NullMarked;
