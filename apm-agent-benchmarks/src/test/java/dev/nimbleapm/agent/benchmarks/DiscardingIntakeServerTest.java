package dev.nimbleapm.agent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.http.HttpEntity;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.IntakeReporter;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;

/** The counting intake server that the overhead benchmark relies on to prove that every event arrived. */
class DiscardingIntakeServerTest {

    @Test
    void countsTheEventsOfTheRealReporterByType() throws Exception {
        try (DiscardingIntakeServer server = DiscardingIntakeServer.startCounting()) {
            // a small api_request_size: several intake requests, each its own deflate stream
            record(server, "2kb", tracer -> {
                for (int t = 0; t < 3; t++) {
                    Transaction tx = Fixtures.activeTransaction(tracer);
                    for (int i = 0; i < 100; i++) {
                        Span span = EsRequests.startSync("POST", Fixtures.SEARCH_ENDPOINT);
                        EsRequests.captureBody(span, Fixtures.jsonEntity(Fixtures.searchBody(i)), HttpEntity.class);
                        EsRequests.endSync(span, Fixtures.response(200), null);
                    }
                    tx.deactivate();
                    tx.end();
                }
            });
            assertThat(server.transactions()).isEqualTo(3);
            assertThat(server.spans()).isEqualTo(300);
            assertThat(server.errors()).isZero();
            assertThat(server.requests()).as("intake requests").isGreaterThan(1);
            assertThat(server.otherLines()).as("a metadata line per intake request").isEqualTo(server.requests());
            assertThat(server.inflatedBytes()).isGreaterThan(300 * 500L).isGreaterThan(server.bodyBytes());

            server.resetCounters();
            assertThat(server.spans()).isZero();
            assertThat(server.inflatedBytes()).isZero();
        }
    }

    @Test
    void theDiscardingServerCountsNothing() throws Exception {
        try (DiscardingIntakeServer server = DiscardingIntakeServer.start()) {
            record(server, "768kb", tracer -> {
                Transaction tx = Fixtures.activeTransaction(tracer);
                tx.deactivate();
                tx.end();
            });
            assertThat(server.bodyBytes()).isPositive();
            assertThat(server.transactions()).isZero();
            assertThat(server.inflatedBytes()).isZero();
        }
    }

    /** Records with a real reporter that ships to {@code server}, and waits until it has delivered everything. */
    private static void record(DiscardingIntakeServer server, String apiRequestSize, Consumer<Tracer> events) {
        Map<String, String> options = new HashMap<>();
        options.put("server_url", server.url());
        options.put("service_name", "counting-test");
        options.put("api_request_size", apiRequestSize);
        AgentConfig config = Fixtures.config(options);
        IntakeReporter reporter = new IntakeReporter(config, "0.1.0-test", "javaagent-flag");
        Tracer tracer = new Tracer(config, reporter);
        reporter.start();
        Tracer.install(tracer);
        try {
            events.accept(tracer);
            assertThat(reporter.flush(30_000)).isTrue();
        } finally {
            reporter.close(5000);
            Tracer.install(null);
        }
    }
}
