package dev.nimbleapm.agent.benchmarks;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.http.HttpEntity;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.IntakeReporter;
import dev.nimbleapm.agent.core.report.ReporterStats;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;

/**
 * The intake reporter end to end: the benchmark thread records {@value #SPANS_PER_BATCH} Elasticsearch spans (with
 * a ~300 character body each) in one transaction, then waits in {@link IntakeReporter#flush} until the reporter
 * thread has queued, serialized, deflated and streamed them over HTTP to a loopback server that discards the bytes
 * and answered. Ops are spans shipped; on a 2-core machine the two threads run in parallel, so the rate is the
 * reporter thread's (recording is several times cheaper than shipping).
 *
 * <p>Each flush ends the intake request, so every batch also pays for one HTTP request (metadata line, response).
 * Two more warm-up iterations than the other benchmarks: two busy threads share the machine's cores with the JIT.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReporterThroughputBenchmark {

    /** Spans per invocation; with the transaction, one reporter batch (at most 4096 events). */
    public static final int SPANS_PER_BATCH = 4000;

    private DiscardingIntakeServer server;
    private IntakeReporter reporter;
    private Tracer tracer;
    private Response response;
    private final NStringEntity[] searchEntities = new NStringEntity[16];
    private long batches;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = DiscardingIntakeServer.start();
        Map<String, String> options = new HashMap<>();
        options.put("server_url", server.url());
        options.put("service_name", "benchmark-service");
        options.put("max_queue_size", "8192");
        options.put("transaction_max_spans", "100000");
        AgentConfig config = Fixtures.config(options);
        reporter = new IntakeReporter(config, "0.1.0-benchmark", "javaagent-flag");
        tracer = new Tracer(config, reporter);
        reporter.start();
        Tracer.install(tracer);
        response = Fixtures.response(200);
        for (int i = 0; i < searchEntities.length; i++) {
            searchEntities[i] = Fixtures.jsonEntity(Fixtures.searchBody(i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reporter.close(5000);
        Tracer.install(null);
        server.close();
        ReporterStats stats = reporter.stats();
        long events = batches * (SPANS_PER_BATCH + 1);
        System.out.printf("%n[reporter] %d spans in %d batches; %d intake requests, %.1f compressed bytes per span; "
            + "%s%n", batches * SPANS_PER_BATCH, batches, server.requests(),
            batches == 0 ? 0.0 : (double) server.bodyBytes() / (batches * SPANS_PER_BATCH), stats);
        if (stats.dropped() != 0 || stats.lost() != 0 || stats.sent() != events) {
            throw new IllegalStateException("The reporter did not ship every event: " + stats + ", expected "
                + events + " sent");
        }
        Fixtures.assertPoolsClean(tracer);
    }

    /** Spans shipped per second, end to end. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(SPANS_PER_BATCH)
    public long shipSpansThroughput() {
        return recordAndShip();
    }

    /** The same as time per span shipped. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(SPANS_PER_BATCH)
    public long shipSpans() {
        return recordAndShip();
    }

    private long recordAndShip() {
        Transaction tx = Fixtures.activeTransaction(tracer);
        long ids = 0;
        for (int i = 0; i < SPANS_PER_BATCH; i++) {
            Span span = EsRequests.startSync("POST", Fixtures.SEARCH_ENDPOINT);
            EsRequests.captureBody(span, searchEntities[i & 15], HttpEntity.class);
            ids += span.id();
            EsRequests.endSync(span, response, null);
        }
        tx.deactivate();
        tx.end();
        if (!reporter.flush(30_000)) {
            throw new IllegalStateException("The reporter did not deliver a batch within 30 s: " + reporter.stats());
        }
        batches++;
        return ids;
    }

    // ------------------------------------------------------------------ for the smoke test

    ReporterStats stats() {
        return reporter.stats();
    }

    DiscardingIntakeServer server() {
        return server;
    }
}
