/** Helpers shared by the example programs. Not API. */
@NullMarked
package dev.spindle.examples.internal;

import org.jspecify.annotations.NullMarked;
