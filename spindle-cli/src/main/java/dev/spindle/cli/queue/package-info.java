/**
 * The {@code ./spindle} subcommands of the durable queue: {@code enqueue}, {@code worker},
 * {@code status}, {@code jobs}, {@code schedules} and {@code demo}. The queue itself lives in
 * {@code spindle-queue} (default store: {@code spindle-store-sqlite}); these classes parse options
 * and print.
 */
@NullMarked
package dev.spindle.cli.queue;

import org.jspecify.annotations.NullMarked;
