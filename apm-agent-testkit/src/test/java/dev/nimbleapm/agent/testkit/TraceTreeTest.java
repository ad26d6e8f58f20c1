package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TraceTreeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return MAPPER.readTree(s.replace('\'', '"'));
    }

    private static JsonNode inner(String line, String type) throws Exception {
        return MAPPER.readTree(line).get(type);
    }

    @Test
    void rendersTransactionSpanStatementAndError() throws Exception {
        TraceTree tree = TraceTree.of(
                List.of(inner(IntakeSamples.TRANSACTION, "transaction")),
                List.of(inner(IntakeSamples.SPAN, "span")),
                List.of(inner(IntakeSamples.ERROR, "error")));

        assertThat(tree.render()).isEqualTo(""
                + "transaction  GET /search  [request] 12.3 ms  success\n"
                + "  span  Elasticsearch: POST /idx/_search  db/elasticsearch/request  3.1 ms  success  status=200\n"
                + "      statement: {\"query\": {\"match_all\":{}}}\n"
                + "    error  java.net.ConnectException: Connection refused\n");
        assertThat(tree.roots()).singleElement().satisfies(root -> {
            assertThat(root.kind()).isEqualTo("transaction");
            assertThat(root.orphan()).isFalse();
            assertThat(root.children()).singleElement()
                    .satisfies(span -> assertThat(span.children()).singleElement()
                            .satisfies(error -> assertThat(error.kind()).isEqualTo("error")));
        });
    }

    @Test
    void nestsSpansByParentIdAndOrdersSiblingsByTimestamp() throws Exception {
        JsonNode tx = json("{'id':'t1','trace_id':'A','name':'tx','type':'request','duration':10,'timestamp':100}");
        JsonNode late = json("{'id':'s2','trace_id':'A','parent_id':'t1','transaction_id':'t1','name':'late',"
                + "'type':'db','duration':1,'timestamp':300}");
        JsonNode early = json("{'id':'s1','trace_id':'A','parent_id':'t1','transaction_id':'t1','name':'early',"
                + "'type':'app','subtype':'internal','duration':2,'timestamp':200}");
        JsonNode nested = json("{'id':'s3','trace_id':'A','parent_id':'s1','transaction_id':'t1','name':'nested',"
                + "'type':'db','subtype':'elasticsearch','duration':0.04,'timestamp':250}");

        String rendered = TraceTree.of(List.of(tx), List.of(late, nested, early), List.of()).render();

        assertThat(rendered).isEqualTo(""
                + "transaction  tx  [request] 10.0 ms\n"
                + "  span  early  app/internal  2.0 ms\n"
                + "    span  nested  db/elasticsearch  0.0 ms\n"
                + "  span  late  db  1.0 ms\n");
    }

    @Test
    void errorsWithoutParentIdHangUnderTheirTransactionAndLogErrorsAreShown() throws Exception {
        JsonNode tx = json("{'id':'t1','trace_id':'A','name':'tx','type':'request','duration':1}");
        JsonNode error = json("{'id':'e1','trace_id':'A','transaction_id':'t1','log':{'message':'disk full'}}");
        JsonNode typeOnly = json("{'id':'e2','exception':{'type':'java.lang.IllegalStateException'}}");

        String rendered = TraceTree.of(List.of(tx), List.of(), List.of(error, typeOnly)).render();

        assertThat(rendered).contains("transaction  tx  [request] 1.0 ms\n  error  log: disk full\n")
                .contains("error  java.lang.IllegalStateException\n");
    }

    @Test
    void orphansBecomeMarkedRoots() throws Exception {
        JsonNode span = json("{'id':'s1','trace_id':'B','parent_id':'gone','transaction_id':'gone','name':'lost',"
                + "'type':'db','duration':1}");
        TraceTree tree = TraceTree.of(List.of(), List.of(span), List.of());
        assertThat(tree.roots()).singleElement().satisfies(n -> assertThat(n.orphan()).isTrue());
        assertThat(tree.render()).isEqualTo("span  lost  db  1.0 ms  (orphan: parent gone not received)\n");
    }

    @Test
    void distributedTransactionUnderASpanOfTheSameServer() throws Exception {
        JsonNode outer = json("{'id':'t1','trace_id':'A','name':'outer','type':'request','duration':5,'timestamp':1}");
        JsonNode call = json("{'id':'s1','trace_id':'A','parent_id':'t1','name':'call','type':'external',"
                + "'duration':4,'timestamp':2}");
        JsonNode inner = json("{'id':'t2','trace_id':'A','parent_id':'s1','name':'inner','type':'request',"
                + "'duration':3,'timestamp':3}");
        JsonNode remote = json("{'id':'t3','trace_id':'C','parent_id':'elsewhere','name':'remote','type':'request',"
                + "'duration':1,'timestamp':0}");

        TraceTree tree = TraceTree.of(List.of(outer, inner, remote), List.of(call), List.of());

        assertThat(tree.traceIds()).containsExactly("C", "A");
        assertThat(tree.trace("A").render()).isEqualTo(""
                + "transaction  outer  [request] 5.0 ms\n"
                + "  span  call  external  4.0 ms\n"
                + "    transaction  inner  [request] 3.0 ms\n");
        // a transaction whose parent lives in another service is a normal root, not an orphan
        assertThat(tree.trace("C").render()).isEqualTo("transaction  remote  [request] 1.0 ms\n");
    }

    @Test
    void parentCyclesDoNotLoseEventsOrLoopForever() throws Exception {
        JsonNode a = json("{'id':'a','trace_id':'X','parent_id':'b','name':'a','type':'app','duration':1}");
        JsonNode b = json("{'id':'b','trace_id':'X','parent_id':'a','name':'b','type':'app','duration':1}");
        String rendered = TraceTree.of(List.of(), List.of(a, b), List.of()).render();
        assertThat(rendered.lines()).hasSize(2);
        assertThat(rendered).contains("span  a").contains("span  b");
    }

    @Test
    void statementIsCollapsedAndCut() {
        assertThat(TraceTree.oneLineStatement("{\n  \"query\": {\r\n    \"match_all\": {}\n  }\n}"))
                .isEqualTo("{ \"query\": { \"match_all\": {} } }");
        String cut = TraceTree.oneLineStatement("x".repeat(300));
        assertThat(cut).hasSize(TraceTree.MAX_STATEMENT_CHARS + 3).endsWith("...");
    }

    @Test
    void emptyTreeRendersNothing() {
        assertThat(TraceTree.of(List.of(), List.of(), List.of()).render()).isEmpty();
    }

    @Test
    void buildsFromWhatAMockApmServerReceived() throws Exception {
        try (MockApmServer server = MockApmServer.start()) {
            HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/intake/v2/events"))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(IntakeSamples.ndjson(IntakeSamples.METADATA,
                                    IntakeSamples.SPAN, IntakeSamples.TRANSACTION)))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            server.awaitSpans(1, Duration.ofSeconds(10));
            assertThat(TraceTree.of(server).render()).startsWith("transaction  GET /search")
                    .contains("\n  span  Elasticsearch: POST /idx/_search");
        }
    }
}
