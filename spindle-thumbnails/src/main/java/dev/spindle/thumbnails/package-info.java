/** The thumbnail-maker service of the concurrency course: download, resize and bookkeeping on any execution model. */
@NullMarked
package dev.spindle.thumbnails;

import org.jspecify.annotations.NullMarked;
