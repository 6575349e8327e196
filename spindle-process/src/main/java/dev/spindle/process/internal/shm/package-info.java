/** Internals of the cross-process primitives: mapped words, private directory, queue server. Not API. */
@NullMarked
package dev.spindle.process.internal.shm;

import org.jspecify.annotations.NullMarked;
