package dev.nimbleapm.agent.plugin.es.restclient.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.http.HttpEntity;
import org.apache.http.client.entity.GzipCompressingEntity;
import org.apache.http.entity.AbstractHttpEntity;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.entity.StringEntity;
import org.apache.http.nio.entity.NStringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.io.IOUtils;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;

/** Body capture against real HttpCore entities, through the same method-handle access the advice uses. */
class EsBodyCaptureTest {

    private static final String SEARCH = "{\"query\":{\"match\":{\"title\":\"caf\u00e9\"}}}";

    private RecordingReporter reporter;
    private Tracer tracer;
    private Transaction tx;

    @BeforeEach
    void start() {
        configure(Map.of("long_field_max_length", "100"));
    }

    private void configure(Map<String, String> options) {
        reporter = new RecordingReporter();
        AgentConfig config = ConfigLoader.load(new EsOptions().options(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("test", options)));
        tracer = new Tracer(config, reporter);
        Tracer.install(tracer);
        tx = tracer.startRootTransaction();
        tx.activate();
    }

    @AfterEach
    void stop() {
        tx.deactivate();
        tx.end();
        assertThat(tracer.spanPool().objectsInUse()).isZero();
        assertThat(tracer.statementBufferPool().objectsInUse()).isZero();
        assertThat(tracer.smallStatementBufferPool().objectsInUse()).isZero();
        assertThat(IOUtils.decodersInUse()).isZero();
        Tracer.install(null);
    }

    private String capture(String path, HttpEntity entity) {
        Span span = EsRequests.startSync("POST", path);
        EsRequests.captureBody(span, entity, HttpEntity.class);
        EsRequests.endSync(span, null, null);
        return reporter.statements.get(reporter.statements.size() - 1);
    }

    @Test
    void capturesSearchBodyWhenEntityIsRepeatable() {
        assertThat(capture("/books/_search", new NStringEntity(SEARCH, ContentType.APPLICATION_JSON)))
            .isEqualTo(SEARCH);
        assertThat(capture("/books/_search", new StringEntity(SEARCH, ContentType.APPLICATION_JSON)))
            .isEqualTo(SEARCH);
    }

    @Test
    void capturesNothingForPathsOutsideTheCaptureList() {
        assertThat(capture("/books/_doc/1", new NStringEntity(SEARCH, ContentType.APPLICATION_JSON))).isNull();
    }

    @Test
    void anEmptyCaptureListCapturesNothing() {
        tx.deactivate();
        tx.end();
        configure(Map.of("elasticsearch_capture_body_urls", ""));
        assertThat(capture("/books/_search", new NStringEntity(SEARCH, ContentType.APPLICATION_JSON))).isNull();
    }

    @Test
    void neverReadsANonRepeatableEntity() {
        CountingStream stream = new CountingStream(SEARCH.getBytes(StandardCharsets.UTF_8));
        assertThat(capture("/books/_search", new InputStreamEntity(stream, -1, ContentType.APPLICATION_JSON)))
            .isNull();
        assertThat(stream.reads).isZero();
    }

    @Test
    void fallsBackToWriteToWhenGetContentThrows() {
        GzipCompressingEntity gzip = new GzipCompressingEntity(new StringEntity(SEARCH, ContentType.APPLICATION_JSON));
        assertThat(capture("/books/_search", gzip)).as("decompressed through writeTo").isEqualTo(SEARCH);
    }

    @Test
    void decompressesGzipContent() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(SEARCH.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayEntity entity = new ByteArrayEntity(out.toByteArray(), ContentType.APPLICATION_JSON);
        entity.setContentEncoding("gzip");
        assertThat(capture("/books/_search", entity)).isEqualTo(SEARCH);
    }

    @Test
    void decodesTheDeclaredCharset() {
        byte[] latin1 = SEARCH.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(capture("/books/_search", new ByteArrayEntity(latin1,
            ContentType.create("application/json", StandardCharsets.ISO_8859_1)))).isEqualTo(SEARCH);
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        byte[] latin1 = SEARCH.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(capture("/books/_search", new ByteArrayEntity(latin1, ContentType.APPLICATION_JSON)))
            .contains("caf\uFFFD");
    }

    @Test
    void truncatesLongBodiesAtLongFieldMaxLength() {
        String large = "{\"query\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
        String statement = capture("/books/_search", new NStringEntity(large, ContentType.APPLICATION_JSON));
        assertThat(statement).hasSize(100).isEqualTo(large.substring(0, 100));
    }

    @Test
    void readsOnlyABoundedPrefixOfLargeStreams() {
        CountingStream stream = new CountingStream(("{\"q\":\"" + "y".repeat(4 * 1024 * 1024) + "\"}")
            .getBytes(StandardCharsets.UTF_8));
        HttpEntity repeatable = new AbstractHttpEntity() {
            @Override
            public boolean isRepeatable() {
                return true;
            }

            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public InputStream getContent() {
                return stream;
            }

            @Override
            public void writeTo(OutputStream out) {
                throw new AssertionError("not used");
            }

            @Override
            public boolean isStreaming() {
                return false;
            }
        };
        assertThat(capture("/books/_search", repeatable)).hasSize(100);
        assertThat(stream.reads).isLessThanOrEqualTo(16 * 1024);
        assertThat(stream.closed).isTrue();
    }

    @Test
    void dropsBinaryContent() {
        byte[] smileLike = new byte[64];
        for (int i = 0; i < smileLike.length; i++) {
            smileLike[i] = (byte) (i * 37);
        }
        assertThat(capture("/books/_search", new ByteArrayEntity(smileLike, ContentType.APPLICATION_JSON))).isNull();
        assertThat(capture("/books/_search", new ByteArrayEntity(smileLike,
            ContentType.create("application/smile")))).isNull();
    }

    @Test
    void aThrowingEntityIsHarmless() {
        HttpEntity broken = new AbstractHttpEntity() {
            @Override
            public boolean isRepeatable() {
                return true;
            }

            @Override
            public long getContentLength() {
                return 10;
            }

            @Override
            public InputStream getContent() throws IOException {
                throw new IOException("broken");
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                throw new IOException("broken");
            }

            @Override
            public boolean isStreaming() {
                return false;
            }
        };
        assertThat(capture("/books/_search", broken)).isNull();
    }

    @Test
    void steadyStateCaptureOfAnInMemoryBodyAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        NStringEntity entity = new NStringEntity(SEARCH, ContentType.APPLICATION_JSON);
        Span span = tracer.startSpan(tx);
        span.http().withPath("/books/_search");
        for (int i = 0; i < 20_000; i++) {
            EsRequests.captureBody(span, entity, HttpEntity.class);
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 10_000; i++) {
            EsRequests.captureBody(span, entity, HttpEntity.class);
        }
        long perCapture = (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / 10_000;
        span.end();
        assertThat(perCapture).as("bytes allocated per body capture").isLessThan(8);
    }

    private static final class CountingStream extends ByteArrayInputStream {
        int reads;
        boolean closed;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            if (n > 0) {
                reads += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
