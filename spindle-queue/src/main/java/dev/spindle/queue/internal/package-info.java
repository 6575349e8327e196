/** Implementation of the queue client and worker. Not API. */
@NullMarked
package dev.spindle.queue.internal;

import org.jspecify.annotations.NullMarked;
