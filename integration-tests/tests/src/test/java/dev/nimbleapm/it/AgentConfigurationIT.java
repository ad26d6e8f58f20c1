package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.RunningJvm;

/** How users configure and extend the agent, on a real child JVM with the built agent jar. */
class AgentConfigurationIT extends IntakeServerPerTest {

    private static final String APP = "dev.nimbleapm.it.apps.ConfiguredApp";

    @TempDir
    Path temp;

    private ChildJvm app(String name) {
        return ChildJvm.builder()
            .name(name)
            .javaAgent(ItEnvironment.agentJar(), null)
            .systemProperty("elastic.apm.server_url", apm.url())
            .classpath(ItEnvironment.jars("apps/api").toArray(new Path[0]))
            .mainClass(APP);
    }

    private static RunningJvm finished(ChildJvm jvm) {
        RunningJvm run = jvm.start();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("reserved=true");
        return run;
    }

    private static List<String> agentWarnings(RunningJvm run) {
        return run.stderr().lines().filter(l -> l.contains("[nimble-apm] WARN")).toList();
    }

    @Test
    void aThirdPartyPluginFromPluginsDirInstrumentsTheApplication() {
        RunningJvm run = finished(app("plugins-dir")
            .systemProperty("elastic.apm.plugins_dir", ItEnvironment.work().resolve("plugins").toString()));
        apm.awaitCondition(s -> !s.transactions().isEmpty() && !s.spans().isEmpty(), Duration.ofSeconds(20));
        JsonNode tx = apm.transactions().get(0);
        JsonNode span = apm.spans().get(0);
        assertThat(span.get("name").asText()).isEqualTo("Inventory.reserve book-42");
        assertThat(span.get("type").asText()).isEqualTo("app");
        assertThat(span.get("subtype").asText()).isEqualTo("inventory");
        assertThat(span.get("parent_id").asText()).isEqualTo(tx.get("id").asText());
        assertThat(run.stderr()).contains("Loaded 1 instrumentation(s) from external plugin");
        assertThat(agentWarnings(run)).isEmpty();
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void disableInstrumentationsSwitchesAGroupOff() {
        finished(app("disabled-group")
            .systemProperty("elastic.apm.plugins_dir", ItEnvironment.work().resolve("plugins").toString())
            .systemProperty("elastic.apm.disable_instrumentations", "inventory"));
        apm.awaitCondition(s -> !s.transactions().isEmpty(), Duration.ofSeconds(20));
        apm.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
        assertThat(apm.transactions()).hasSize(1);
        assertThat(apm.spans()).isEmpty();
    }

    @Test
    void enabledFalseInstallsNothingAndSendsNothing() {
        RunningJvm run = finished(app("enabled-false").systemProperty("elastic.apm.enabled", "false"));
        assertThat(run.stdout()).as("the API stays a no-op").contains("traceId=" + System.lineSeparator());
        assertThat(run.stderr()).contains("The agent is disabled (enabled=false)");
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(10));
        assertThat(apm.requests()).isEmpty();
    }

    @Test
    void agentArgumentsConfigureTheAgent() {
        ChildJvm jvm = ChildJvm.builder()
            .name("agent-arguments")
            .javaAgent(ItEnvironment.agentJar(), "server_url=" + apm.url() + ";service_name=from-agent-args;"
                + "environment=args")
            .classpath(ItEnvironment.jars("apps/api").toArray(new Path[0]))
            .mainClass(APP);
        finished(jvm);
        apm.awaitCondition(s -> !s.transactions().isEmpty(), Duration.ofSeconds(20));
        assertThat(apm.metadata().get(0).at("/service/name").asText()).isEqualTo("from-agent-args");
        assertThat(apm.metadata().get(0).at("/service/environment").asText()).isEqualTo("args");
    }

    @Test
    void theConfigurationFileBeatsSystemPropertiesAndEnvironment() throws IOException {
        Path file = temp.resolve("custom.properties");
        Files.writeString(file, "service_name=from-file\n");
        finished(app("config-file")
            .systemProperty("elastic.apm.config_file", file.toString())
            .systemProperty("elastic.apm.service_name", "from-sysprop")
            .env("ELASTIC_APM_SERVICE_NAME", "from-env")
            .env("ELASTIC_APM_SERVICE_VERSION", "9.9.9"));
        apm.awaitCondition(s -> !s.transactions().isEmpty(), Duration.ofSeconds(20));
        JsonNode service = apm.metadata().get(0).get("service");
        assertThat(service.get("name").asText()).isEqualTo("from-file");
        assertThat(service.get("version").asText()).isEqualTo("9.9.9");
    }

    @Test
    void malformedConfigurationWarnsOnceEachAndTheApplicationRuns() {
        RunningJvm run = finished(app("malformed-config")
            .systemProperty("elastic.apm.transaction_sample_rate", "2.5")
            .systemProperty("elastic.apm.api_request_size", "lots")
            .systemProperty("elastic.apm.max_queue_size", "-1")
            .systemProperty("elastic.apm.no_such_option", "x")
            .systemProperty("elastic.apm.config_file", temp.resolve("missing.properties").toString()));
        apm.awaitCondition(s -> !s.transactions().isEmpty(), Duration.ofSeconds(20));
        assertThat(apm.transactions().get(0).get("sample_rate").asDouble()).as("the default rate").isEqualTo(1.0);
        List<String> warnings = agentWarnings(run);
        assertThat(warnings).hasSize(5);
        assertThat(String.join("\n", warnings))
            .contains("'2.5' for configuration option 'transaction_sample_rate'")
            .contains("'lots' for configuration option 'api_request_size'")
            .contains("'-1' for configuration option 'max_queue_size'")
            .contains("'no_such_option'")
            .contains("missing.properties");
    }

    @Test
    void serviceNameIsDetectedFromTheMainClass() {
        finished(app("detected-name"));
        apm.awaitCondition(s -> !s.transactions().isEmpty(), Duration.ofSeconds(20));
        assertThat(apm.metadata().get(0).at("/service/name").asText())
            .isEqualTo("dev-nimbleapm-it-apps-ConfiguredApp");
    }
}
