/**
 * Files private to the user running Spindle: {@link dev.spindle.files.PrivateFiles} creates files
 * 0600 and directories 0700 and checks that a store, key or users file and its directory cannot be
 * read or changed by other users.
 */
@NullMarked
package dev.spindle.files;

import org.jspecify.annotations.NullMarked;
