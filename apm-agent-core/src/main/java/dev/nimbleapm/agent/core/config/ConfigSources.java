package dev.nimbleapm.agent.core.config;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Assembles the configuration sources in the official agent's precedence, highest first:
 * the properties file ({@code config_file}, by default {@code elasticapm.properties} next to the agent jar),
 * {@code -Delastic.apm.*} system properties, {@code ELASTIC_APM_*} environment variables, agent arguments or
 * attach parameters, and finally an {@code elasticapm.properties} found on the class path when self-attaching.
 */
public final class ConfigSources {

    private static final AgentLogger logger = AgentLogger.getLogger(ConfigSources.class);
    public static final String AGENT_HOME_PLACEHOLDER = "_AGENT_HOME_";

    private ConfigSources() {
    }

    public static List<ConfigSource> standard(Properties systemProperties, Map<String, String> environment,
                                              ConfigSource agentArguments, File agentHome,
                                              ConfigSource classpathProperties) {
        ConfigSource sysProps = PrefixedConfigSource.systemProperties(systemProperties);
        ConfigSource env = PrefixedConfigSource.environment(environment);
        List<ConfigSource> lower = new ArrayList<ConfigSource>();
        lower.add(sysProps);
        lower.add(env);
        if (agentArguments != null) {
            lower.add(agentArguments);
        }
        if (classpathProperties != null) {
            lower.add(classpathProperties);
        }
        List<ConfigSource> sources = new ArrayList<ConfigSource>();
        ConfigSource file = configFile(lower, agentHome);
        if (file != null) {
            sources.add(file);
        }
        sources.addAll(lower);
        return sources;
    }

    private static ConfigSource configFile(List<ConfigSource> lower, File agentHome) {
        String explicit = null;
        for (ConfigSource source : lower) {
            explicit = source.get(CoreOptions.CONFIG_FILE.key());
            if (explicit != null) {
                break;
            }
        }
        String path = explicit != null ? explicit.trim() : CoreOptions.CONFIG_FILE.defaultValue();
        if (path.contains(AGENT_HOME_PLACEHOLDER)) {
            if (agentHome == null) {
                return null;
            }
            path = path.replace(AGENT_HOME_PLACEHOLDER, agentHome.getAbsolutePath());
        }
        File file = new File(path);
        if (!file.isFile()) {
            if (explicit != null) {
                logger.warn("Configuration file '{}' (config_file) does not exist or is not a file; ignored", path);
            }
            return null;
        }
        return new ConfigFileSource(file);
    }

    public static MapConfigSource fromPropertiesFile(File file) throws IOException {
        InputStream in = new FileInputStream(file);
        try {
            return fromProperties("configuration file " + file.getPath(), in);
        } finally {
            in.close();
        }
    }

    public static MapConfigSource fromProperties(String name, InputStream in) throws IOException {
        Properties properties = new Properties();
        Reader reader = new InputStreamReader(in, Charset.forName("UTF-8"));
        properties.load(reader);
        Map<String, String> map = new LinkedHashMap<String, String>();
        List<String> names = new ArrayList<String>(properties.stringPropertyNames());
        Collections.sort(names);
        for (String key : names) {
            map.put(key.trim(), properties.getProperty(key));
        }
        return new MapConfigSource(name, map);
    }
}
