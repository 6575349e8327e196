/** The CPU-scaling workload of Scaling Python ch. 2. */
@NullMarked
package dev.spindle.examples.scaling;

import org.jspecify.annotations.NullMarked;
