package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.testkit.Await;
import dev.nimbleapm.agent.testkit.IntakeRequest;

/**
 * The reporter against an APM Server that misbehaves: drops connections, answers with errors, answers slowly, goes
 * away and comes back. The application's side never waits and never grows; the log says what is wrong once per kind
 * of problem; whatever is recorded once the server is healthy again arrives.
 */
class IntakeReporterFaultsTest extends ReporterAgainstMockServer {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private ReporterHarness reporter(Map<String, String> options) {
        return harness.start(apm.url(), options);
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("name").asText()).toList();
    }

    @Test
    void aConnectionDroppedMidRequestCostsThatRequestOnlyAndIsLoggedOnce() {
        apm.dropConnectionMidRequest(true);
        ReporterHarness r = reporter(Map.of());
        r.record("before-drop-1", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        r.record("before-drop-2", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(r.stats().failedRequests()).isEqualTo(2);
        assertThat(r.stats().lost()).isEqualTo(4);
        assertThat(apm.requests()).hasSize(2).allSatisfy(q -> assertThat(q.status()).isEqualTo(-1));
        assertThat(apm.transactions()).isEmpty();

        apm.dropConnectionMidRequest(false);
        r.record("after-drop", 2);
        apm.awaitCondition(s -> names(s.transactions()).contains("after-drop") && s.spans().size() == 2, WAIT);
        assertThat(names(apm.transactions())).containsExactly("after-drop");
        assertThat(r.warnings("Could not send events")).hasSize(1);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void aBrokenConnectionIsOneKindOfProblemWhateverTheTimingMadeOfIt() {
        String kind = IntakeReporter.kindOf(new java.net.SocketException("Connection reset"));
        assertThat(IntakeReporter.kindOf(new java.net.SocketException("Unexpected end of file from server")))
            .isEqualTo(kind);
        assertThat(IntakeReporter.kindOf(new java.io.IOException("Error writing request body to server")))
            .isEqualTo(kind);
        assertThat(IntakeReporter.kindOf(new java.net.SocketException("Broken pipe"))).isEqualTo(kind);
        assertThat(IntakeReporter.kindOf(new java.net.ConnectException("Connection refused"))).isNotEqualTo(kind);
        assertThat(IntakeReporter.kindOf(new javax.net.ssl.SSLHandshakeException("PKIX path building failed")))
            .isNotEqualTo(kind);
        assertThat(IntakeReporter.kindOf(new java.net.SocketTimeoutException("Read timed out"))).isNotEqualTo(kind);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "400|{\"accepted\":0,\"errors\":[{\"message\":\"decode error: data read error: invalid input for "
            + "transaction: missing properties: 'trace_id'\",\"document\":\"{}\"}]}|decode error: data read error",
        "403|{\"error\":\"unauthorized: API key lacks privileges to ingest events\"}|unauthorized: API key lacks "
            + "privileges",
        "429|{\"accepted\":0,\"errors\":[{\"message\":\"rate limit exceeded\"}]}|rate limit exceeded",
        "500|{\"error\":\"internal error: the output is unavailable\"}|internal error: the output is unavailable"})
    void anErrorAnswerIsLoggedOnceWithTheServersMessageNotOncePerEvent(int status, String body, String message) {
        apm.respondWith(status, body);
        ReporterHarness r = reporter(Map.of("api_key", "k3y-never-printed", "max_queue_size", "1024"));
        r.record("first", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        for (int i = 0; i < 50; i++) {
            r.record("more " + i, 2);
        }
        // the first failure is retried at once (backoff 0 s): a second request, with 150 events, fails the same way
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(r.stats().failedRequests()).isEqualTo(2);
        assertThat(r.stats().lost()).isEqualTo(152);
        assertThat(apm.rejectedEvents()).isEqualTo(152);

        List<String> warnings = r.warnings("Could not send events");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("answered " + status).contains(message);
        assertThat(r.log()).doesNotContain("k3y-never-printed");
        if (status == 403) {
            assertThat(warnings.get(0)).contains("api_key");
        }
        assertThat(r.log().lines().filter(l -> l.contains("[nimble-apm] WARN"))).hasSize(1);
    }

    @Test
    void aSlowServerAnsweringWithinServerTimeoutGetsEveryEvent() {
        apm.responseDelay(Duration.ofMillis(1500));
        ReporterHarness r = reporter(Map.of("server_timeout", "4s", "max_queue_size", "1024"));
        for (int i = 0; i < 20; i++) {
            r.record("slow-a " + i, 1);
        }
        assertThat(r.reporter.flush(15_000)).isTrue();
        for (int i = 0; i < 20; i++) {
            r.record("slow-b " + i, 1);
        }
        assertThat(r.reporter.flush(15_000)).isTrue();
        assertThat(apm.transactions()).hasSize(40);
        assertThat(apm.spans()).hasSize(40);
        assertThat(r.stats().failedRequests()).isZero();
        assertThat(r.stats().sent()).isEqualTo(80);
        assertThat(r.log()).doesNotContain("[nimble-apm] WARN");
    }

    @Test
    void aServerThatGoesAwayMidStreamAndComesBackGetsWhatIsRecordedAfterItsReturn() {
        ReporterHarness r = reporter(Map.of("server_timeout", "2s"));
        r.record("while-up", 1);
        apm.awaitCondition(s -> names(s.transactions()).contains("while-up"), WAIT);
        assertThat(apm.openConnections()).as("the request stays open while events keep coming").isEqualTo(1);

        apm.refuseConnections(true);
        r.record("while-down", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(r.stats().failedRequests()).isGreaterThanOrEqualTo(1);
        assertThat(r.warnings("Could not send events")).hasSize(1);

        apm.refuseConnections(false);
        r.record("after-return", 3);
        apm.awaitCondition(s -> names(s.transactions()).contains("after-return"), WAIT);
        apm.awaitCondition(s -> s.spans().stream().filter(sp -> sp.get("name").asText().startsWith("after-return"))
            .count() == 3, WAIT);
        assertThat(names(apm.transactions())).doesNotContain("while-down");
        assertThat(r.reporter.flush(10_000)).as("the request ends acknowledged").isTrue();
        assertThat(r.log()).contains("works again");
        assertThat(r.stats().consecutiveFailures()).isZero();
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void whileTheServerIsDownTheQueueDropsAndCountsAndNothingGrows() {
        apm.refuseConnections(true);
        int capacity = 64;
        ReporterHarness r = reporter(Map.of("max_queue_size", String.valueOf(capacity), "server_timeout", "1s"));
        int transactions = 10_000;
        long maxTransactionsInUse = 0;
        long maxSpansInUse = 0;
        int maxReporterThreads = 0;
        Runtime runtime = Runtime.getRuntime();
        long start = System.nanoTime();
        for (int i = 0; i < transactions; i++) {
            r.record("down " + i, 1);
            maxTransactionsInUse = Math.max(maxTransactionsInUse, r.tracer.transactionPool().objectsInUse());
            maxSpansInUse = Math.max(maxSpansInUse, r.tracer.spanPool().objectsInUse());
            if (i % 500 == 0) {
                maxReporterThreads = Math.max(maxReporterThreads, ReporterHarness.reporterThreads().size());
            }
        }
        long elapsedNanos = System.nanoTime() - start;
        long events = 2L * transactions;
        ReporterStats stats = r.stats();
        assertThat(stats.accepted() + stats.dropped()).isEqualTo(events);
        assertThat(stats.dropped()).as("dropped while the server is down").isGreaterThan(events / 2);
        // a queued span keeps its transaction: at most one pooled object per queue slot, plus the one the reporter
        // is serializing and the one the application is recording
        assertThat(maxTransactionsInUse).isLessThanOrEqualTo(capacity + 2);
        assertThat(maxSpansInUse).isLessThanOrEqualTo(capacity + 2);
        assertThat(r.tracer.transactionPool().created()).isLessThanOrEqualTo(capacity + 2);
        assertThat(r.tracer.spanPool().created()).isLessThanOrEqualTo(capacity + 2);
        assertThat(maxReporterThreads).as("reporter and watchdog at most").isLessThanOrEqualTo(2);
        assertThat(r.warnings("Could not send events")).hasSize(1);
        System.out.printf("[figures] server down: %d events recorded in %d ms (%.2f us/transaction with 1 span), "
                + "accepted %d, dropped %d, lost %d, failed requests %d; max in use %d transactions, %d spans "
                + "(max_queue_size %d); pool objects created %d transactions, %d spans; heap used %d MB%n",
            events, elapsedNanos / 1_000_000, elapsedNanos / 1000.0 / transactions, stats.accepted(),
            stats.dropped(), stats.lost(), stats.failedRequests(), maxTransactionsInUse, maxSpansInUse, capacity,
            r.tracer.transactionPool().created(), r.tracer.spanPool().created(),
            (runtime.totalMemory() - runtime.freeMemory()) >> 20);
    }

    @Test
    void aLargeBacklogDuringAnOutageCostsOneAttemptNotOnePerChunkAndWaitsForTheNext() {
        apm.refuseConnections(true);
        ReporterHarness r = harness.create(apm.url(), Map.of("max_queue_size", "4096"));
        for (int i = 0; i < 1000; i++) {
            r.record("backlog " + i, 1);
        }
        assertThat(r.stats().accepted()).isEqualTo(2000);
        r.reporter.start();
        assertThat(r.reporter.flush(10_000)).isFalse();
        // one attempt, and at once (backoff 0 s) a second one; then the backoff of 1 s holds, however many 16 kB
        // chunks the backlog still has
        assertThat(r.stats().failedRequests()).isEqualTo(2);
        assertThat(r.stats().consecutiveFailures()).isEqualTo(2);
        assertThat(r.stats().lastRetryDelayMillis()).isBetween(900L, 1100L);
        assertThat(r.stats().lost()).as("what still waits in the queue is not lost").isLessThan(1000);

        apm.refuseConnections(false);
        apm.awaitCondition(s -> !s.transactions().isEmpty(), WAIT);
        assertThat(r.reporter.flush(10_000)).isTrue();
        assertThat(apm.transactions().size() + r.stats().lost() / 2).isEqualTo(1000);
        assertThat(r.stats().failedRequests()).isEqualTo(2);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void requestsAndConnectionsComeAndGoWithoutLeaking() {
        ReporterHarness r = reporter(Map.of("api_request_time", "100ms"));
        int maxConnections = 0;
        int maxThreads = 0;
        for (int round = 0; round < 8; round++) {
            String name = "round " + round;
            r.record(name, 1);
            apm.awaitCondition(s -> s.requests().stream().anyMatch(q -> q.events() > 0)
                && names(s.transactions()).contains(name), WAIT);
            maxConnections = Math.max(maxConnections, apm.openConnections());
            maxThreads = Math.max(maxThreads, ReporterHarness.reporterThreads().size());
        }
        apm.awaitCondition(s -> s.requests().size() >= 4, WAIT);
        assertThat(maxConnections).as("kept-alive connection reused, never piling up").isLessThanOrEqualTo(2);
        assertThat(maxThreads).isLessThanOrEqualTo(2);
        assertThat(apm.transactions()).hasSize(8);

        // five more reporters, started and closed one after the other, leave no thread behind
        r.close();
        for (int i = 0; i < 5; i++) {
            try (ReporterHarness another = new ReporterHarness(LogLevel.INFO)) {
                another.start(apm.url(), Map.of());
                another.record("another " + i, 0);
                assertThat(another.reporter.flush(10_000)).isTrue();
            }
        }
        ReporterHarness.awaitNoReporterThreads(Duration.ofSeconds(10));
    }

    @Test
    void consecutiveFailuresBackOffZeroThenOneThenFourSeconds() {
        apm.respondWith(503, "{\"accepted\":0,\"errors\":[{\"message\":\"queue is full\"}]}");
        ReporterHarness r = reporter(Map.of("api_request_time", "200ms"));
        for (int attempt = 1; attempt <= 4; attempt++) {
            r.record("attempt " + attempt, 0);
            int expected = attempt;
            apm.awaitCondition(s -> s.requests().size() >= expected, WAIT);
            Await.until("failure " + attempt + " counted", () -> r.stats().failedRequests() >= expected, WAIT);
        }
        List<IntakeRequest> requests = apm.requests();
        assertThat(requests).hasSize(4).allSatisfy(q -> assertThat(q.status()).isEqualTo(503));
        assertThat(r.stats().consecutiveFailures()).isEqualTo(4);
        assertThat(r.stats().lastRetryDelayMillis()).as("9 s +-10%").isBetween(8100L, 9900L);
        // the waits before the 2nd, 3rd and 4th attempts: 0, 1 and 4 seconds (+-10% jitter); only lower bounds are
        // asserted, a busy machine may add to them
        Duration toThird = Duration.between(requests.get(1).end(), requests.get(2).start());
        Duration toFourth = Duration.between(requests.get(2).end(), requests.get(3).start());
        assertThat(toThird).isGreaterThanOrEqualTo(Duration.ofMillis(850));
        assertThat(toFourth).isGreaterThanOrEqualTo(Duration.ofMillis(3500));
        assertThat(r.warnings("queue is full")).hasSize(1);
    }

    @Test
    void aThrowingSpanNameFormatterCostsTheNameOnlyIsCountedAndLoggedOnce() {
        ReporterHarness r = reporter(Map.of());
        Transaction tx = r.tracer.startRootTransaction();
        tx.setName("with broken formatter");
        for (int i = 0; i < 3; i++) {
            Span span = r.tracer.startSpan(tx);
            span.setNameFormatter((s, out) -> {
                out.append("half a name");
                throw new IllegalStateException("formatter bug");
            });
            span.end();
        }
        Span fine = r.tracer.startSpan(tx);
        fine.setName("fine span");
        fine.end();
        tx.end();
        assertThat(r.reporter.flush(10_000)).isTrue();

        assertThat(names(apm.spans())).containsExactlyInAnyOrder("unnamed", "unnamed", "unnamed", "fine span");
        assertThat(apm.transactions()).hasSize(1);
        assertThat(r.stats().serializationErrors()).isEqualTo(3);
        assertThat(r.warnings("formatter bug")).hasSize(1);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void anEventThatFailsHalfWayIsDroppedCountedAndLoggedOnceAndTheStreamStaysValid() {
        ReporterHarness r = reporter(Map.of());
        r.record("before", 1);
        Transaction tx = r.tracer.startRootTransaction();
        tx.setName("broken labels");
        for (int i = 0; i < 2; i++) {
            Span span = r.tracer.startSpan(tx);
            span.setName("broken " + i);
            span.labels().put("fine", "value");
            span.labels().put("broken", new BrokenNumber());
            span.end();
        }
        tx.end();
        r.record("after", 1);
        assertThat(r.reporter.flush(10_000)).isTrue();

        assertThat(names(apm.transactions())).containsExactlyInAnyOrder("before", "broken labels", "after");
        assertThat(names(apm.spans())).containsExactlyInAnyOrder("before span 0", "after span 0");
        assertThat(r.stats().serializationErrors()).isEqualTo(2);
        assertThat(r.warnings("Could not serialize a Span")).hasSize(1);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    /** A label value whose conversion throws, standing in for any bug met half-way through an event. */
    private static final class BrokenNumber extends Number {
        @Override
        public int intValue() {
            throw new ArithmeticException("broken number");
        }

        @Override
        public long longValue() {
            throw new ArithmeticException("broken number");
        }

        @Override
        public float floatValue() {
            throw new ArithmeticException("broken number");
        }

        @Override
        public double doubleValue() {
            throw new ArithmeticException("broken number");
        }
    }
}
