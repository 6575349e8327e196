/** Implementation of the dashboard: routes, authentication, JSON, pages, live events. Not an API. */
package dev.spindle.web.internal;
