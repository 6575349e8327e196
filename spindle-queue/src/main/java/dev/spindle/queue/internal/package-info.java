/** Implementation of the queue client and worker. Not API. */
package dev.spindle.queue.internal;
