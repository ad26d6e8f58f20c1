package dev.nimbleapm.agent.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resolved value of every option. Reads are a volatile array load, cheap enough for the application's thread;
 * dynamic options can be changed at run time by {@link #update}.
 */
public final class AgentConfig {

    private final Map<String, ConfigOption<?>> options;
    private final Map<String, String> origins;
    private volatile Object[] values;

    AgentConfig(Map<String, ConfigOption<?>> options, Object[] values, Map<String, String> origins) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<String, ConfigOption<?>>(options));
        this.values = values;
        this.origins = Collections.synchronizedMap(new LinkedHashMap<String, String>(origins));
    }

    /** A configuration where every option has its default, for tests and for {@code enabled=false}. */
    public static AgentConfig defaults() {
        return ConfigLoader.load(java.util.Collections.<ConfigOption<?>>emptyList(),
            java.util.Collections.<ConfigSource>emptyList());
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigOption<T> option) {
        Object[] v = values;
        int id = option.id();
        if (id < v.length && v[id] != ConfigLoader.NOT_RESOLVED) {
            return (T) v[id];
        }
        return option.defaultValue();
    }

    /** Where an option's value came from (e.g. "environment variable ELASTIC_APM_SERVER_URL"), or "default". */
    public String origin(ConfigOption<?> option) {
        String origin = origins.get(option.key());
        return origin == null ? "default" : origin;
    }

    public Map<String, ConfigOption<?>> options() {
        return options;
    }

    /** Changes a dynamic option at run time; returns false (and changes nothing) for a static one. */
    public synchronized <T> boolean update(ConfigOption<T> option, T value, String origin) {
        if (!option.isDynamic()) {
            return false;
        }
        Object[] copy = values.clone();
        if (option.id() >= copy.length) {
            Object[] grown = new Object[ConfigOption.count()];
            java.util.Arrays.fill(grown, ConfigLoader.NOT_RESOLVED);
            System.arraycopy(copy, 0, grown, 0, copy.length);
            copy = grown;
        }
        copy[option.id()] = value;
        values = copy;
        origins.put(option.key(), origin);
        return true;
    }
}
