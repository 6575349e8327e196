/** The thumbnail-maker service of the concurrency course: download, resize and bookkeeping on any execution model. */
package dev.spindle.thumbnails;
