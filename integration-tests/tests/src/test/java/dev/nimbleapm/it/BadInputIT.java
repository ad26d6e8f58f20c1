package dev.nimbleapm.it;

import static dev.nimbleapm.it.ReliabilityApps.BAD_INPUT_APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Awkward input on a real child JVM against a real Elasticsearch: paths with unicode and escaped characters
 * (Elasticsearch receives exactly what was sent, the spans are valid), fields far over the intake limits (truncated
 * as the spec expects; the APM Server's schemas accept every line), credentials in the client's headers (never in
 * an event or the log).
 */
class BadInputIT extends IntakeServerPerTest {

    private static final String UNICODE_TITLE = "\u00FCn\u00EFc\u00F6d\u00E9 \u65E5\u672C \uD83D\uDE80";
    private static final String ES_PASSWORD = "es-s3cret-pa55";

    @Test
    void awkwardPathsOversizedFieldsAndCredentialsInHeaders() {
        ElasticsearchNode es = EsNodes.node7();
        String index = "it-bad-input";
        String unicodeIndex = index + "-\u00EDndice-\u65E5\u672C";
        List<String> scenarios = List.of("unicodeIndex", "unicodeSearch", "escapedId", "longFields", "authHeader");
        RunningJvm run = ReliabilityApps.withClient("bad-input", BAD_INPUT_APP, apm)
            .args(concat(List.of(es.httpUrl(), index), scenarios))
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(120))).as(run.describe()).isZero();
        Map<String, String> results = LowLevelClientIT.results(run.stdout());
        assertThat(results.get("unicodeIndex")).as(run.stdout()).isEqualTo("201 MATCH");
        assertThat(results.get("unicodeSearch")).isEqualTo("FOUND");
        assertThat(results.get("escapedId")).isEqualTo("201 MATCH");
        assertThat(results.get("longFields")).isEqualTo("200");
        assertThat(results.get("authHeader")).isEqualTo("200");

        apm.awaitCondition(s -> s.transactions().size() >= scenarios.size(), Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(10));
        assertThat(apm.schemaViolations()).as("every line is accepted by the APM Server's schemas").isEmpty();
        Map<String, JsonNode> tx = apm.transactions().stream().collect(Collectors.toMap(
            t -> t.get("name").asText().substring("scenario:".length()), Function.identity()));

        List<JsonNode> unicode = ReliabilityApps.esSpansOf(apm, tx.get("unicodeIndex"));
        assertThat(unicode).extracting(s -> s.get("name").asText()).containsExactly(
            "Elasticsearch: PUT /" + unicodeIndex + "/_doc/{id}", "Elasticsearch: GET /" + unicodeIndex + "/_doc/{id}");
        assertThat(unicode.get(0).at("/context/http/url").asText())
            .isEqualTo(es.httpUrl() + "/" + unicodeIndex + "/_doc/1");
        JsonNode search = ReliabilityApps.esSpansOf(apm, tx.get("unicodeSearch")).get(0);
        assertThat(search.get("name").asText()).isEqualTo("Elasticsearch: POST /" + unicodeIndex + "/_search");
        assertThat(search.at("/context/db/statement").asText())
            .isEqualTo("{\"query\":{\"match\":{\"title\":\"" + UNICODE_TITLE + "\"}}}");

        List<JsonNode> escaped = ReliabilityApps.esSpansOf(apm, tx.get("escapedId"));
        assertThat(escaped).extracting(s -> s.get("name").asText()).containsExactly(
            "Elasticsearch: PUT /" + index + "/_doc/{id}", "Elasticsearch: GET /" + index + "/_doc/{id}");
        assertThat(escaped).allSatisfy(s -> assertThat(s.at("/context/http/url").asText())
            .isEqualTo(es.httpUrl() + "/" + index + "/_doc/a%2Fb%20c%3Fd%25e"));

        JsonNode longTx = tx.get("longFields");
        assertThat(longTx.at("/context/tags/long_label").asText()).hasSize(1024)
            .isEqualTo("\uD83D\uDE00".repeat(512));
        JsonNode custom = apm.spans().stream().filter(s -> "custom".equals(s.path("subtype").asText()))
            .findFirst().orElseThrow();
        assertThat(custom.get("name").asText()).as("cut before half a surrogate pair")
            .isEqualTo("a" + "\uD83D\uDE00".repeat(511));
        JsonNode longSearch = ReliabilityApps.esSpansOf(apm, longTx).get(0);
        String statement = longSearch.at("/context/db/statement").asText();
        assertThat(statement).hasSize(10_000)
            .startsWith("{\"query\":{\"match\":{\"kind\":\"" + UNICODE_TITLE + " xxx");
        JsonNode error = apm.errors().stream().filter(e -> longTx.get("id").asText().equals(
            e.path("transaction_id").asText())).findFirst().orElseThrow();
        assertThat(error.at("/exception/message").asText()).hasSize(10_000).startsWith("caf\u00E9 message ");

        String basic = Base64.getEncoder().encodeToString(("elastic:" + ES_PASSWORD)
            .getBytes(StandardCharsets.UTF_8));
        String everything = apm.metadata().toString() + apm.transactions() + apm.spans() + apm.errors()
            + run.stdout() + run.stderr();
        assertThat(everything).doesNotContain(ES_PASSWORD).doesNotContain(basic);
        ReliabilityApps.assertHealthyExit(run.stderr());
    }

    private static String[] concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toArray(String[]::new);
    }
}
