package dev.nimbleapm.agent.core.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Configuration given as a map: agent arguments, attach parameters, a parsed properties file, tests. */
public class MapConfigSource implements ConfigSource {

    private final String name;
    private final Map<String, String> values;

    public MapConfigSource(String name, Map<String, String> values) {
        this.name = name;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<String, String>(values));
    }

    /**
     * Parses agent arguments ({@code -javaagent:agent.jar=key=value;key2=value2}). Both {@code ;} and {@code ,}
     * may not be used as separators because list values contain commas, so only {@code ;} separates entries.
     */
    public static MapConfigSource fromAgentArguments(String arguments) {
        Map<String, String> map = new LinkedHashMap<String, String>();
        if (arguments != null) {
            for (String entry : arguments.split(";")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    map.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
                }
            }
        }
        return new MapConfigSource("agent arguments", map);
    }

    @Override
    public String describe(String key) {
        return name + " '" + key + "'";
    }

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public Collection<String> keys() {
        return values.keySet();
    }
}
