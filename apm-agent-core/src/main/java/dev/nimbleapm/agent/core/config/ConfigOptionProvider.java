package dev.nimbleapm.agent.core.config;

import java.util.List;

/**
 * Lets a module contribute its options (plugins have their own, e.g. the Elasticsearch body capture URLs) so that
 * every option is resolved, validated and documented in one place. Found through {@code ServiceLoader}.
 */
public interface ConfigOptionProvider {

    List<ConfigOption<?>> options();
}
