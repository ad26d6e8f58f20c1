package dev.nimbleapm.agent.core.config;

import java.io.File;
import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * The properties file ({@code config_file}, by default {@code elasticapm.properties} next to the agent jar). It is the
 * source of run-time changes: {@link #reloadIfChanged()} re-reads it when its modification time or size changed, so
 * that dynamic options (e.g. {@code recording}, {@code log_level}) can be changed without a restart.
 */
public final class ConfigFileSource implements ConfigSource {

    private static final AgentLogger logger = AgentLogger.getLogger(ConfigFileSource.class);

    private final File file;
    private volatile Map<String, String> values = Collections.emptyMap();
    private long lastModified = -1;
    private long length = -1;

    ConfigFileSource(File file) {
        this.file = file;
        reloadIfChanged();
    }

    public File file() {
        return file;
    }

    /** Re-reads the file if it changed since the last read; true when it did. */
    public synchronized boolean reloadIfChanged() {
        long modified = file.lastModified();
        long size = file.length();
        if (modified == lastModified && size == length) {
            return false;
        }
        lastModified = modified;
        length = size;
        if (!file.isFile()) {
            values = Collections.emptyMap();
            return true;
        }
        try {
            MapConfigSource parsed = ConfigSources.fromPropertiesFile(file);
            java.util.LinkedHashMap<String, String> copy = new java.util.LinkedHashMap<String, String>();
            for (String key : parsed.keys()) {
                copy.put(key, parsed.get(key));
            }
            values = copy;
        } catch (IOException e) {
            logger.warn("Configuration file '{}' (config_file) cannot be read ({}); ignored", file, e.getMessage());
            values = Collections.emptyMap();
        }
        return true;
    }

    @Override
    public String describe(String key) {
        return "configuration file " + file.getPath();
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
