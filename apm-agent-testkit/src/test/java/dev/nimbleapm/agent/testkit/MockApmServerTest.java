package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static dev.nimbleapm.agent.testkit.IntakeSamples.ERROR;
import static dev.nimbleapm.agent.testkit.IntakeSamples.METADATA;
import static dev.nimbleapm.agent.testkit.IntakeSamples.METRICSET;
import static dev.nimbleapm.agent.testkit.IntakeSamples.SPAN;
import static dev.nimbleapm.agent.testkit.IntakeSamples.TRANSACTION;
import static dev.nimbleapm.agent.testkit.IntakeSamples.ndjson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MockApmServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MockApmServer server;
    private HttpClient http;

    @BeforeEach
    void start() {
        server = MockApmServer.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(byte[] body, String contentEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/intake/v2/events"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentEncoding != null) {
            request.header("Content-Encoding", contentEncoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String ndjson) throws Exception {
        return post(ndjson.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void urlIsLoopbackWithThePort() {
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(server.port()).isPositive();
    }

    @Test
    void serverInformationAndNotFound() throws Exception {
        HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(200);
        JsonNode body = MAPPER.readTree(info.body());
        assertThat(body.path("version").asText()).isEqualTo("8.15.0");
        assertThat(body.path("publish_ready").asBoolean()).isTrue();
        assertThat(body.path("build_date").asText()).isEqualTo("2024-01-01T00:00:00Z");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/nope")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);

        HttpResponse<String> wrongMethod = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/intake/v2/events")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void acceptsUncompressedEventsOfEveryType() throws Exception {
        HttpResponse<String> response = post(ndjson(METADATA, TRANSACTION, SPAN, ERROR, METRICSET));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
        assertThat(server.metadata()).singleElement()
                .satisfies(m -> assertThat(m.path("service").path("name").asText()).isEqualTo("search-app"));
        assertThat(server.transactions()).singleElement()
                .satisfies(t -> assertThat(t.path("id").asText()).isEqualTo(IntakeSamples.TX_ID));
        assertThat(server.spans()).hasSize(1);
        assertThat(server.errors()).hasSize(1);
        assertThat(server.metricsets()).hasSize(1);
        assertThat(server.schemaViolations()).isEmpty();

        IntakeRequest request = server.requests().get(0);
        assertThat(request.events()).isEqualTo(4);
        assertThat(request.status()).isEqualTo(202);
        assertThat(request.header("content-type")).isEqualTo("application/x-ndjson");
        assertThat(request.headers().get("CONTENT-TYPE")).isEqualTo("application/x-ndjson");
        long length = ndjson(METADATA, TRANSACTION, SPAN, ERROR, METRICSET).getBytes(StandardCharsets.UTF_8).length;
        assertThat(request.rawBytes()).isEqualTo(length);
        assertThat(request.compressedBytes()).isEqualTo(length);
        assertThat(request.end()).isAfterOrEqualTo(request.start());
    }

    @Test
    void decodesGzipAndCountsBothSizes() throws Exception {
        String body = ndjson(METADATA, TRANSACTION, SPAN, SPAN, SPAN);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(body.getBytes(StandardCharsets.UTF_8));
        }

        assertThat(post(compressed.toByteArray(), "gzip").statusCode()).isEqualTo(202);

        assertThat(server.spans()).hasSize(3);
        IntakeRequest request = server.requests().get(0);
        assertThat(request.rawBytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(request.compressedBytes()).isEqualTo(compressed.size()).isLessThan(request.rawBytes());
        assertThat(request.header("Content-Encoding")).isEqualTo("gzip");
    }

    @Test
    void decodesDeflateAsZlib() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(compressed)) {
            zlib.write(ndjson(METADATA, TRANSACTION).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(post(compressed.toByteArray(), "deflate").statusCode()).isEqualTo(202);
        assertThat(server.transactions()).hasSize(1);
        assertThat(server.schemaViolations()).isEmpty();
    }

    @Test
    void rawDeflateWithoutZlibHeaderIsAViolation() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream raw = new DeflaterOutputStream(compressed, new Deflater(6, true))) {
            raw.write(ndjson(METADATA, TRANSACTION).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(post(compressed.toByteArray(), "deflate").statusCode()).isEqualTo(400);
        assertThat(server.schemaViolations()).singleElement().asString().contains("zlib");
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(400));
    }

    @Test
    void eventsBecomeVisibleWhileAChunkedDeflateRequestIsStillOpen() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.ChunkedDeflateBody body = client.startChunkedDeflateIntake();

            body.sendAndFlush(ndjson(METADATA, TRANSACTION));
            assertThat(server.awaitTransactions(1, TIMEOUT)).hasSize(1);
            assertThat(server.requests()).as("the request is still open").isEmpty();

            // a line split over two flushes is handled once its newline arrives
            body.sendAndFlush(SPAN.substring(0, 40));
            body.sendAndFlush(SPAN.substring(40) + "\n" + ERROR + "\n");
            assertThat(server.awaitSpans(1, TIMEOUT)).hasSize(1);
            assertThat(server.awaitErrors(1, TIMEOUT)).hasSize(1);
            assertThat(server.requests()).isEmpty();

            body.finish();
            RawHttpClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(202);
            assertThat(response.body()).isEmpty();
        }
        assertThat(server.requests()).singleElement().satisfies(r -> {
            assertThat(r.events()).isEqualTo(3);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.rawBytes()).isEqualTo(ndjson(METADATA, TRANSACTION, SPAN, ERROR).length());
        });
        assertThat(server.schemaViolations()).isEmpty();
    }

    @Test
    void keepsTheConnectionAliveForSeveralRequests() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            for (int i = 1; i <= 3; i++) {
                client.sendRequest("POST", "/intake/v2/events", Map.of(),
                        ndjson(METADATA, TRANSACTION).getBytes(StandardCharsets.UTF_8));
                assertThat(client.readResponse().status()).isEqualTo(202);
                assertThat(server.transactions()).hasSize(i);
            }
            client.sendRequest("GET", "/", Map.of(), new byte[0]);
            assertThat(client.readResponse().body()).contains("8.15.0");
        }
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void recordsSchemaViolationsWithTypeMessageAndLine() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode span = mapper.readTree(SPAN);
        ((com.fasterxml.jackson.databind.node.ObjectNode) span.get("span")).remove("parent_id");
        String longName = TRANSACTION.replace("GET /search", "x".repeat(1100));
        String wrongIdType = TRANSACTION.replace("\"" + IntakeSamples.TX_ID + "\"", "4711");

        post(ndjson(METADATA, span.toString(), longName, wrongIdType));

        List<String> violations = server.schemaViolations();
        assertThat(violations).hasSize(3);
        assertThat(violations.get(0)).startsWith("span (request 1, line 2)").contains("parent_id")
                .contains("line: {\"span\"");
        assertThat(violations.get(1)).startsWith("transaction").contains("$.name");
        assertThat(violations.get(2)).startsWith("transaction").contains("$.id").contains("4711");
        // invalid events are still recorded, so tests can look at them
        assertThat(server.spans()).hasSize(1);
        assertThat(server.transactions()).hasSize(2);
    }

    @Test
    void violationLinesAreCutAt2000Characters() throws Exception {
        String hugeName = TRANSACTION.replace("GET /search", "y".repeat(5000));
        post(ndjson(METADATA, hugeName));
        String violation = server.schemaViolations().get(0);
        String shownLine = violation.substring(violation.indexOf("line: ") + "line: ".length());
        assertThat(shownLine).startsWith("{\"transaction\"").contains("...(" + hugeName.length() + " chars)");
        assertThat(shownLine.length()).isLessThan(2100);
    }

    @Test
    void firstLineMustBeMetadata() throws Exception {
        post(ndjson(TRANSACTION, METADATA));
        assertThat(server.schemaViolations()).hasSize(2);
        assertThat(server.schemaViolations().get(0)).contains("first line").contains("must be metadata");
        assertThat(server.schemaViolations().get(1)).contains("only allowed as the first line");
    }

    @Test
    void unparseableAndMalformedLinesAreViolations() throws Exception {
        post(ndjson(METADATA, "{not json", "[1,2]", "{\"span\":{},\"error\":{}}", "{\"log\":{}}",
                "{\"span\":{\"id\":\"a\",\"id\":\"b\"}}"));
        List<String> violations = server.schemaViolations();
        assertThat(violations).hasSize(5);
        assertThat(violations.get(0)).startsWith("unparseable").contains("not valid JSON").contains("{not json");
        assertThat(violations.get(1)).contains("exactly one key");
        assertThat(violations.get(2)).contains("exactly one key");
        assertThat(violations.get(3)).startsWith("log").contains("unknown event type");
        assertThat(violations.get(4)).contains("Duplicate field 'id'");
    }

    @Test
    void oversizedLinesAreViolations() throws Exception {
        String huge = "{\"span\":{\"name\":\"" + "z".repeat(MockApmServer.MAX_EVENT_SIZE_BYTES) + "\"}}";
        post(ndjson(METADATA, huge, TRANSACTION));
        assertThat(server.schemaViolations()).singleElement().asString().contains("max_event_size");
        assertThat(server.transactions()).hasSize(1);
    }

    @Test
    void lastLineWithoutNewlineAndCrLfLinesAreHandled() throws Exception {
        post(METADATA + "\r\n" + TRANSACTION + "\r\n\r\n" + SPAN);
        assertThat(server.transactions()).hasSize(1);
        assertThat(server.spans()).hasSize(1);
        assertThat(server.schemaViolations()).isEmpty();
    }

    @Test
    void awaitConditionTimesOutWithADescriptionOfWhatArrived() throws Exception {
        post(ndjson(METADATA, TRANSACTION, "{broken"));
        assertThatThrownBy(() -> server.awaitSpans(1, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 transactions")
                .hasMessageContaining("0 spans")
                .hasMessageContaining("transaction  GET /search")
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void awaitConditionWakesAsSoonAsTheConditionHolds() throws Exception {
        Thread sender = new Thread(() -> {
            try {
                post(ndjson(METADATA, TRANSACTION, SPAN));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sender.start();
        server.awaitCondition(s -> s.spans().size() == 1 && s.transactions().size() == 1, TIMEOUT);
        sender.join(TIMEOUT.toMillis());
        assertThat(server.spans()).hasSize(1);
    }

    @Test
    void awaitQuietWaitsForAPauseAndFailsWhenThereIsNone() throws Exception {
        long beforePost = System.nanoTime();
        post(ndjson(METADATA, TRANSACTION));
        assertThatThrownBy(() -> server.awaitQuiet(Duration.ofSeconds(30), Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no quiet period");

        server.awaitQuiet(Duration.ofMillis(300), TIMEOUT);
        // the last line arrived after beforePost, and then 300 ms passed without any
        assertThat(Duration.ofNanos(System.nanoTime() - beforePost)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void clearForgetsEverything() throws Exception {
        post(ndjson(METADATA, TRANSACTION, "{bad"));
        server.clear();
        assertThat(server.transactions()).isEmpty();
        assertThat(server.metadata()).isEmpty();
        assertThat(server.requests()).isEmpty();
        assertThat(server.schemaViolations()).isEmpty();
    }

    @Test
    void snapshotsAreImmutable() throws Exception {
        post(ndjson(METADATA, TRANSACTION));
        assertThatThrownBy(() -> server.transactions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> server.requests().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void respondWithRejectsEventsButStillValidates() throws Exception {
        server.respondWith(503, "{\"error\":\"queue is full\"}");
        HttpResponse<String> response = post(ndjson(METADATA, TRANSACTION, SPAN, "{bad"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("{\"error\":\"queue is full\"}");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(server.rejectedEvents()).isEqualTo(2);
        assertThat(server.transactions()).isEmpty();
        assertThat(server.metadata()).isEmpty();
        assertThat(server.schemaViolations()).hasSize(1);
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(503));

        server.reset();
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
        assertThat(server.transactions()).hasSize(1);
    }

    @Test
    void responseDelayHoldsTheAnswerBack() throws Exception {
        server.responseDelay(Duration.ofMillis(400));
        long start = System.nanoTime();
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        // the events are visible before the delayed answer
        assertThat(server.transactions()).hasSize(1);
    }

    @Test
    void stallAfterHeadersNeverAnswers() throws Exception {
        server.stallAfterHeaders(true);
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + "/intake/v2/events"))
                .timeout(Duration.ofMillis(500))
                .POST(HttpRequest.BodyPublishers.ofString(ndjson(METADATA, TRANSACTION)))
                .build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(server.transactions()).isEmpty();
        assertThat(server.requests()).isEmpty();

        // the server info endpoint is not affected
        assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        try (RawHttpClient stalled = new RawHttpClient(server.port())) {
            stalled.sendRequest("POST", "/intake/v2/events", Map.of(),
                    ndjson(METADATA, TRANSACTION).getBytes(StandardCharsets.UTF_8));
            // the timed-out request of the HttpClient and this one
            server.awaitCondition(s -> s.stalledRequests() == 2, TIMEOUT);
            server.stallAfterHeaders(false);
            // released: closed without an answer (an orderly close or a reset, but no timeout)
            try {
                assertThat(stalled.readUntilClosed()).isZero();
            } catch (SocketException reset) {
                assertThat(reset).hasMessageContaining("reset");
            }
        }
        server.awaitCondition(s -> s.stalledRequests() == 0, TIMEOUT);
        assertThat(server.requests()).isEmpty();
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
    }

    @Test
    void dropConnectionMidRequestResetsTheConnection() throws Exception {
        server.dropConnectionMidRequest(true);
        assertThatThrownBy(() -> post(ndjson(METADATA, TRANSACTION, SPAN))).isInstanceOf(IOException.class);
        assertThat(server.requests()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(-1);
            assertThat(r.events()).isZero();
        });
        assertThat(server.transactions()).isEmpty();

        server.dropConnectionMidRequest(false);
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
    }

    @Test
    void refuseConnectionsClosesThePortAndReopensIt() throws Exception {
        try (RawHttpClient idle = new RawHttpClient(server.port())) {
            idle.sendRequest("GET", "/", Map.of(), new byte[0]);
            assertThat(idle.readResponse().status()).isEqualTo(200);

            server.refuseConnections(true);
            assertThatThrownBy(() -> new RawHttpClient(server.port()).close()).isInstanceOf(ConnectException.class);
            // the kept-alive connection was reset as well
            assertThatThrownBy(() -> {
                idle.sendRequest("GET", "/", Map.of(), new byte[0]);
                idle.readResponse();
            }).isInstanceOf(IOException.class);
        }

        server.refuseConnections(false);
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void nothingSentOnAnOpenIntakeRequestAfterRefuseConnectionsIsRecorded() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                RawHttpClient.ChunkedDeflateBody body = client.startChunkedDeflateIntake();
                body.sendAndFlush(ndjson(METADATA, TRANSACTION));
                server.awaitTransactions(1, TIMEOUT);
                server.refuseConnections(true);
                try {
                    body.sendAndFlush(ndjson(SPAN));
                } catch (IOException expected) {
                    // the reset may already have reached this side
                }
                server.refuseConnections(false);
                assertThat(server.spans()).as("round " + i).isEmpty();
                server.clear();
            }
        }
    }

    @Test
    void resetReopensARefusingServer() throws Exception {
        server.refuseConnections(true);
        server.respondWith(500, "");
        server.reset();
        assertThat(post(ndjson(METADATA, TRANSACTION)).statusCode()).isEqualTo(202);
    }

    @Test
    void unsupportedContentEncodingIsRejected() throws Exception {
        assertThat(post(ndjson(METADATA).getBytes(StandardCharsets.UTF_8), "br").statusCode()).isEqualTo(415);
        assertThat(server.schemaViolations()).singleElement().asString().contains("Content-Encoding 'br'");
    }

    @Test
    void closeStopsListening() throws Exception {
        int port = server.port();
        server.close();
        assertThatThrownBy(() -> new RawHttpClient(port).close()).isInstanceOf(ConnectException.class);
        server.close(); // idempotent
    }
}
