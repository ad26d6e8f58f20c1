package dev.nimbleapm.agent.core.config;

import java.util.Collection;

/**
 * One place configuration can come from (system properties, environment, a properties file, agent arguments).
 * Keys are the canonical option names ({@code server_url}); each source maps its own naming convention.
 */
public interface ConfigSource {

    /** Human-readable name used in warnings, e.g. {@code "environment variable ELASTIC_APM_SERVER_URL"}. */
    String describe(String key);

    /** The raw value for a canonical key, or {@code null} when this source does not set it. */
    String get(String key);

    /** The canonical keys this source sets, so that unknown ones can be reported. */
    Collection<String> keys();
}
