package dev.nimbleapm.agent.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

import org.apache.http.HttpEntity;
import org.apache.http.nio.entity.NStringEntity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.io.IOUtils;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;

/**
 * Recording a request body on the application's thread, for bodies of 100 B, 10 KB and 1 MB with the default
 * {@code long_field_max_length} (10000): {@link EsRequests#captureBody} with the {@code NStringEntity} the client
 * builds for JSON (copied through {@code writeTo} into the span's pooled statement buffer, stopping once it is full),
 * and {@link IOUtils#readToCharBuffer} alone from a stream. Both must cost at most a bounded copy, whatever the size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BodyCaptureBenchmark {

    @Param({"100", "10240", "1048576"})
    public int bodySize;

    private Tracer tracer;
    private Transaction transaction;
    private Span span;
    private NStringEntity entity;
    private ByteArrayInputStream stream;
    private CharBuffer destination;

    @Setup(Level.Trial)
    public void setUp() {
        tracer = new Tracer(Fixtures.config(Collections.<String, String>emptyMap()), new ReleasingReporter());
        Tracer.install(tracer);
        String body = Fixtures.jsonBody(bodySize);
        entity = Fixtures.jsonEntity(body);
        stream = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
        destination = CharBuffer.allocate(tracer.config().get(CoreOptions.LONG_FIELD_MAX_LENGTH));
        // one Elasticsearch span on a search endpoint stays open; every capture reuses its statement buffer
        transaction = Fixtures.activeTransaction(tracer);
        span = Fixtures.require(EsRequests.startSync("POST", Fixtures.SEARCH_ENDPOINT), "startSync");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        EsRequests.endSync(span, null, null);
        transaction.deactivate();
        transaction.end();
        Tracer.install(null);
        Fixtures.assertPoolsClean(tracer);
    }

    /** The instrumentation's body capture: matching the path, reading the entity's headers, copying the body. */
    @Benchmark
    public int captureBody() {
        EsRequests.captureBody(span, entity, HttpEntity.class);
        CharSequence statement = span.db().statement();
        return statement == null ? -1 : statement.length();
    }

    /** Decoding from a stream into a char buffer (pooled decoder), stopping once the buffer is full. */
    @Benchmark
    public int readToCharBuffer() {
        stream.reset();
        destination.clear();
        int status = IOUtils.readToCharBuffer(stream, destination, StandardCharsets.UTF_8, false);
        return status + destination.remaining();
    }

    // ------------------------------------------------------------------ for the smoke test

    Span span() {
        return span;
    }

    CharBuffer destination() {
        return destination;
    }
}
