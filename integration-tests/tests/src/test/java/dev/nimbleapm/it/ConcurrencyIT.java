package dev.nimbleapm.it;

import static dev.nimbleapm.it.ReliabilityApps.LOAD_APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Sixteen application threads sharing one client, synchronous and asynchronous requests, each in its own
 * transaction, against a real Elasticsearch: every span is reported exactly once, with unique ids and the right
 * parent, every line valid; no pooled object leaked or was used outside its lifetime.
 */
class ConcurrencyIT extends IntakeServerPerTest {

    /** {@code -Dit.load.threads=... -Dit.load.requests=...} turn this test into a longer load run. */
    private static final int THREADS = Integer.getInteger("it.load.threads", 16);
    private static final int REQUESTS = Integer.getInteger("it.load.requests", 2000);

    @Test
    void sixteenThreadsOfSyncAndAsyncRequestsEverySpanOnceWithTheRightParent() {
        ElasticsearchNode es = EsNodes.node7();
        String index = "it-concurrency";
        RunningJvm run = ReliabilityApps.withClient("concurrency", LOAD_APP, apm)
            .args(es.httpUrl(), index, String.valueOf(THREADS), String.valueOf(REQUESTS), "1", "-")
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(240L + REQUESTS / 10))).as(run.describe()).isZero();
        Map<String, String> phase = ReliabilityApps.line(run.stdout(), "PHASE 1 ");
        assertThat(phase.get("ok")).as(run.stdout()).isEqualTo(String.valueOf(REQUESTS));

        apm.awaitCondition(s -> s.transactions().size() >= REQUESTS && s.spans().size() >= REQUESTS,
            Duration.ofSeconds(60));
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(30));
        assertThat(apm.schemaViolations()).isEmpty();

        List<JsonNode> transactions = apm.transactions();
        List<JsonNode> spans = apm.spans();
        assertThat(transactions).hasSize(REQUESTS);
        assertThat(spans).as("exactly one span per request").hasSize(REQUESTS);
        assertThat(apm.errors()).isEmpty();

        Map<String, JsonNode> txById = new HashMap<>();
        Set<Integer> numbers = new HashSet<>();
        for (JsonNode tx : transactions) {
            assertThat(txById.put(tx.get("id").asText(), tx)).as("unique transaction id").isNull();
            assertThat(numbers.add(tx.at("/context/tags/n").asInt())).isTrue();
        }
        assertThat(numbers).hasSize(REQUESTS).allSatisfy(n -> assertThat(n).isBetween(0, REQUESTS - 1));

        Set<String> spanIds = new HashSet<>();
        Set<String> transactionsWithSpan = new HashSet<>();
        for (JsonNode span : spans) {
            assertThat(spanIds.add(span.get("id").asText())).as("unique span id").isTrue();
            JsonNode tx = txById.get(span.get("transaction_id").asText());
            assertThat(tx).as("the span's transaction was reported").isNotNull();
            assertThat(transactionsWithSpan.add(tx.get("id").asText())).as("one span per transaction").isTrue();
            assertThat(span.get("parent_id").asText()).isEqualTo(tx.get("id").asText());
            assertThat(span.get("trace_id").asText()).isEqualTo(tx.get("trace_id").asText());
            assertThat(spanIds).doesNotContain(tx.get("id").asText());

            int n = tx.at("/context/tags/n").asInt();
            assertThat(span.get("sync").asBoolean()).as("sync of request " + n).isEqualTo(n % 2 == 0);
            assertThat(span.get("outcome").asText()).isEqualTo("success");
            if (n % 4 < 2) {
                assertThat(span.get("name").asText()).isEqualTo("Elasticsearch: PUT /" + index + "/_doc/{id}");
                assertThat(span.at("/context/http/url").asText()).endsWith("/" + index + "/_doc/" + n);
                assertThat(span.at("/context/http/status_code").asInt()).isEqualTo(201);
            } else {
                assertThat(span.get("name").asText()).isEqualTo("Elasticsearch: POST /" + index + "/_search");
                assertThat(span.at("/context/db/statement").asText())
                    .as("the body of this request, not another thread's").isEqualTo("{\"query\":{\"term\":{\"n\":"
                        + n + "}}}");
                assertThat(span.at("/context/http/status_code").asInt()).isEqualTo(200);
            }
        }

        String stderr = run.stderr();
        ReliabilityApps.assertHealthyExit(stderr);
        assertThat(ReliabilityApps.exitLine(stderr)).contains("dropped=0,");
        assertThat(ReliabilityApps.agentWarnings(stderr)).isEmpty();
        System.out.println("[figures] concurrency: " + THREADS + " threads, " + REQUESTS + " requests, "
            + (2 * REQUESTS) + " events expected, " + transactions.size() + " transactions + " + spans.size()
            + " spans received; app saw " + phase + "; agent: " + ReliabilityApps.exitLine(stderr));
    }
}
