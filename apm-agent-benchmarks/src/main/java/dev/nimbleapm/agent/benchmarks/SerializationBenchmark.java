package dev.nimbleapm.agent.benchmarks;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import org.apache.http.HttpEntity;
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

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.AgentMetadata;
import dev.nimbleapm.agent.core.report.IntakeV2Serializer;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;

/**
 * The reporter thread's work per span, without the network: {@link IntakeV2Serializer#serialize(Span)} and
 * {@code commit()} of a realistic Elasticsearch span, then - like {@code IntakeReporter.drain()} - writing the batch
 * into a {@link DeflaterOutputStream} ({@link Deflater#BEST_SPEED}, sync flush) with a flush per 16 KB of NDJSON,
 * and a new request (finish, deflater reset, metadata line) per {@code api_request_size} of compressed bytes.
 *
 * <p>The spans are recorded once, through the Elasticsearch instrumentation's own entry points (name formatter,
 * ~300 character body as {@code db.statement}, method, URL parts and status of a real client response, destination
 * and cluster as service target), and kept alive by an extra reference, so no recycling is measured here. There are
 * {@value #DISTINCT_SPANS} of them, serialized in turn, each with its own ids, timing and query values: more than
 * the deflater's 32 KB window holds, so compression sees the variety of real traffic rather than one line repeated.
 * Throughput is spans serialized (and compressed) per second on one core; the target is at least 200,000.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SerializationBenchmark {

    /** As {@code IntakeReporter}: write the batch out (and sync-flush the deflater) per 16 KB of NDJSON. */
    static final int WRITE_CHUNK_BYTES = 16 * 1024;
    /** Spans serialized in turn (a power of two). */
    static final int DISTINCT_SPANS = 256;

    private Tracer tracer;
    private final Span[] spans = new Span[DISTINCT_SPANS];
    private int next;
    private IntakeV2Serializer serializer;
    private byte[] metadataLine;
    private long apiRequestSize;
    private Deflater deflater;
    private DiscardingOutputStream network;
    private DeflaterOutputStream body;

    private long serialized;
    private long jsonBytes;
    private long compressedBytes;
    private long requests;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        AgentConfig config = Fixtures.config(Map.of("service_name", "benchmark-service", "environment",
            "production"));
        tracer = new Tracer(config, new ReleasingReporter());
        Tracer.install(tracer);
        for (int i = 0; i < DISTINCT_SPANS; i++) {
            spans[i] = recordElasticsearchSpan(tracer, i);
        }
        serializer = new IntakeV2Serializer(config.get(CoreOptions.LONG_FIELD_MAX_LENGTH));
        metadataLine = serializer.metadataLine(AgentMetadata.gather(config, "0.1.0-benchmark", "javaagent-flag"));
        apiRequestSize = config.get(CoreOptions.API_REQUEST_SIZE);
        deflater = new Deflater(Deflater.BEST_SPEED);
        network = new DiscardingOutputStream();
        openRequest();
    }

    /** A span as the instrumentation records a synchronous search, ended, and held by one extra reference. */
    static Span recordElasticsearchSpan(Tracer tracer, int variant) {
        Transaction tx = Fixtures.activeTransaction(tracer);
        Span span = Fixtures.require(EsRequests.startSync("POST", Fixtures.SEARCH_ENDPOINT), "startSync");
        EsRequests.captureBody(span, Fixtures.jsonEntity(Fixtures.searchBody(variant)), HttpEntity.class);
        span.incrementReferences();
        EsRequests.endSync(span, Fixtures.response(200), null);
        tx.deactivate();
        tx.end();
        return span;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        endRequest();
        for (Span span : spans) {
            span.decrementReferences();
        }
        Tracer.install(null);
        Fixtures.assertPoolsClean(tracer);
        if (serialized > 0 && jsonBytes > 0) {
            System.out.printf("%n[serialization] %d spans, %d intake requests: %.1f bytes of NDJSON and %.1f "
                + "compressed bytes per span%n", serialized, requests, (double) jsonBytes / serialized,
                (double) compressedBytes / serialized);
        }
    }

    private void openRequest() throws IOException {
        deflater.reset();
        network.resetCount();
        body = new DeflaterOutputStream(network, deflater, 8192, true);
        body.write(metadataLine);
    }

    private void endRequest() throws IOException {
        if (serializer.batchSize() > 0) {
            writeChunk();
        }
        body.finish();
        body.flush();
        compressedBytes += network.count();
        requests++;
    }

    private void writeChunk() throws IOException {
        jsonBytes += serializer.batchSize();
        serializer.writeBatchTo(body);
        body.flush();
    }

    /** Serialize, commit, and compress per 16 KB: one span's share of the reporter thread's work. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int serializeAndCompress() throws IOException {
        return serializeAndCompressOne();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int serializeAndCompressThroughput() throws IOException {
        return serializeAndCompressOne();
    }

    private Span nextSpan() {
        Span span = spans[next];
        next = (next + 1) & (DISTINCT_SPANS - 1);
        return span;
    }

    private int serializeAndCompressOne() throws IOException {
        serializer.serialize(nextSpan());
        serializer.commit();
        serialized++;
        if (serializer.batchSize() >= WRITE_CHUNK_BYTES) {
            writeChunk();
            if (network.count() >= apiRequestSize) {
                endRequest();
                openRequest();
            }
        }
        return serializer.batchSize();
    }

    /** Serialize and commit only (the batch is dropped per 16 KB): the JSON share of the work. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int serializeOnly() {
        serializer.serialize(nextSpan());
        serializer.commit();
        int size = serializer.batchSize();
        if (size >= WRITE_CHUNK_BYTES) {
            serializer.clearBatch();
        }
        return size;
    }

    // ------------------------------------------------------------------ for the smoke test

    IntakeV2Serializer serializer() {
        return serializer;
    }

    Span span(int index) {
        return spans[index];
    }
}
