package dev.nimbleapm.agent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.nimbleapm.agent.core.io.IOUtils;

/**
 * Runs every benchmark method a few times as plain Java, without JMH, with the same set-up and tear-down (which
 * fail when pooled objects leak), so that the benchmarks keep compiling and measuring what they claim.
 */
class BenchmarksSmokeTest {

    @Test
    void tracerBenchmark() {
        TracerBenchmark b = new TracerBenchmark();
        b.setUp();
        try {
            long before = b.reporter().reported();
            assertThat(b.transactionWithExitSpan()).isNotZero();
            assertThat(b.transactionWithExitSpanThroughput()).isNotZero();
            assertThat(b.reporter().reported() - before).as("transaction and span reported twice").isEqualTo(4);
            assertThat(b.esRequest()).isNotZero();
            assertThat(b.esRequestThroughput()).isNotZero();
            assertThat(b.esRequestWithBody()).isNotZero();
            assertThat(b.reporter().reported() - before).isEqualTo(10);
            b.activateDeactivate();
            assertThat(b.tracer().activationStack().depth()).isZero();
            assertThat(b.tracer().spanPool().objectsInUse()).isZero();
            assertThat(b.tracer().transactionPool().objectsInUse()).as("the trial's own transaction").isEqualTo(1);
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 10240, 1048576})
    void bodyCaptureBenchmark(int size) {
        BodyCaptureBenchmark b = new BodyCaptureBenchmark();
        b.bodySize = size;
        b.setUp();
        try {
            int expected = Math.min(size, 10000);
            for (int i = 0; i < 3; i++) {
                assertThat(b.captureBody()).as("captured chars").isEqualTo(expected);
                assertThat(b.span().db().statement().toString()).startsWith("{\"query\":");
                int status = size > 10000 ? IOUtils.TRUNCATED : IOUtils.COMPLETE;
                assertThat(b.readToCharBuffer()).isEqualTo(status + expected);
                assertThat(b.destination().toString()).startsWith("{\"query\":").hasSize(expected);
            }
            assertThat(IOUtils.decodersInUse()).isZero();
        } finally {
            b.tearDown();
        }
    }

    @Test
    void serializationBenchmark() throws IOException {
        SerializationBenchmark b = new SerializationBenchmark();
        b.setUp();
        try {
            assertThat(b.serializeOnly()).isPositive();
            String line = b.serializer().batchAsString();
            assertThat(line).startsWith("{\"span\":{").endsWith("}}\n")
                .contains("\"name\":\"Elasticsearch: POST /")
                .contains("\"type\":\"db\",\"subtype\":\"elasticsearch\",\"action\":\"request\"")
                .contains("\"statement\":\"{\\\"query\\\":{\\\"bool\\\"")
                .contains("\"method\":\"POST\",\"status_code\":200")
                .contains("\"url\":\"https://es-node-1.internal:9200" + Fixtures.SEARCH_ENDPOINT + "\"")
                .contains("\"address\":\"es-node-1.internal\",\"port\":9200")
                .contains("\"resource\":\"elasticsearch/production-logs\"")
                .contains("\"target\":{\"type\":\"elasticsearch\",\"name\":\"production-logs\"}");
            assertThat(b.span(0).db().statement().length()).isBetween(250, 400);
            assertThat(b.span(0).id()).isNotEqualTo(b.span(1).id());
            assertThat(b.span(0).db().statement().toString()).isNotEqualTo(b.span(1).db().statement().toString());
            b.serializer().clearBatch();
            // enough spans to write several 16 KB chunks through the deflater
            for (int i = 0; i < SerializationBenchmark.DISTINCT_SPANS; i++) {
                b.serializeAndCompress();
                b.serializeAndCompressThroughput();
            }
            assertThat(b.serializer().batchSize()).isLessThan(SerializationBenchmark.WRITE_CHUNK_BYTES);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void reporterThroughputBenchmark() throws IOException {
        ReporterThroughputBenchmark b = new ReporterThroughputBenchmark();
        b.setUp();
        try {
            assertThat(b.shipSpans()).isNotZero();
            assertThat(b.stats().sent()).isEqualTo(ReporterThroughputBenchmark.SPANS_PER_BATCH + 1);
            assertThat(b.server().requests()).isPositive();
            assertThat(b.server().bodyBytes()).isPositive();
        } finally {
            b.tearDown();
        }
    }
}
