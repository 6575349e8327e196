/**
 * The services of the text's Cotyledon examples, run by {@code spindle services}: a printer
 * ({@code Doing stuff} every second) and a producer/consumer pair sharing a cross-process queue.
 */
@NullMarked
package dev.spindle.supervisor.examples;

import org.jspecify.annotations.NullMarked;
