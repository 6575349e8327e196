/** The CPU-scaling workload of Scaling Python ch. 2. */
package dev.spindle.examples.scaling;
