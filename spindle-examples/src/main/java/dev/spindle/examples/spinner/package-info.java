/** Fluent Python's spinner on threads, processes and a cooperative scheduler. */
package dev.spindle.examples.spinner;
