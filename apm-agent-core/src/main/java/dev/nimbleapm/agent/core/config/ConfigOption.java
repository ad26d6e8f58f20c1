package dev.nimbleapm.agent.core.config;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One named configuration option: key, type, default, and whether it may change at run time. Instances are
 * constants ({@code static final}); each gets a dense id so that {@link AgentConfig} can hold values in an array
 * and a read on the application's thread is one array load.
 */
public final class ConfigOption<T> {

    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final int id;
    private final String key;
    private final ValueParser<T> parser;
    private final T defaultValue;
    private final boolean dynamic;
    private final String description;

    private ConfigOption(String key, ValueParser<T> parser, T defaultValue, boolean dynamic, String description) {
        this.id = NEXT_ID.getAndIncrement();
        this.key = key;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.dynamic = dynamic;
        this.description = description;
    }

    public static <T> ConfigOption<T> of(String key, ValueParser<T> parser, T defaultValue, String description) {
        return new ConfigOption<T>(key, parser, defaultValue, false, description);
    }

    public static <T> ConfigOption<T> dynamic(String key, ValueParser<T> parser, T defaultValue,
                                              String description) {
        return new ConfigOption<T>(key, parser, defaultValue, true, description);
    }

    static int count() {
        return NEXT_ID.get();
    }

    int id() {
        return id;
    }

    public String key() {
        return key;
    }

    public ValueParser<T> parser() {
        return parser;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean isDynamic() {
        return dynamic;
    }

    public String description() {
        return description;
    }

    public String formatDefault() {
        return defaultValue == null ? "" : parser.format(defaultValue);
    }

    @Override
    public String toString() {
        return key;
    }
}
