package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.RunningJvm;
import dev.nimbleapm.agent.testkit.TraceTree;

/**
 * The high-level REST client (6.8, 7.17) and the Java API client (7.17, 8.15) are traced through the low-level
 * client they wrap: one span per low-level request, with the body the client generated as statement.
 */
class HighLevelClientsIT extends IntakeServerPerTest {

    static final String HLRC_APP = "dev.nimbleapm.it.apps.hlrc.HighLevelClientApp";
    static final String HLRC6_APP = "dev.nimbleapm.it.apps.hlrc6.HighLevelClient6App";
    static final String JAVA_APP = "dev.nimbleapm.it.apps.javaclient.JavaClientApp";

    static Stream<Arguments> clients() {
        List<Arguments> cases = new ArrayList<>();
        for (Path jvm : ItEnvironment.javaHomes()) {
            cases.add(Arguments.of("hlrc-6.8.23", jvm));
            cases.add(Arguments.of("hlrc-7.17.10", jvm));
            cases.add(Arguments.of("java-7.17.10", jvm));
            cases.add(Arguments.of("java-8.15.5", jvm));
        }
        return cases.stream().filter(a -> ItEnvironment.selected((String) a.get()[0]));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("clients")
    void highLevelCallsAreTracedThroughTheLowLevelClient(String client, Path javaHome) {
        boolean hlrc = client.startsWith("hlrc");
        ElasticsearchNode es = client.equals("java-8.15.5") ? EsNodes.node8() : EsNodes.node7();
        String index = ("it-" + client + "-" + ItEnvironment.describe(javaHome)).toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-");
        List<String> scenarios = new ArrayList<>(hlrc ? List.of("info") : List.of());
        scenarios.addAll(List.of("index", "search", "count", "getMissing"));
        boolean asyncSupported = !client.equals("hlrc-6.8.23");
        if (asyncSupported) {
            scenarios.add("asyncSearch");
        }
        List<String> args = new ArrayList<>(List.of(es.httpUrl(), index));
        args.addAll(scenarios);
        boolean hlrc6 = client.equals("hlrc-6.8.23");
        List<Path> classpath = new ArrayList<>(ItEnvironment.jars(hlrc6 ? "apps/hlrc6" : hlrc ? "apps/hlrc"
            : "apps/javaclient"));
        classpath.addAll(ItEnvironment.clientClasspath(client));

        RunningJvm run = ChildJvm.builder()
            .name(index)
            .javaHome(javaHome)
            .javaAgent(ItEnvironment.agentJar(), null)
            .systemProperty("elastic.apm.server_url", apm.url())
            .systemProperty("elastic.apm.service_name", "es-" + client)
            .classpath(classpath.toArray(new Path[0]))
            .mainClass(hlrc6 ? HLRC6_APP : hlrc ? HLRC_APP : JAVA_APP)
            .args(args.toArray(new String[0]))
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(180))).as(run.stderr()).isZero();
        Map<String, String> results = LowLevelClientIT.results(run.stdout());
        assertThat(results).as(run.stdout()).containsKeys(scenarios.toArray(new String[0]));
        apm.awaitCondition(s -> s.transactions().size() >= scenarios.size(), Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));
        assertThat(apm.schemaViolations()).isEmpty();
        String tree = TraceTree.of(apm).render();

        Map<String, JsonNode> tx = apm.transactions().stream()
            .collect(Collectors.toMap(t -> t.get("name").asText().substring("scenario:".length()), t -> t));
        LowLevelClientIT.Spans spans = new LowLevelClientIT.Spans(apm.spans(), apm.errors(), es, index);

        assertThat(results.get("index")).as(tree).isIn("CREATED", "created", "201");
        spans.single(tx.get("index")).sync(true).success(201).named("PUT /" + index + "/_doc/{id}");
        assertThat(results.get("search")).isEqualTo("1 hits");
        spans.single(tx.get("search")).sync(true).success(200).named("POST /" + index + "/_search")
            .statementContains("hello");
        assertThat(results.get("count")).isEqualTo("1 docs");
        spans.single(tx.get("count")).sync(true).success(200).named("POST /" + index + "/_count");
        // a missing document is not an exception for the application; for Elasticsearch it is a 404
        assertThat(results.get("getMissing")).isIn("exists=false", "found=false");
        spans.single(tx.get("getMissing")).sync(true).failure(404).named("GET /" + index + "/_doc/{id}");
        if (asyncSupported) {
            assertThat(results.get("asyncSearch")).startsWith("listener-in-context");
            spans.single(tx.get("asyncSearch")).sync(false).success(200).named("POST /" + index + "/_search")
                .listenerSpanUnder(tx.get("asyncSearch"));
        }
        if (hlrc) {
            // HLRC 7.17 checks the product with one extra GET / on first use
            assertThat(spans.of(tx.get("info"))).isNotEmpty().allSatisfy(s ->
                assertThat(s.get("name").asText()).isEqualTo("Elasticsearch: GET /"));
        }
        assertThat(run.stderr()).doesNotContain("[nimble-apm] WARN").doesNotContain("[nimble-apm] ERROR");
    }
}
