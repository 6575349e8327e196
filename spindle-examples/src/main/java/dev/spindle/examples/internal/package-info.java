/** Helpers shared by the example programs. Not API. */
package dev.spindle.examples.internal;
