package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.MockApmServer;

/** The applications of {@code apps-reliability}, started with the built agent, and what their output tells. */
final class ReliabilityApps {

    static final String LOAD_APP = "dev.nimbleapm.it.apps.reliability.LoadApp";
    static final String CLASS_LOADER_APP = "dev.nimbleapm.it.apps.reliability.ClassLoaderApp";
    static final String BAD_INPUT_APP = "dev.nimbleapm.it.apps.reliability.BadInputApp";
    static final String RECORDING_TOGGLE_APP = "dev.nimbleapm.it.apps.reliability.RecordingToggleApp";
    static final String CLIENT = "rest-7.17.10";
    /** What the agent logs at DEBUG at exit when no pooled object leaked or was misused and no advice failed. */
    static final String HEALTHY_EXIT = "in use: 0 transactions, 0 spans, 0 errors; pool violations: 0; "
        + "advice errors: 0";

    private ReliabilityApps() {
    }

    /** An app with the agent (log level DEBUG) reporting to {@code apm}, with the 7.17.10 client on the class path. */
    static ChildJvm withClient(String name, String mainClass, MockApmServer apm) {
        List<Path> classpath = new ArrayList<>(ItEnvironment.jars("apps/reliability"));
        classpath.addAll(ItEnvironment.clientClasspath(CLIENT));
        return withClasspath(name, mainClass, apm, classpath);
    }

    /** An app with the agent (log level DEBUG) reporting to {@code apm}, with only the app's own jars. */
    static ChildJvm withoutClient(String name, String mainClass, MockApmServer apm) {
        return withClasspath(name, mainClass, apm, ItEnvironment.jars("apps/reliability"));
    }

    private static ChildJvm withClasspath(String name, String mainClass, MockApmServer apm, List<Path> classpath) {
        return ChildJvm.builder()
            .name(name)
            .javaAgent(ItEnvironment.agentJar(), null)
            .systemProperty("elastic.apm.server_url", apm.url())
            .systemProperty("elastic.apm.service_name", name)
            .systemProperty("elastic.apm.log_level", "debug")
            .classpath(classpath.toArray(new Path[0]))
            .mainClass(mainClass);
    }

    /** The {@code key=value} pairs of the first stdout line starting with {@code prefix}. */
    static Map<String, String> line(String stdout, String prefix) {
        String line = stdout.lines().filter(l -> l.startsWith(prefix)).findFirst()
            .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in\n" + stdout));
        Map<String, String> values = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(line);
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        return values;
    }

    /** The agent's exit line (statistics and pool health). */
    static String exitLine(String stderr) {
        return stderr.lines().filter(l -> l.contains("At exit after")).findFirst()
            .orElseThrow(() -> new AssertionError("no exit line in\n" + stderr));
    }

    static void assertHealthyExit(String stderr) {
        assertThat(exitLine(stderr)).contains(HEALTHY_EXIT);
    }

    static List<String> agentWarnings(String stderr) {
        return stderr.lines().filter(l -> l.contains("[nimble-apm] WARN") || l.contains("[nimble-apm] ERROR"))
            .toList();
    }

    /** The Elasticsearch spans whose transaction is {@code transaction}. */
    static List<JsonNode> esSpansOf(MockApmServer apm, JsonNode transaction) {
        String id = transaction.get("id").asText();
        return apm.spans().stream().filter(s -> s.get("transaction_id").asText().equals(id))
            .filter(s -> "elasticsearch".equals(s.path("subtype").asText())).toList();
    }
}
