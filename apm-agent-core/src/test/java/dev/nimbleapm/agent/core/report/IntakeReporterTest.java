package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.testkit.IntakeRequest;
import dev.nimbleapm.agent.testkit.MockApmServer;

/** The intake reporter against a local APM Server stand-in that validates every line. */
class IntakeReporterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private MockApmServer apm;
    private IntakeReporter reporter;
    private Tracer tracer;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() {
        apm = MockApmServer.start();
        originalErr = System.err;
        System.setErr(new PrintStream(log, true));
        AgentLogger.configure(LogLevel.INFO, "System.err");
        AgentLogger.resetOnceKeys();
    }

    @AfterEach
    void stop() {
        if (reporter != null) {
            reporter.close(2000);
            assertThat(tracer.transactionPool().objectsInUse()).as("transactions returned").isZero();
            assertThat(tracer.spanPool().objectsInUse()).as("spans returned").isZero();
            assertThat(tracer.poolViolations()).isZero();
        }
        apm.close();
        System.setErr(originalErr);
        AgentLogger.configure(LogLevel.INFO, "System.err");
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private void startReporter(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>();
        options.put("server_url", apm.url());
        options.put("service_name", "reporter-test");
        options.putAll(extra);
        AgentConfig config = ConfigLoader.load(Collections.emptyList(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("test", options)));
        reporter = new IntakeReporter(config, "1.2.3", "javaagent-flag");
        tracer = new Tracer(config, reporter);
        reporter.start();
    }

    /** One transaction with {@code spans} child spans. */
    private void record(int spans) {
        Transaction tx = tracer.startRootTransaction();
        tx.setName("job");
        for (int i = 0; i < spans; i++) {
            Span span = tracer.startSpan(tx);
            span.setName("span " + i);
            span.end();
        }
        tx.end();
    }

    @Test
    void streamsMetadataThenEventsDeflatedAsNdjson() {
        startReporter(Map.of());
        record(2);
        assertThat(reporter.flush(10_000)).isTrue();

        assertThat(apm.transactions()).hasSize(1);
        assertThat(apm.spans()).hasSize(2);
        assertThat(apm.schemaViolations()).isEmpty();
        IntakeRequest request = apm.requests().get(0);
        assertThat(request.header("Content-Encoding")).isEqualTo("deflate");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-ndjson");
        assertThat(request.header("User-Agent")).startsWith("apm-agent-java/1.2.3").contains("reporter-test");
        assertThat(request.header("Authorization")).isNull();
        assertThat(request.events()).isEqualTo(3);
        assertThat(request.status()).isEqualTo(202);
        assertThat(apm.metadata().get(0).at("/service/name").asText()).isEqualTo("reporter-test");
        assertThat(apm.metadata().get(0).at("/service/agent/version").asText()).isEqualTo("1.2.3");
        assertThat(reporter.stats().sent()).isEqualTo(3);
    }

    @Test
    void batchesManyEventsIntoOneCompressedRequest() {
        startReporter(Map.of("max_queue_size", "2048"));
        for (int i = 0; i < 100; i++) {
            record(4);
        }
        assertThat(reporter.flush(10_000)).isTrue();
        assertThat(apm.transactions()).hasSize(100);
        assertThat(apm.spans()).hasSize(400);
        assertThat(apm.requests()).hasSize(1);
        IntakeRequest request = apm.requests().get(0);
        assertThat(request.compressedBytes() * 4).as("deflate pays off").isLessThan(request.rawBytes());
    }

    @Test
    void sendsTheSecretTokenAsBearer() {
        startReporter(Map.of("secret_token", "t0ken"));
        record(0);
        reporter.flush(10_000);
        assertThat(apm.requests().get(0).header("Authorization")).isEqualTo("Bearer t0ken");
    }

    @Test
    void apiKeyTakesPrecedenceOverTheSecretToken() {
        startReporter(Map.of("secret_token", "t0ken", "api_key", "k3y"));
        record(0);
        reporter.flush(10_000);
        assertThat(apm.requests().get(0).header("Authorization")).isEqualTo("ApiKey k3y");
    }

    @Test
    void endsARequestAfterApiRequestTime() {
        startReporter(Map.of("api_request_time", "300ms"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (apm.requests().size() < 2 && System.nanoTime() < deadline) {
            record(1);
            apm.awaitCondition(s -> true, Duration.ofMillis(50));
        }
        assertThat(apm.requests().size()).isGreaterThanOrEqualTo(2);
        for (IntakeRequest r : apm.requests()) {
            assertThat(r.duration()).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void endsARequestAfterApiRequestSize() {
        startReporter(Map.of("api_request_size", "2kb", "max_queue_size", "2048"));
        for (int i = 0; i < 200; i++) {
            record(3);
        }
        reporter.flush(10_000);
        assertThat(apm.spans()).hasSize(600);
        assertThat(apm.requests().size()).isGreaterThan(1);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() {
        Map<String, String> options = Map.of("server_url", apm.url(), "max_queue_size", "8");
        AgentConfig config = ConfigLoader.load(Collections.emptyList(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("test", options)));
        IntakeReporter notStarted = new IntakeReporter(config, "1", "test");
        Tracer localTracer = new Tracer(config, notStarted);
        for (int i = 0; i < 20; i++) {
            localTracer.startRootTransaction().end();
        }
        assertThat(notStarted.stats().accepted()).isEqualTo(8);
        assertThat(notStarted.stats().dropped()).isEqualTo(12);
        assertThat(localTracer.transactionPool().objectsInUse()).isEqualTo(8);
    }

    @Test
    void backsOffWhileTheServerIsDownAndDeliversWhatIsRecordedAfterItReturns() {
        apm.refuseConnections(true);
        startReporter(Map.of("server_timeout", "1s"));
        record(1);
        assertThat(reporter.flush(5_000)).isFalse();
        assertThat(reporter.stats().failedRequests()).isGreaterThanOrEqualTo(1);
        assertThat(log()).contains("Could not send events to the APM Server at " + apm.url());

        apm.refuseConnections(false);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (apm.transactions().isEmpty() && System.nanoTime() < deadline) {
            record(1);
            reporter.flush(1_000);
        }
        assertThat(apm.transactions()).isNotEmpty();
        assertThat(apm.schemaViolations()).isEmpty();
        assertThat(log()).contains("works again");
    }

    @Test
    void failsOverToTheNextServerUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        startReporter(Map.of("server_url", "http://127.0.0.1:" + closedPort + "," + apm.url()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (apm.transactions().isEmpty() && System.nanoTime() < deadline) {
            record(0);
            reporter.flush(2_000);
        }
        assertThat(apm.transactions()).isNotEmpty();
    }

    @Test
    void anErrorAnswerIsLoggedOnceWithTheServersMessage() {
        apm.respondWith(503, "{\"error\":\"queue is full\"}");
        startReporter(Map.of());
        record(0);
        reporter.flush(5_000);
        apm.reset();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        apm.respondWith(503, "{\"error\":\"queue is full\"}");
        while (reporter.stats().failedRequests() < 2 && System.nanoTime() < deadline) {
            record(0);
            reporter.flush(2_000);
        }
        List<String> lines = log().lines().filter(l -> l.contains("queue is full")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("WARN").contains("503");
    }

    @Test
    void aRefusedCredentialIsNamedButNeverPrinted() {
        apm.respondWith(401, "{\"error\":\"authentication failed\"}");
        startReporter(Map.of("secret_token", "very-secret-value"));
        record(0);
        reporter.flush(5_000);
        assertThat(log()).contains("401").contains("secret_token").doesNotContain("very-secret-value");
    }

    @Test
    void aStalledServerIsAbandonedAfterServerTimeoutAndTheReporterRecovers() {
        apm.stallAfterHeaders(true);
        startReporter(Map.of("server_timeout", "1s"));
        record(1);
        long start = System.nanoTime();
        assertThat(reporter.flush(10_000)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        apm.reset();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (apm.transactions().isEmpty() && System.nanoTime() < deadline) {
            record(0);
            reporter.flush(2_000);
        }
        assertThat(apm.transactions()).isNotEmpty();
    }

    @Test
    void closeDeliversWhatWasRecorded() {
        startReporter(Map.of());
        record(3);
        reporter.close(5_000);
        assertThat(apm.spans()).hasSize(3);
        assertThat(apm.requests().get(0).status()).isEqualTo(202);
    }

    @Test
    void closeDoesNotWaitForAServerThatIsDown() {
        apm.refuseConnections(true);
        startReporter(Map.of());
        record(1);
        reporter.flush(3_000);
        long start = System.nanoTime();
        reporter.close(1_000);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    }
}
