/** Fluent Python's spinner on threads, processes and a cooperative scheduler. */
@NullMarked
package dev.spindle.examples.spinner;

import org.jspecify.annotations.NullMarked;
