/**
 * The programs of the texts (Fluent Python ch. 19, the Python concurrency course, Scaling Python
 * ch. 1-2) written against Spindle's task API: the spinner, the prime checker and its worker-count
 * sweep, producer/consumer queues with poison pills, the BankAccount race and the CPU-scaling
 * workload. Each is also a {@code ./spindle} subcommand; see {@code docs/EXAMPLES.md}.
 */
@NullMarked
package dev.spindle.examples;

import org.jspecify.annotations.NullMarked;
