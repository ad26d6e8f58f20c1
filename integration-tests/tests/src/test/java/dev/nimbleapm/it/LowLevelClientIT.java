package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The low-level REST client of every supported version, on a real child JVM with {@code -javaagent:} the built
 * jar, against a real Elasticsearch node: each request yields exactly one span with everything Kibana shows, the
 * application sees exactly what it would see without the agent, and each plugin module applies only to the API
 * shape it serves.
 */
class LowLevelClientIT extends IntakeServerPerTest {

    static final String LEGACY_APP = "dev.nimbleapm.it.apps.lowlevel.LegacyApiApp";
    static final String REQUEST_APP = "dev.nimbleapm.it.apps.lowlevel.RequestApiApp";
    static final String SEARCH = "{\"query\":{\"match\":{\"title\":\"hello\"}}}";
    static final String COUNT = "{\"query\":{\"match_all\":{}}}";
    static final String BAD_QUERY = "{\"query\":{\"no_such_query\":{}}}";
    static final String CAPTURE_URLS = "*_search, *_msearch, *_msearch/template, *_search/template, *_count, *_sql, "
        + "*_eql/search, *_async_search, *-body/_doc/*";

    static final List<String> COMMON_SCENARIOS = List.of("index", "search", "count", "get404", "search400",
        "head404", "asyncSearch", "async404", "refused", "asyncRefused", "outside-search", "unsampled-search",
        "overloads", "bodyGzipEntity", "bodyWriteOnly", "bodyNonUtf8", "retryOverNodes");
    static final List<String> REQUEST_ONLY_SCENARIOS = List.of("bodyLarge", "bodyUnknownLength", "bodyStreaming",
        "bodyCompressedClient", "asyncCancel");

    static Stream<Arguments> clients() {
        List<Arguments> cases = new ArrayList<>();
        for (Path jvm : ItEnvironment.javaHomes()) {
            for (String legacy : List.of("rest-5.0.2", "rest-5.6.16", "rest-6.0.0", "rest-6.3.2", "rest-6.4.0",
                "rest-6.4.1", "rest-6.8.23")) {
                cases.add(Arguments.of(legacy, LEGACY_APP, jvm));
            }
            for (String modern : List.of("rest-6.4.0", "rest-6.4.1", "rest-6.8.23", "rest-7.17.10", "rest-8.15.5",
                "rest-9.1.7")) {
                cases.add(Arguments.of(modern, REQUEST_APP, jvm));
            }
        }
        return cases.stream().filter(a -> ItEnvironment.selected((String) a.get()[0]));
    }

    static boolean hasRequestApi(String client) {
        return !(client.startsWith("rest-5.") || client.equals("rest-6.0.0") || client.equals("rest-6.3.2"));
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @MethodSource("clients")
    void everyRequestYieldsExactlyOneCompleteSpan(String client, String app, Path javaHome) throws Exception {
        try (SilentServer silent = new SilentServer()) {
            run(client, app, javaHome, silent);
        }
    }

    private void run(String client, String app, Path javaHome, SilentServer silent) {
        ElasticsearchNode es = EsNodes.node7();
        boolean requestApp = app.equals(REQUEST_APP);
        String index = ("it-" + client + "-" + (requestApp ? "req" : "legacy") + "-"
            + ItEnvironment.describe(javaHome)).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        List<String> scenarios = new ArrayList<>(COMMON_SCENARIOS);
        if (requestApp) {
            scenarios.addAll(REQUEST_ONLY_SCENARIOS);
        }
        int closedPort = ItEnvironment.closedPort();
        List<String> args = new ArrayList<>(List.of(es.httpUrl(), "http://127.0.0.1:" + closedPort, index));
        args.addAll(scenarios);
        List<Path> classpath = new ArrayList<>(ItEnvironment.jars("apps/lowlevel"));
        classpath.addAll(ItEnvironment.clientClasspath(client));

        RunningJvm run = ChildJvm.builder()
            .name(index)
            .javaHome(javaHome)
            .javaAgent(ItEnvironment.agentJar(), null)
            .systemProperty("elastic.apm.server_url", apm.url())
            .systemProperty("elastic.apm.service_name", "es-" + client)
            .systemProperty("elastic.apm.elasticsearch_capture_body_urls", CAPTURE_URLS)
            .systemProperty("elastic.apm.log_level", "debug")
            .systemProperty("it.silent.url", silent.url())
            .classpath(classpath.toArray(new Path[0]))
            .mainClass(app)
            .args(args.toArray(new String[0]))
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(180))).as(run.stderr()).isZero();
        Map<String, String> results = results(run.stdout());
        assertThat(results).as(run.stdout()).containsKeys(scenarios.toArray(new String[0]));

        int scenarioTransactions = scenarios.size() - 1;
        apm.awaitCondition(s -> s.transactions().size() >= scenarioTransactions, Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));
        assertThat(apm.schemaViolations()).isEmpty();
        String tree = TraceTree.of(apm).render();

        Map<String, JsonNode> tx = apm.transactions().stream()
            .collect(Collectors.toMap(t -> t.get("name").asText().substring("scenario:".length()), t -> t));
        assertThat(tx.keySet()).as(tree).containsExactlyInAnyOrderElementsOf(
            scenarios.stream().filter(s -> !s.startsWith("outside-")).toList());
        Spans spans = new Spans(apm.spans(), apm.errors(), es, index);

        // no span without a transaction, none for an unsampled one, none from the HTTP client underneath
        assertThat(apm.spans()).allSatisfy(s -> assertThat(tx.values().stream()
            .anyMatch(t -> t.get("id").asText().equals(s.get("transaction_id").asText()))).isTrue());
        assertThat(spans.of(tx.get("unsampled-search"))).isEmpty();
        assertThat(tx.get("unsampled-search").get("sampled").asBoolean()).isFalse();
        assertThat(results.get("unsampled-search")).as("the body of an unsampled request is not read")
            .isEqualTo("200 reads=1");
        assertThat(results.get("outside-search")).isEqualTo("200");

        spans.single(tx.get("index")).sync(true).success(201)
            .named("PUT /" + index + "/_doc/{id}").url("/" + index + "/_doc/1").noStatement();
        spans.single(tx.get("search")).sync(true).success(200).named("POST /" + index + "/_search")
            .statement(SEARCH);
        spans.single(tx.get("count")).sync(true).success(200).named("POST /" + index + "/_count")
            .statement(COUNT);
        spans.single(tx.get("get404")).sync(true).failure(404).named("GET /" + index + "/_doc/{id}")
            .error("org.elasticsearch.client.ResponseException", 404);
        assertThat(results.get("get404")).isEqualTo("EXCEPTION ResponseException 404");
        spans.single(tx.get("search400")).failure(400).statement(BAD_QUERY)
            .error("org.elasticsearch.client.ResponseException", 400);
        assertThat(results.get("search400")).isEqualTo("EXCEPTION ResponseException 400");
        spans.single(tx.get("head404")).failure(404).noError();
        assertThat(results.get("head404")).isEqualTo("404");

        spans.single(tx.get("asyncSearch")).sync(false).success(200).statement(SEARCH).listenerSpanUnder(
            tx.get("asyncSearch"));
        assertThat(results.get("asyncSearch")).isEqualTo("listener-in-context 200");
        spans.single(tx.get("async404")).sync(false).failure(404)
            .error("org.elasticsearch.client.ResponseException", 404).listenerSpanUnder(tx.get("async404"));
        assertThat(results.get("async404")).isEqualTo("listener-in-context ResponseException 404");

        // the error event is the exception the application received (some versions wrap ConnectException)
        assertThat(results.get("refused")).startsWith("EXCEPTION ");
        spans.single(tx.get("refused")).sync(true).failureWithoutResponse()
            .errorSeenByApplication(results.get("refused").substring("EXCEPTION ".length()), "ConnectException");
        assertThat(results.get("asyncRefused")).startsWith("listener-in-context ");
        spans.single(tx.get("asyncRefused")).sync(false).failureWithoutResponse()
            .errorSeenByApplication(results.get("asyncRefused").substring("listener-in-context ".length()),
                "ConnectException")
            .listenerSpanUnder(tx.get("asyncRefused"));

        if (requestApp) {
            assertThat(results.get("overloads")).isEqualTo("OK listener-in-context 200");
            assertThat(spans.of(tx.get("overloads"))).hasSize(2);
        } else {
            assertThat(results.get("overloads")).startsWith("OK calls=");
            int calls = Integer.parseInt(results.get("overloads").substring("OK calls=".length()));
            assertThat(calls).isGreaterThanOrEqualTo(6);
            assertThat(spans.of(tx.get("overloads"))).as("one span per call of every public overload")
                .hasSize(calls);
        }

        String body = "/" + index + "-body/_doc/";
        assertThat(results.get("bodyGzipEntity")).isEqualTo("MATCH");
        spans.request(tx.get("bodyGzipEntity"), "PUT").statement("{\"title\":\"gzipped\"}");
        // the asynchronous HTTP client needs getContent(): the client fails the request itself, as without agent
        assertThat(results.get("bodyWriteOnly")).startsWith("EXCEPTION").contains("write-only entity");
        spans.request(tx.get("bodyWriteOnly"), "PUT").statement("{\"title\":\"write only\"}");
        spans.single(tx.get("bodyNonUtf8")).statementContains("caf\uFFFD");
        if (requestApp) {
            assertThat(results.get("bodyLarge")).isEqualTo("MATCH");
            String statement = spans.request(tx.get("bodyLarge"), "PUT").statement();
            assertThat(statement).hasSize(10000).startsWith("{\"title\":\"large\",\"text\":\"lorem ipsum 0 ");
            assertThat(results.get("bodyUnknownLength")).startsWith("MATCH");
            spans.request(tx.get("bodyUnknownLength"), "PUT").statement("{\"title\":\"unknown length\"}");
            assertThat(results.get("bodyStreaming")).isEqualTo("MATCH");
            spans.request(tx.get("bodyStreaming"), "PUT").noStatement();
            String compressed = results.get("bodyCompressedClient");
            if (!compressed.startsWith("SKIP")) {
                assertThat(compressed).isEqualTo("MATCH");
                spans.request(tx.get("bodyCompressedClient"), "PUT")
                    .statement("{\"title\":\"compressed by the client\"}");
            }
        }
        assertThat(body).isNotEmpty();

        // retries over several nodes happen inside the one span of each request
        assertThat(results.get("retryOverNodes")).isEqualTo("200 200");
        List<JsonNode> retried = spans.of(tx.get("retryOverNodes"));
        assertThat(retried).hasSize(2).allSatisfy(s -> {
            assertThat(s.get("outcome").asText()).isEqualTo("success");
            assertThat(s.at("/context/destination/port").asInt()).isEqualTo(es.port());
        });
        if (requestApp && !results.get("asyncCancel").startsWith("SKIP")) {
            assertThat(results.get("asyncCancel")).isEqualTo("listener-in-context CancellationException: request was cancelled");
            spans.single(tx.get("asyncCancel")).sync(false).outcome("unknown").noError();
        }

        // the module of the other API shape left this client alone
        String log = run.stderr();
        String restClient = " instruments org.elasticsearch.client.RestClient";
        if (hasRequestApi(client)) {
            assertThat(log).contains("v6_4.RequestApiInstrumentations$Sync" + restClient)
                .doesNotContain("v5_6.LegacyApiInstrumentations");
        } else {
            assertThat(log).contains("v5_6.LegacyApiInstrumentations$Sync" + restClient)
                .doesNotContain("v6_4.RequestApiInstrumentations");
        }
        assertThat(log).doesNotContain("[nimble-apm] WARN").doesNotContain("[nimble-apm] ERROR");
        // every pooled object came back, none was used outside its lifetime, no advice failed
        assertThat(log).containsPattern("in use: 0 transactions, 0 spans, 0 errors; pool violations: 0; "
            + "advice errors: 0");
        assertThat(log).containsPattern("dropped=0,");
    }

    static Map<String, String> results(String stdout) {
        Map<String, String> results = new HashMap<>();
        stdout.lines().filter(l -> l.startsWith("RESULT ")).forEach(l -> {
            String rest = l.substring(7);
            int space = rest.indexOf(' ');
            results.put(rest.substring(0, space), rest.substring(space + 1));
        });
        return results;
    }

    /** The Elasticsearch spans of a run, with fluent expectations. */
    static final class Spans {
        private final List<JsonNode> all;
        private final List<JsonNode> errors;
        private final ElasticsearchNode es;

        Spans(List<JsonNode> all, List<JsonNode> errors, ElasticsearchNode es, String index) {
            this.all = all;
            this.errors = errors;
            this.es = es;
        }

        List<JsonNode> of(JsonNode transaction) {
            String id = transaction.get("id").asText();
            return all.stream().filter(s -> s.get("transaction_id").asText().equals(id))
                .filter(s -> "elasticsearch".equals(s.path("subtype").asText())).toList();
        }

        Expect single(JsonNode transaction) {
            List<JsonNode> spans = of(transaction);
            assertThat(spans).as("Elasticsearch spans of " + transaction.get("name").asText()).hasSize(1);
            return new Expect(spans.get(0), transaction);
        }

        Expect request(JsonNode transaction, String method) {
            List<JsonNode> spans = of(transaction).stream()
                .filter(s -> method.equals(s.at("/context/http/method").asText())).toList();
            assertThat(spans).as(method + " spans of " + transaction.get("name").asText()).hasSize(1);
            return new Expect(spans.get(0), transaction);
        }

        final class Expect {
            private final JsonNode span;
            private final JsonNode transaction;

            Expect(JsonNode span, JsonNode transaction) {
                this.span = span;
                this.transaction = transaction;
                assertThat(span.get("type").asText()).isEqualTo("db");
                assertThat(span.get("subtype").asText()).isEqualTo("elasticsearch");
                assertThat(span.get("action").asText()).isEqualTo("request");
                assertThat(span.at("/context/db/type").asText()).isEqualTo("elasticsearch");
                assertThat(span.get("parent_id").asText()).isEqualTo(transaction.get("id").asText());
                assertThat(span.get("trace_id").asText()).isEqualTo(transaction.get("trace_id").asText());
                assertThat(span.at("/context/service/target/type").asText()).isEqualTo("elasticsearch");
                assertThat(span.at("/context/destination/service/resource").asText()).isEqualTo("elasticsearch");
                assertThat(span.get("name").asText()).startsWith("Elasticsearch: ");
                assertThat(span.get("duration").asDouble()).isGreaterThan(0);
            }

            Expect sync(boolean sync) {
                assertThat(span.get("sync").asBoolean()).as("sync").isEqualTo(sync);
                return this;
            }

            Expect named(String name) {
                assertThat(span.get("name").asText()).isEqualTo("Elasticsearch: " + name);
                return this;
            }

            Expect url(String path) {
                assertThat(span.at("/context/http/url").asText()).isEqualTo(es.httpUrl() + path);
                return this;
            }

            private void answeredBy(int status) {
                assertThat(span.at("/context/http/status_code").asInt()).isEqualTo(status);
                assertThat(span.at("/context/destination/address").asText()).isEqualTo(es.host());
                assertThat(span.at("/context/destination/port").asInt()).isEqualTo(es.port());
                assertThat(span.at("/context/http/url").asText()).startsWith(es.httpUrl() + "/");
            }

            Expect success(int status) {
                answeredBy(status);
                assertThat(span.get("outcome").asText()).isEqualTo("success");
                return noError();
            }

            Expect failure(int status) {
                answeredBy(status);
                assertThat(span.get("outcome").asText()).isEqualTo("failure");
                return this;
            }

            Expect outcome(String outcome) {
                assertThat(span.get("outcome").asText()).isEqualTo(outcome);
                return this;
            }

            Expect failureWithoutResponse() {
                assertThat(span.get("outcome").asText()).isEqualTo("failure");
                assertThat(span.at("/context/http/status_code").isMissingNode()).isTrue();
                return this;
            }

            Expect statement(String expected) {
                assertThat(statement()).isEqualTo(expected);
                return this;
            }

            Expect statementContains(String part) {
                assertThat(statement()).contains(part);
                return this;
            }

            String statement() {
                return span.at("/context/db/statement").asText();
            }

            Expect noStatement() {
                assertThat(span.at("/context/db/statement").isMissingNode()).isTrue();
                return this;
            }

            private List<JsonNode> errorsOfSpan() {
                String id = span.get("id").asText();
                return errors.stream().filter(e -> id.equals(e.path("parent_id").asText())).toList();
            }

            Expect noError() {
                assertThat(errorsOfSpan()).isEmpty();
                return this;
            }

            Expect error(String type, int code) {
                List<JsonNode> mine = errorsOfSpan();
                assertThat(mine).hasSize(1);
                JsonNode error = mine.get(0);
                assertThat(error.at("/exception/type").asText()).isEqualTo(type);
                assertThat(error.get("transaction_id").asText()).isEqualTo(transaction.get("id").asText());
                if (code > 0) {
                    assertThat(error.at("/exception/code").asInt()).isEqualTo(code);
                }
                return this;
            }

            /** One error whose type is what the application saw, caused (maybe indirectly) by {@code cause}. */
            Expect errorSeenByApplication(String simpleName, String cause) {
                List<JsonNode> mine = errorsOfSpan();
                assertThat(mine).hasSize(1);
                JsonNode exception = mine.get(0).get("exception");
                assertThat(exception.get("type").asText()).endsWith("." + simpleName);
                StringBuilder chain = new StringBuilder(exception.get("type").asText());
                for (JsonNode c = exception.path("cause").path(0); !c.isMissingNode(); c = c.path("cause").path(0)) {
                    chain.append(' ').append(c.get("type").asText());
                }
                assertThat(chain.toString()).contains(cause);
                return this;
            }

            Expect listenerSpanUnder(JsonNode tx) {
                List<JsonNode> listener = all.stream().filter(s -> "listener work".equals(s.get("name").asText()))
                    .filter(s -> s.get("transaction_id").asText().equals(tx.get("id").asText())).toList();
                assertThat(listener).as("span started in the listener").hasSize(1);
                assertThat(listener.get(0).get("parent_id").asText()).isEqualTo(tx.get("id").asText());
                return this;
            }
        }
    }
}
