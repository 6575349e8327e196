/** Spindle's task API: define a {@link dev.spindle.Task} once and run it on any {@link dev.spindle.ExecutionModel} through {@link dev.spindle.Spindle#executor(dev.spindle.ExecutionModel)}; futures, {@link dev.spindle.Futures} helpers and periodic workers. */
@NullMarked
package dev.spindle;

import org.jspecify.annotations.NullMarked;
