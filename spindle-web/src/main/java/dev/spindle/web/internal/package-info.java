/** The dashboard's implementation: authentication, routes, pages, live updates. Not API. */
@NullMarked
package dev.spindle.web.internal;

import org.jspecify.annotations.NullMarked;
