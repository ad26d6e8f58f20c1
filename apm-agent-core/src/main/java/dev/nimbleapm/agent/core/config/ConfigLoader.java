package dev.nimbleapm.agent.core.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Resolves every option from the sources in precedence order: the first source that sets an option wins. A value
 * that does not parse is reported in one warning naming the option, the source and the value, and the option falls
 * back to its default: the application always starts. Keys that no option knows are reported once each.
 */
public final class ConfigLoader {

    static final Object NOT_RESOLVED = new Object();
    private static final AgentLogger logger = AgentLogger.getLogger(ConfigLoader.class);

    private ConfigLoader() {
    }

    /** All options: the core's and those contributed through {@link ConfigOptionProvider} on the class path. */
    public static List<ConfigOption<?>> discoverOptions(ClassLoader loader) {
        List<ConfigOption<?>> all = new java.util.ArrayList<ConfigOption<?>>(new CoreOptions().options());
        try {
            for (ConfigOptionProvider provider : ServiceLoader.load(ConfigOptionProvider.class, loader)) {
                if (!(provider instanceof CoreOptions)) {
                    all.addAll(provider.options());
                }
            }
        } catch (Throwable t) {
            logger.warn("Could not load configuration options of a plugin: {}", t);
        }
        return all;
    }

    public static AgentConfig load(List<ConfigOption<?>> extraOptions, List<ConfigSource> sources) {
        Map<String, ConfigOption<?>> byKey = new LinkedHashMap<String, ConfigOption<?>>();
        for (ConfigOption<?> option : new CoreOptions().options()) {
            byKey.put(option.key(), option);
        }
        for (ConfigOption<?> option : extraOptions) {
            byKey.put(option.key(), option);
        }
        Object[] values = new Object[ConfigOption.count()];
        Arrays.fill(values, NOT_RESOLVED);
        Map<String, String> origins = new LinkedHashMap<String, String>();
        for (ConfigOption<?> option : byKey.values()) {
            values[option.id()] = resolve(option, sources, origins);
        }
        for (ConfigSource source : sources) {
            for (String key : source.keys()) {
                if (!byKey.containsKey(key)) {
                    logger.warnOnce("unknown-option:" + key, "Unknown or unsupported configuration option '{}' "
                        + "set by {}; ignored", key, source.describe(key));
                }
            }
        }
        return new AgentConfig(byKey, values, origins);
    }

    /**
     * Re-resolves the dynamic options after the configuration file changed and applies those whose value changed;
     * a change to a static option is reported as needing a restart. Returns the number of options changed.
     */
    public static int reload(AgentConfig config, List<ConfigSource> sources) {
        int changed = 0;
        for (ConfigOption<?> option : config.options().values()) {
            changed += reload(config, option, sources) ? 1 : 0;
        }
        return changed;
    }

    private static <T> boolean reload(AgentConfig config, ConfigOption<T> option, List<ConfigSource> sources) {
        Map<String, String> origins = new LinkedHashMap<String, String>();
        @SuppressWarnings("unchecked")
        T value = (T) resolve(option, sources, origins);
        T current = config.get(option);
        if (value == null ? current == null : value.equals(current)) {
            return false;
        }
        if (!option.isDynamic()) {
            logger.warnOnce("restart:" + option.key(), "Configuration option '{}' changed, but takes effect only after "
                + "a restart", option.key());
            return false;
        }
        String origin = origins.containsKey(option.key()) ? origins.get(option.key()) : "default";
        config.update(option, value, origin);
        logger.info("Configuration option '{}' is now '{}' ({})", option.key(), printable(option,
            value == null ? "" : option.parser().format(value)), origin);
        return true;
    }

    private static <T> Object resolve(ConfigOption<T> option, List<ConfigSource> sources, Map<String, String> origins) {
        for (ConfigSource source : sources) {
            String raw = source.get(option.key());
            if (raw == null) {
                continue;
            }
            try {
                T value = option.parser().parse(raw);
                origins.put(option.key(), source.describe(option.key()));
                return value;
            } catch (RuntimeException e) {
                logger.warn("Invalid value '{}' for configuration option '{}' ({}): {}; using the default '{}'",
                    printable(option, raw), option.key(), source.describe(option.key()),
                    printable(option, String.valueOf(e.getMessage())), option.formatDefault());
                return option.defaultValue();
            }
        }
        return option.defaultValue();
    }

    /**
     * Secrets never reach the log, not even when they are malformed: tokens are hidden, and so are credentials in
     * URLs ({@code http://user:password@host}).
     */
    private static String printable(ConfigOption<?> option, String raw) {
        if (option == CoreOptions.SECRET_TOKEN || option == CoreOptions.API_KEY) {
            return "<redacted>";
        }
        String safe = option.parser() == ValueParsers.URL_LIST ? ValueParsers.redactUserInfo(raw) : raw;
        return safe.length() > 200 ? safe.substring(0, 200) + "..." : safe;
    }
}
