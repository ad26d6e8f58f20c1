package dev.nimbleapm.it;

import static dev.nimbleapm.it.ReliabilityApps.CLASS_LOADER_APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.MockApmServer;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Clients in class loaders of their own: one in a throwaway loader is traced, and once dropped the loader is
 * garbage-collected (nothing in the agent keeps it); two versions of different API shapes in two loaders of one
 * JVM are both traced, one span per request.
 */
class ClassLoaderIT extends IntakeServerPerTest {

    private static String jars(String client) {
        return ItEnvironment.clientClasspath(client).stream().map(Path::toString)
            .collect(Collectors.joining(File.pathSeparator));
    }

    private static void assertOneSpan(MockApmServer apm, JsonNode tx, ElasticsearchNode es) {
        List<JsonNode> spans = ReliabilityApps.esSpansOf(apm, tx);
        String name = tx.get("name").asText();
        assertThat(spans).as("Elasticsearch spans of " + name).hasSize(1);
        JsonNode span = spans.get(0);
        assertThat(span.get("name").asText()).isEqualTo("Elasticsearch: GET /");
        assertThat(span.get("parent_id").asText()).isEqualTo(tx.get("id").asText());
        assertThat(span.get("sync").asBoolean()).as("sync of " + name).isEqualTo(name.contains("sync")
            && !name.contains("async"));
        assertThat(span.get("outcome").asText()).isEqualTo("success");
        assertThat(span.at("/context/http/status_code").asInt()).isEqualTo(200);
        assertThat(span.at("/context/destination/port").asInt()).isEqualTo(es.port());
    }

    @Test
    void aClientInAThrowawayClassLoaderIsTracedAndTheLoaderIsCollectedOnceDropped() {
        ElasticsearchNode es = EsNodes.node7();
        RunningJvm run = ReliabilityApps.withoutClient("throwaway-loader", CLASS_LOADER_APP, apm)
            .args("collect", es.httpUrl(), jars("rest-7.17.10"))
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(120))).as(run.describe()).isZero();
        assertThat(run.stdout()).contains("RESULT throwaway-sync 200", "RESULT throwaway-async 200");
        assertThat(run.stdout()).as("no agent state keeps the loader").contains("LOADER collected=true");

        apm.awaitCondition(s -> s.transactions().size() >= 2 && s.spans().size() >= 2, Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
        assertThat(apm.transactions()).extracting(t -> t.get("name").asText())
            .containsExactlyInAnyOrder("throwaway sync", "throwaway async");
        apm.transactions().forEach(tx -> assertOneSpan(apm, tx, es));
        assertThat(apm.schemaViolations()).isEmpty();
        ReliabilityApps.assertHealthyExit(run.stderr());
        assertThat(ReliabilityApps.agentWarnings(run.stderr())).isEmpty();
        System.out.println("[figures] class loader: " + ReliabilityApps.line(run.stdout(), "LOADER "));
    }

    @Test
    void twoClientVersionsInTwoClassLoadersAreBothTracedOneSpanPerRequest() {
        ElasticsearchNode es = EsNodes.node7();
        RunningJvm run = ReliabilityApps.withoutClient("two-loaders", CLASS_LOADER_APP, apm)
            .args("side-by-side", es.httpUrl(), jars("rest-6.3.2"), jars("rest-7.17.10"))
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(120))).as(run.describe()).isZero();
        for (String api : List.of("string-api", "request-api")) {
            for (String kind : List.of("sync", "async")) {
                for (int round = 1; round <= 2; round++) {
                    assertThat(run.stdout()).contains("RESULT " + api + "-" + kind + "-" + round + " 200");
                }
            }
        }

        apm.awaitCondition(s -> s.transactions().size() >= 8 && s.spans().size() >= 8, Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
        assertThat(apm.transactions()).hasSize(8);
        assertThat(apm.spans()).hasSize(8);
        apm.transactions().forEach(tx -> assertOneSpan(apm, tx, es));
        assertThat(apm.schemaViolations()).isEmpty();

        String log = run.stderr();
        String restClient = " instruments org.elasticsearch.client.RestClient";
        assertThat(log).contains("v5_6.LegacyApiInstrumentations$Sync" + restClient)
            .contains("v6_4.RequestApiInstrumentations$Sync" + restClient);
        ReliabilityApps.assertHealthyExit(log);
        assertThat(ReliabilityApps.agentWarnings(log)).isEmpty();
    }
}
