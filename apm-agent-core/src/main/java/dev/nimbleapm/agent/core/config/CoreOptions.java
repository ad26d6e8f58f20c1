package dev.nimbleapm.agent.core.config;

import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.nimbleapm.agent.core.logging.LogLevel;

/** The options of the agent core, with the official agent's names and defaults. */
public final class CoreOptions implements ConfigOptionProvider {

    public static final ConfigOption<List<URL>> SERVER_URL = ConfigOption.of("server_url", ValueParsers.URL_LIST,
        defaultServerUrl(), "URL of the APM Server. Several comma-separated URLs are tried in turn (failover).");
    public static final ConfigOption<List<URL>> SERVER_URLS = ConfigOption.of("server_urls", ValueParsers.URL_LIST,
        null, "Deprecated alias of server_url accepting a list; used when set.");
    public static final ConfigOption<String> SERVICE_NAME = ConfigOption.of("service_name", ValueParsers.STRING, null,
        "Service name; detected from the main class or jar when unset. Characters other than a-z, A-Z, 0-9, '_', "
            + "'-' and space are replaced by '-'.");
    public static final ConfigOption<String> SERVICE_VERSION = ConfigOption.of("service_version",
        ValueParsers.STRING, null, "Service version; read from the main jar's Implementation-Version when unset.");
    public static final ConfigOption<String> SERVICE_NODE_NAME = ConfigOption.of("service_node_name",
        ValueParsers.STRING, null, "Name of this service instance.");
    public static final ConfigOption<String> ENVIRONMENT = ConfigOption.of("environment", ValueParsers.STRING, null,
        "Environment name, e.g. production.");
    public static final ConfigOption<String> SECRET_TOKEN = ConfigOption.of("secret_token", ValueParsers.STRING, null,
        "Secret token sent as 'Authorization: Bearer'. Never logged.");
    public static final ConfigOption<String> API_KEY = ConfigOption.of("api_key", ValueParsers.STRING, null,
        "API key sent as 'Authorization: ApiKey'; takes precedence over secret_token. Never logged.");
    public static final ConfigOption<Boolean> VERIFY_SERVER_CERT = ConfigOption.of("verify_server_cert",
        ValueParsers.BOOLEAN, Boolean.TRUE, "Verify the APM Server's TLS certificate.");
    public static final ConfigOption<String> SERVER_CA_CERT_FILE = ConfigOption.of("server_ca_cert_file",
        ValueParsers.STRING, null, "PEM file with the CA or certificate to trust for the APM Server.");
    public static final ConfigOption<Boolean> ENABLED = ConfigOption.of("enabled", ValueParsers.BOOLEAN, Boolean.TRUE,
        "false: the agent installs nothing and records nothing.");
    public static final ConfigOption<Boolean> RECORDING = ConfigOption.dynamic("recording", ValueParsers.BOOLEAN,
        Boolean.TRUE, "false: instrumentation stays but nothing is recorded or sent.");
    public static final ConfigOption<Double> TRANSACTION_SAMPLE_RATE = ConfigOption.dynamic("transaction_sample_rate",
        ValueParsers.SAMPLE_RATE, 1.0, "Share of transactions recorded in full (0 to 1, 4 decimals).");
    public static final ConfigOption<Integer> TRANSACTION_MAX_SPANS = ConfigOption.dynamic("transaction_max_spans",
        ValueParsers.integer(0, Integer.MAX_VALUE), 500, "Spans recorded per transaction; the rest are counted as "
            + "dropped.");
    public static final ConfigOption<List<String>> DISABLE_INSTRUMENTATIONS = ConfigOption.of(
        "disable_instrumentations", ValueParsers.STRING_LIST, Collections.<String>emptyList(),
        "Instrumentation groups to switch off, e.g. elasticsearch-restclient.");
    public static final ConfigOption<List<String>> ENABLE_INSTRUMENTATIONS = ConfigOption.of(
        "enable_instrumentations", ValueParsers.STRING_LIST, Collections.<String>emptyList(),
        "When not empty, only these instrumentation groups are on.");
    public static final ConfigOption<Integer> MAX_QUEUE_SIZE = ConfigOption.of("max_queue_size",
        ValueParsers.integer(1, 1 << 20), 512, "Events buffered for the reporter; when full, new events are dropped "
            + "and counted.");
    public static final ConfigOption<Long> API_REQUEST_TIME = ConfigOption.of("api_request_time",
        ValueParsers.duration("s", 1), 10000L, "Maximum time one intake request stays open.");
    public static final ConfigOption<Long> API_REQUEST_SIZE = ConfigOption.of("api_request_size",
        ValueParsers.BYTE_SIZE, 768L * 1024L, "Maximum compressed bytes sent in one intake request.");
    public static final ConfigOption<Long> SERVER_TIMEOUT = ConfigOption.of("server_timeout",
        ValueParsers.duration("s", 0), 5000L, "Connect and read timeout towards the APM Server (0: none).");
    public static final ConfigOption<LogLevel> LOG_LEVEL = ConfigOption.dynamic("log_level", ValueParsers.LOG_LEVEL,
        LogLevel.INFO, "Agent log level: TRACE, DEBUG, INFO, WARN, ERROR, OFF.");
    public static final ConfigOption<String> LOG_FILE = ConfigOption.of("log_file", ValueParsers.STRING, "System.err",
        "Agent log destination: System.err, System.out or a file path.");
    public static final ConfigOption<Integer> LONG_FIELD_MAX_LENGTH = ConfigOption.of("long_field_max_length",
        ValueParsers.integer(1, 1 << 24), 10000, "Maximum length of long text fields such as db.statement.");
    public static final ConfigOption<String> HOSTNAME = ConfigOption.of("hostname", ValueParsers.STRING, null,
        "Host name reported; detected when unset.");
    public static final ConfigOption<Map<String, String>> GLOBAL_LABELS = ConfigOption.of("global_labels",
        ValueParsers.KEY_VALUE_MAP, Collections.<String, String>emptyMap(), "Labels added to every event, "
            + "key=value,key2=value2.");
    public static final ConfigOption<String> CONFIG_FILE = ConfigOption.of("config_file", ValueParsers.STRING,
        "_AGENT_HOME_/elasticapm.properties", "Properties file with configuration; highest precedence.");
    public static final ConfigOption<String> PLUGINS_DIR = ConfigOption.of("plugins_dir", ValueParsers.STRING, null,
        "Directory with external plugin jars.");
    public static final ConfigOption<Long> SHUTDOWN_FLUSH_TIMEOUT = ConfigOption.of("shutdown_flush_timeout",
        ValueParsers.duration("ms", 0), 1000L, "How long JVM exit may wait to deliver recorded events (not in the "
            + "official agent).");

    @Override
    public List<ConfigOption<?>> options() {
        return Arrays.<ConfigOption<?>>asList(SERVER_URL, SERVER_URLS, SERVICE_NAME, SERVICE_VERSION,
            SERVICE_NODE_NAME, ENVIRONMENT, SECRET_TOKEN, API_KEY, VERIFY_SERVER_CERT, SERVER_CA_CERT_FILE, ENABLED,
            RECORDING, TRANSACTION_SAMPLE_RATE, TRANSACTION_MAX_SPANS, DISABLE_INSTRUMENTATIONS,
            ENABLE_INSTRUMENTATIONS, MAX_QUEUE_SIZE, API_REQUEST_TIME, API_REQUEST_SIZE, SERVER_TIMEOUT, LOG_LEVEL,
            LOG_FILE, LONG_FIELD_MAX_LENGTH, HOSTNAME, GLOBAL_LABELS, CONFIG_FILE, PLUGINS_DIR,
            SHUTDOWN_FLUSH_TIMEOUT);
    }

    private static List<URL> defaultServerUrl() {
        try {
            return Collections.singletonList(new URL("http://127.0.0.1:8200"));
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
