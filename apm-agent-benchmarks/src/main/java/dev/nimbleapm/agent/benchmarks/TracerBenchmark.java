package dev.nimbleapm.agent.benchmarks;

import java.util.Collections;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;

/**
 * What the agent costs the application's thread per traced request: the tracer's lifecycle calls, from pools and
 * back (the reporter releases each event at once, so every iteration takes and returns pooled objects), the same
 * through the Elasticsearch instrumentation's entry points with a real client {@code Response}, and activation alone.
 *
 * <p>Each lifecycle is measured twice: as average time (ns/op) and as throughput (ops/s) on one thread.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TracerBenchmark {

    private Tracer tracer;
    private ReleasingReporter reporter;
    private Response response;
    private NStringEntity searchEntity;
    private Transaction activeTransaction;

    @Setup(Level.Trial)
    public void setUp() {
        reporter = new ReleasingReporter();
        tracer = new Tracer(Fixtures.config(Collections.<String, String>emptyMap()), reporter);
        Tracer.install(tracer);
        response = Fixtures.response(200);
        searchEntity = Fixtures.jsonEntity(Fixtures.searchBody());
        // for activation alone: one transaction that stays started for the whole trial
        activeTransaction = tracer.startRootTransaction();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        activeTransaction.end();
        Tracer.install(null);
        Fixtures.assertPoolsClean(tracer);
    }

    // ------------------------------------------------------------------ (a) tracer lifecycle

    /**
     * Root transaction, activate, exit span, activate, deactivate, end, deactivate, end: two pooled objects out and
     * back, four activation stack operations, eight reference count changes.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long transactionWithExitSpan() {
        return transactionWithExitSpanCycle();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long transactionWithExitSpanThroughput() {
        return transactionWithExitSpanCycle();
    }

    private long transactionWithExitSpanCycle() {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Span span = tracer.startExitSpan();
        span.activate();
        long id = span.id();
        span.deactivate();
        span.end();
        tx.deactivate();
        tx.end();
        return id;
    }

    // ------------------------------------------------------------------ (b) Elasticsearch request cycle

    /**
     * A transaction around one synchronous Elasticsearch request as the advice records it: {@code startSync} (exit
     * span with type, name formatter, db, http and destination facts, activated) and {@code endSync} with a real
     * client {@code Response} (status, node, cluster header read through method handles).
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long esRequest() {
        return esRequestCycle(false);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long esRequestThroughput() {
        return esRequestCycle(false);
    }

    /** {@link #esRequest()} plus capturing the ~300 character search body into a pooled statement buffer. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long esRequestWithBody() {
        return esRequestCycle(true);
    }

    private long esRequestCycle(boolean captureBody) {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Span span = EsRequests.startSync("POST", Fixtures.SEARCH_ENDPOINT);
        if (captureBody) {
            EsRequests.captureBody(span, searchEntity, HttpEntity.class);
        }
        long id = span.id();
        EsRequests.endSync(span, response, null);
        tx.deactivate();
        tx.end();
        return id;
    }

    // ------------------------------------------------------------------ (c) activation alone

    /** Push and pop of this thread's activation stack (thread-local lookup, two reference count changes). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void activateDeactivate() {
        activeTransaction.activate();
        activeTransaction.deactivate();
    }

    // ------------------------------------------------------------------ for the smoke test

    Tracer tracer() {
        return tracer;
    }

    ReleasingReporter reporter() {
        return reporter;
    }
}
