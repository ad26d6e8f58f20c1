package dev.nimbleapm.agent.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * System properties ({@code elastic.apm.server_url}) and environment variables ({@code ELASTIC_APM_SERVER_URL}):
 * the same canonical key under a prefix. Read live, so that system properties set by the application before the
 * agent starts (self-attach) are seen.
 */
public final class PrefixedConfigSource implements ConfigSource {

    private final String kind;
    private final String prefix;
    private final boolean upperCase;
    private final Map<String, String> environment;
    private final Properties properties;

    private PrefixedConfigSource(String kind, String prefix, boolean upperCase, Map<String, String> environment,
                                 Properties properties) {
        this.kind = kind;
        this.prefix = prefix;
        this.upperCase = upperCase;
        this.environment = environment;
        this.properties = properties;
    }

    public static PrefixedConfigSource systemProperties(Properties properties) {
        return new PrefixedConfigSource("system property", "elastic.apm.", false, null, properties);
    }

    public static PrefixedConfigSource environment(Map<String, String> environment) {
        return new PrefixedConfigSource("environment variable", "ELASTIC_APM_", true, environment, null);
    }

    private String externalName(String key) {
        return prefix + (upperCase ? key.toUpperCase(Locale.ROOT) : key);
    }

    @Override
    public String describe(String key) {
        return kind + " " + externalName(key);
    }

    @Override
    public String get(String key) {
        String name = externalName(key);
        return environment != null ? environment.get(name) : properties.getProperty(name);
    }

    @Override
    public Collection<String> keys() {
        List<String> keys = new ArrayList<String>();
        Iterable<?> names = environment != null ? environment.keySet() : properties.stringPropertyNames();
        for (Object n : names) {
            String name = String.valueOf(n);
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                String key = name.substring(prefix.length());
                keys.add(upperCase ? key.toLowerCase(Locale.ROOT) : key);
            }
        }
        return keys;
    }
}
