/** Implementation of the thumbnail maker. Not API. */
@NullMarked
package dev.spindle.thumbnails.internal;

import org.jspecify.annotations.NullMarked;
