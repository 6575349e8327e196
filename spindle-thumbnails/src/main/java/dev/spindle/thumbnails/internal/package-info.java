/** Implementation of the thumbnail maker. Not API. */
package dev.spindle.thumbnails.internal;
