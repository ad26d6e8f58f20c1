package dev.nimbleapm.agent.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.logging.LogLevel;

class ConfigLoaderTest {

    @TempDir
    Path agentHome;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureAgentLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(log, true));
        AgentLogger.configure(LogLevel.INFO, "System.err");
        AgentLogger.resetOnceKeys();
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        AgentLogger.configure(LogLevel.INFO, "System.err");
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private AgentConfig load(Properties sysProps, Map<String, String> env, String agentArgs) {
        List<ConfigSource> sources = ConfigSources.standard(sysProps, env,
            agentArgs == null ? null : MapConfigSource.fromAgentArguments(agentArgs), agentHome.toFile(), null);
        return ConfigLoader.load(Collections.emptyList(), sources);
    }

    @Test
    void defaultsMatchTheOfficialAgent() {
        AgentConfig config = load(new Properties(), Map.of(), null);
        assertThat(config.get(CoreOptions.SERVER_URL).get(0).toString()).isEqualTo("http://127.0.0.1:8200");
        assertThat(config.get(CoreOptions.TRANSACTION_SAMPLE_RATE)).isEqualTo(1.0);
        assertThat(config.get(CoreOptions.TRANSACTION_MAX_SPANS)).isEqualTo(500);
        assertThat(config.get(CoreOptions.MAX_QUEUE_SIZE)).isEqualTo(512);
        assertThat(config.get(CoreOptions.API_REQUEST_TIME)).isEqualTo(10_000L);
        assertThat(config.get(CoreOptions.API_REQUEST_SIZE)).isEqualTo(768L * 1024);
        assertThat(config.get(CoreOptions.SERVER_TIMEOUT)).isEqualTo(5_000L);
        assertThat(config.get(CoreOptions.LONG_FIELD_MAX_LENGTH)).isEqualTo(10_000);
        assertThat(config.get(CoreOptions.VERIFY_SERVER_CERT)).isTrue();
        assertThat(config.get(CoreOptions.ENABLED)).isTrue();
        assertThat(config.get(CoreOptions.RECORDING)).isTrue();
        assertThat(config.get(CoreOptions.LOG_LEVEL)).isEqualTo(LogLevel.INFO);
        assertThat(logText()).isEmpty();
    }

    @Test
    void credentialsOfAMalformedServerUrlAreNotPrintedInTheWarning() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.server_url", "http://apm:s3cret-pass@apm-server:notaport");
        sys.setProperty("elastic.apm.server_urls", "http://ok:8200,ftp://user:other-s3cret@apm-server:21");
        AgentConfig config = load(sys, Map.of(), null);
        assertThat(config.get(CoreOptions.SERVER_URL).get(0).toString()).isEqualTo("http://127.0.0.1:8200");
        List<String> warnings = logText().lines().filter(l -> l.contains("WARN")).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("server_url").contains("http://<redacted>@apm-server:notaport");
        assertThat(warnings.get(1)).contains("server_urls").contains("ftp://<redacted>@apm-server:21");
        assertThat(logText()).doesNotContain("s3cret").doesNotContain("apm:").doesNotContain("user:");
    }

    @Test
    void propertiesFileBeatsSystemPropertiesBeatEnvironmentBeatAgentArguments() throws IOException {
        Files.writeString(agentHome.resolve("elasticapm.properties"), "service_name=from-file\n");
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.service_name", "from-sysprop");
        sys.setProperty("elastic.apm.environment", "sys-env");
        Map<String, String> env = Map.of("ELASTIC_APM_SERVICE_NAME", "from-env", "ELASTIC_APM_ENVIRONMENT",
            "env-env", "ELASTIC_APM_SERVICE_VERSION", "1.2.3");
        AgentConfig config = load(sys, env, "service_name=from-args;service_node_name=node-1;service_version=9");

        assertThat(config.get(CoreOptions.SERVICE_NAME)).isEqualTo("from-file");
        assertThat(config.origin(CoreOptions.SERVICE_NAME)).contains("configuration file");
        assertThat(config.get(CoreOptions.ENVIRONMENT)).isEqualTo("sys-env");
        assertThat(config.origin(CoreOptions.ENVIRONMENT)).isEqualTo("system property elastic.apm.environment");
        assertThat(config.get(CoreOptions.SERVICE_VERSION)).isEqualTo("1.2.3");
        assertThat(config.origin(CoreOptions.SERVICE_VERSION))
            .isEqualTo("environment variable ELASTIC_APM_SERVICE_VERSION");
        assertThat(config.get(CoreOptions.SERVICE_NODE_NAME)).isEqualTo("node-1");
    }

    @Test
    void configFileLocationCanBeSetAndAMissingOneIsReported() throws IOException {
        File custom = agentHome.resolve("custom.properties").toFile();
        Files.writeString(custom.toPath(), "environment=staging\n");
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.config_file", custom.getPath());
        assertThat(load(sys, Map.of(), null).get(CoreOptions.ENVIRONMENT)).isEqualTo("staging");

        sys.setProperty("elastic.apm.config_file", agentHome.resolve("missing.properties").toString());
        load(sys, Map.of(), null);
        assertThat(logText()).contains("missing.properties").contains("does not exist");
    }

    @Test
    void invalidValuesWarnOnceEachAndFallBackToDefaults() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.transaction_sample_rate", "2.5");
        sys.setProperty("elastic.apm.api_request_size", "lots");
        sys.setProperty("elastic.apm.server_url", "ftp://nope");
        sys.setProperty("elastic.apm.transaction_max_spans", "-3");
        sys.setProperty("elastic.apm.api_request_time", "10 parsecs");
        AgentConfig config = load(sys, Map.of(), null);

        assertThat(config.get(CoreOptions.TRANSACTION_SAMPLE_RATE)).isEqualTo(1.0);
        assertThat(config.get(CoreOptions.API_REQUEST_SIZE)).isEqualTo(768L * 1024);
        assertThat(config.get(CoreOptions.SERVER_URL).get(0).toString()).isEqualTo("http://127.0.0.1:8200");
        assertThat(config.get(CoreOptions.TRANSACTION_MAX_SPANS)).isEqualTo(500);
        assertThat(config.get(CoreOptions.API_REQUEST_TIME)).isEqualTo(10_000L);
        String text = logText();
        assertThat(text.lines().filter(l -> l.contains("Invalid value"))).hasSize(5);
        assertThat(text).contains("'2.5' for configuration option 'transaction_sample_rate'")
            .contains("'lots' for configuration option 'api_request_size'")
            .contains("'ftp://nope' for configuration option 'server_url'")
            .contains("system property elastic.apm.transaction_sample_rate");
    }

    @Test
    void unknownOptionsAreReportedOnce() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.no_such_option", "x");
        load(sys, Map.of("ELASTIC_APM_ALSO_UNKNOWN", "y"), null);
        String text = logText();
        assertThat(text).contains("'no_such_option'").contains("'also_unknown'");
        assertThat(text.lines().filter(l -> l.contains("no_such_option"))).hasSize(1);
    }

    @Test
    void secretsAreNeverLogged() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.secret_token", "");
        sys.setProperty("elastic.apm.api_key", "s3cr3t-value");
        AgentConfig config = load(sys, Map.of(), null);
        assertThat(config.get(CoreOptions.API_KEY)).isEqualTo("s3cr3t-value");
        assertThat(logText()).doesNotContain("s3cr3t-value");
    }

    @Test
    void parsesDurationsSizesListsAndLabels() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.api_request_time", "500ms");
        sys.setProperty("elastic.apm.server_timeout", "2");
        sys.setProperty("elastic.apm.api_request_size", "1mb");
        sys.setProperty("elastic.apm.server_url", "http://a:8200, https://b:8200/apm");
        sys.setProperty("elastic.apm.global_labels", "team=search, tier=1");
        sys.setProperty("elastic.apm.disable_instrumentations", "elasticsearch-restclient , public-api");
        sys.setProperty("elastic.apm.log_level", "warning");
        AgentConfig config = load(sys, Map.of(), null);
        assertThat(config.get(CoreOptions.API_REQUEST_TIME)).isEqualTo(500L);
        assertThat(config.get(CoreOptions.SERVER_TIMEOUT)).isEqualTo(2000L);
        assertThat(config.get(CoreOptions.API_REQUEST_SIZE)).isEqualTo(1024L * 1024);
        assertThat(config.get(CoreOptions.SERVER_URL)).hasSize(2);
        assertThat(config.get(CoreOptions.GLOBAL_LABELS)).containsEntry("team", "search").containsEntry("tier", "1");
        assertThat(config.get(CoreOptions.DISABLE_INSTRUMENTATIONS))
            .containsExactly("elasticsearch-restclient", "public-api");
        assertThat(config.get(CoreOptions.LOG_LEVEL)).isEqualTo(LogLevel.WARN);
    }

    @Test
    void sampleRateIsRoundedToFourDecimals() {
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.transaction_sample_rate", "0.123456");
        assertThat(load(sys, Map.of(), null).get(CoreOptions.TRANSACTION_SAMPLE_RATE)).isEqualTo(0.1235);
    }

    @Test
    void dynamicOptionsCanChangeAtRunTimeStaticOnesCannot() {
        AgentConfig config = load(new Properties(), Map.of(), null);
        assertThat(config.update(CoreOptions.RECORDING, false, "test")).isTrue();
        assertThat(config.get(CoreOptions.RECORDING)).isFalse();
        assertThat(config.update(CoreOptions.MAX_QUEUE_SIZE, 3, "test")).isFalse();
        assertThat(config.get(CoreOptions.MAX_QUEUE_SIZE)).isEqualTo(512);
    }

    @Test
    void wildcardMatchingIsCaseInsensitiveUnlessAskedOtherwise() {
        WildcardMatcher search = WildcardMatcher.of("*_search");
        assertThat(search.matches("/index/_search")).isTrue();
        assertThat(search.matches("/index/_SEARCH")).isTrue();
        assertThat(search.matches("/index/_search/template")).isFalse();
        assertThat(WildcardMatcher.of("*_msearch/template").matches("/_msearch/template")).isTrue();
        assertThat(WildcardMatcher.of("(?-i)*_Search").matches("/x/_search")).isFalse();
        assertThat(WildcardMatcher.of("/a*b*c").matches("/a-x-b-y-c")).isTrue();
        assertThat(WildcardMatcher.of("/a*b*c").matches("/a-x-c")).isFalse();
        assertThat(WildcardMatcher.of("*").matches("")).isTrue();
        assertThat(WildcardMatcher.of("exact").matches("exact")).isTrue();
        assertThat(WildcardMatcher.of("exact").matches("exactly")).isFalse();
    }
}
