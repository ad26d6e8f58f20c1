package dev.nimbleapm.agent.core.config;

import java.util.List;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Applies changes of the configuration file while the application runs: dynamic options (recording, sample rate,
 * log level, ...) take effect at once, static ones are reported as needing a restart. {@link #run()} is cheap (a file
 * status check) and is called periodically by the reporter thread.
 */
public final class ConfigReloader implements Runnable {

    private static final AgentLogger logger = AgentLogger.getLogger(ConfigReloader.class);

    private final AgentConfig config;
    private final List<ConfigSource> sources;
    private final ConfigFileSource file;

    private ConfigReloader(AgentConfig config, List<ConfigSource> sources, ConfigFileSource file) {
        this.config = config;
        this.sources = sources;
        this.file = file;
    }

    /** A reloader for these sources, or null when they contain no configuration file. */
    public static ConfigReloader forSources(AgentConfig config, List<ConfigSource> sources) {
        for (ConfigSource source : sources) {
            if (source instanceof ConfigFileSource) {
                return new ConfigReloader(config, sources, (ConfigFileSource) source);
            }
        }
        return null;
    }

    @Override
    public void run() {
        try {
            if (file.reloadIfChanged()) {
                int changed = ConfigLoader.reload(config, sources);
                if (changed > 0 && config.get(CoreOptions.LOG_LEVEL) != dev.nimbleapm.agent.core.logging.AgentLogger
                    .level()) {
                    AgentLogger.configure(config.get(CoreOptions.LOG_LEVEL), config.get(CoreOptions.LOG_FILE));
                }
            }
        } catch (Throwable t) {
            logger.warnOnce("config-reload", "Could not reload the configuration file {}: {}", file.file(), t);
        }
    }
}
