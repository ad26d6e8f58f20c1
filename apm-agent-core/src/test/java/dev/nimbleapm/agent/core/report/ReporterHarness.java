package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.testkit.Await;

/**
 * A real {@link IntakeReporter} and {@link Tracer} for one test, with the agent's log captured: what the fault tests
 * share. {@link #close()} closes the reporter and checks that every pooled object came back and that the reporter's
 * threads ended.
 */
final class ReporterHarness implements AutoCloseable {

    static final String THREAD_PREFIX = "apm-reporter";

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream originalErr = System.err;
    IntakeReporter reporter;
    Tracer tracer;

    ReporterHarness(LogLevel level) {
        awaitNoReporterThreads(Duration.ofSeconds(10));
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        AgentLogger.configure(level, "System.err");
        AgentLogger.resetOnceKeys();
    }

    ReporterHarness start(String serverUrl, Map<String, String> extra) {
        create(serverUrl, extra);
        reporter.start();
        return this;
    }

    /** The reporter and tracer, the reporter not started yet: what is recorded waits in its queue. */
    ReporterHarness create(String serverUrl, Map<String, String> extra) {
        Map<String, String> options = new HashMap<>();
        options.put("server_url", serverUrl);
        options.put("service_name", "reporter-faults");
        options.putAll(extra);
        AgentConfig config = ConfigLoader.load(Collections.emptyList(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("test", options)));
        reporter = new IntakeReporter(config, "1.2.3", "javaagent-flag");
        tracer = new Tracer(config, reporter);
        return this;
    }

    ReporterStats stats() {
        return reporter.stats();
    }

    /** One transaction named {@code name} with {@code spans} child spans. */
    void record(String name, int spans) {
        Transaction tx = tracer.startRootTransaction();
        tx.setName(name);
        for (int i = 0; i < spans; i++) {
            Span span = tracer.startSpan(tx);
            span.setName(name + " span " + i);
            span.end();
        }
        tx.end();
    }

    String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** Lines of the agent's log at WARN that contain {@code part}. */
    List<String> warnings(String part) {
        return log().lines().filter(l -> l.contains("[nimble-apm] WARN") && l.contains(part)).toList();
    }

    static List<Thread> reporterThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith(THREAD_PREFIX) && t.isAlive()).toList();
    }

    static void awaitNoReporterThreads(Duration timeout) {
        Await.until("no " + THREAD_PREFIX + "* thread alive", () -> reporterThreads().isEmpty(), timeout,
            () -> "alive: " + reporterThreads());
    }

    /** Closes the reporter; every pooled object must have come back and the reporter's threads must end. */
    @Override
    public void close() {
        try {
            if (reporter != null) {
                reporter.close(2000);
                awaitNoReporterThreads(Duration.ofSeconds(10));
                assertThat(tracer.transactionPool().objectsInUse()).as("transactions returned").isZero();
                assertThat(tracer.spanPool().objectsInUse()).as("spans returned").isZero();
                assertThat(tracer.errorPool().objectsInUse()).as("errors returned").isZero();
                assertThat(tracer.poolViolations()).isZero();
            }
        } finally {
            System.setErr(originalErr);
            AgentLogger.configure(LogLevel.INFO, "System.err");
        }
    }
}
