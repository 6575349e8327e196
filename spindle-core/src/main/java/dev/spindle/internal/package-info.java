/**
 * Internal: what Spindle's modules share below their APIs (direct Linux system calls). Not API;
 * may change in any release.
 */
@NullMarked
package dev.spindle.internal;

import org.jspecify.annotations.NullMarked;
