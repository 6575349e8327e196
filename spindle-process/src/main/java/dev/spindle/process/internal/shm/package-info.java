/** Internals of the cross-process primitives: mapped words, private directory, queue server. Not API. */
package dev.spindle.process.internal.shm;
