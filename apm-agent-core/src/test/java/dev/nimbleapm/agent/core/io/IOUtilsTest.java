package dev.nimbleapm.agent.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IOUtilsTest {

    private final CharBufferPool pool = new CharBufferPool(64, 4);

    @AfterEach
    void decodersAndBuffersAreReturned() {
        assertThat(IOUtils.decodersInUse()).isZero();
    }

    @Test
    void copiesUtf8Text() {
        CharBuffer dest = pool.take();
        int status = IOUtils.readToCharBuffer(stream("{\"query\":\"café\"}"), dest, null, false);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo("{\"query\":\"café\"}");
        pool.recycle(dest);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7})
    void reassemblesMultiByteCharactersSplitAcrossReads(int bytesPerRead) {
        String text = "ü€𝄞 mixed ascii 日本語 ✓";
        CharBuffer dest = CharBuffer.allocate(100);
        int status = IOUtils.readToCharBuffer(new TrickleInputStream(text.getBytes(StandardCharsets.UTF_8),
            bytesPerRead), dest, null, false);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo(text);
    }

    @Test
    void reassemblesCharactersSplitAcrossTheInternalBufferBoundary() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8191; i++) {
            sb.append('a');
        }
        sb.append("€€€ end");
        CharBuffer dest = CharBuffer.allocate(9000);
        int status = IOUtils.readToCharBuffer(stream(sb.toString()), dest, null, false);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo(sb.toString());
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
        byte[] bytes = {'a', 'b', (byte) 0xC3, 'c', (byte) 0xFF, 'd'};
        CharBuffer dest = CharBuffer.allocate(20);
        int status = IOUtils.readToCharBuffer(new ByteArrayInputStream(bytes), dest, null, false);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo("ab\uFFFDc\uFFFDd");
    }

    @Test
    void truncatedMultiByteSequenceAtTheEndIsReplaced() {
        byte[] bytes = {'o', 'k', (byte) 0xE2, (byte) 0x82};
        CharBuffer dest = CharBuffer.allocate(20);
        IOUtils.readToCharBuffer(new ByteArrayInputStream(bytes), dest, null, false);
        assertThat(dest.toString()).isEqualTo("ok\uFFFD");
    }

    @Test
    void stopsReadingWhenTheDestinationIsFull() {
        byte[] text = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(text, (byte) 'x');
        CountingStream in = new CountingStream(text);
        CharBuffer dest = CharBuffer.allocate(1000);
        int status = IOUtils.readToCharBuffer(in, dest, null, false);
        assertThat(status).isEqualTo(IOUtils.TRUNCATED);
        assertThat(dest.remaining()).isEqualTo(1000);
        assertThat(in.bytesRead).isLessThanOrEqualTo(2 * 8192);
    }

    @Test
    void decodesOtherCharsets() {
        CharBuffer dest = CharBuffer.allocate(20);
        IOUtils.readToCharBuffer(new ByteArrayInputStream("café".getBytes(StandardCharsets.ISO_8859_1)), dest,
            StandardCharsets.ISO_8859_1, false);
        assertThat(dest.toString()).isEqualTo("café");
    }

    @Test
    void gunzipsCompressedInput() throws IOException {
        String json = "{\"query\":{\"match_all\":{}}}";
        CharBuffer dest = CharBuffer.allocate(100);
        int status = IOUtils.readToCharBuffer(new ByteArrayInputStream(gzip(json, true)), dest, null, true);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo(json);
    }

    @Test
    void gzipWithHeaderFieldsIsUnderstood() throws IOException {
        byte[] body = gzip("hello gzip", false);
        // add FNAME and FCOMMENT fields to the header
        byte[] extra = "name\0comment\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] withFields = new byte[body.length + extra.length];
        System.arraycopy(body, 0, withFields, 0, 10);
        withFields[3] = (byte) (8 | 16);
        System.arraycopy(extra, 0, withFields, 10, extra.length);
        System.arraycopy(body, 10, withFields, 10 + extra.length, body.length - 10);
        CharBuffer dest = CharBuffer.allocate(100);
        int status = IOUtils.readToCharBuffer(new TrickleInputStream(withFields, 3), dest, null, true);
        assertThat(status).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo("hello gzip");
    }

    @Test
    void notGzipWhenGzipIsExpectedFails() {
        CharBuffer dest = CharBuffer.allocate(100);
        int status = IOUtils.readToCharBuffer(stream("plain"), dest, null, true);
        assertThat(status).isEqualTo(IOUtils.FAILED);
    }

    @Test
    void compressedBytesReadAsTextAreReportedAsBinary() throws IOException {
        byte[] compressed = gzip("{\"query\":{\"match\":{\"title\":\"a rather long text to compress\"}}}".repeat(20),
            true);
        CharBuffer dest = CharBuffer.allocate(4000);
        int status = IOUtils.readToCharBuffer(new ByteArrayInputStream(compressed), dest, null, false);
        assertThat(status).isEqualTo(IOUtils.BINARY);
    }

    @Test
    void sinkTakesWritesAndCanStopTheProducerEarly() throws IOException {
        CharBuffer dest = CharBuffer.allocate(5);
        TextDecoder sink = IOUtils.openSink(dest, null, false, true);
        sink.write("abc".getBytes(StandardCharsets.UTF_8));
        try {
            sink.write("defgh".getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("expected the sink to stop the producer");
        } catch (IOException expected) {
            assertThat(expected).isSameAs(TextDecoder.CAPTURE_COMPLETE);
        }
        assertThat(IOUtils.finish(sink)).isEqualTo(IOUtils.TRUNCATED);
        assertThat(dest.toString()).isEqualTo("abcde");
    }

    @Test
    void sinkWithoutAbortIgnoresWritesAfterFull() throws IOException {
        CharBuffer dest = CharBuffer.allocate(3);
        TextDecoder sink = IOUtils.openSink(dest, null, false, false);
        sink.write("abcdef".getBytes(StandardCharsets.UTF_8));
        sink.write('g');
        assertThat(IOUtils.finish(sink)).isEqualTo(IOUtils.TRUNCATED);
        assertThat(dest.toString()).isEqualTo("abc");
    }

    @Test
    void sinkGunzips() throws IOException {
        CharBuffer dest = CharBuffer.allocate(100);
        TextDecoder sink = IOUtils.openSink(dest, null, true, false);
        byte[] compressed = gzip("{\"size\":0}", true);
        for (byte b : compressed) {
            sink.write(b);
        }
        assertThat(IOUtils.finish(sink)).isEqualTo(IOUtils.COMPLETE);
        assertThat(dest.toString()).isEqualTo("{\"size\":0}");
    }

    @Test
    void failingStreamReportsFailed() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("gone");
            }
        };
        CharBuffer dest = CharBuffer.allocate(10);
        assertThat(IOUtils.readToCharBuffer(failing, dest, null, false)).isEqualTo(IOUtils.FAILED);
    }

    @Test
    void steadyStateCopyAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] body = "{\"query\":{\"match\":{\"title\":\"steady\"}}}".getBytes(StandardCharsets.UTF_8);
        CharBuffer dest = CharBuffer.allocate(200);
        ReusableStream in = new ReusableStream(body);
        for (int i = 0; i < 20_000; i++) {
            in.rewind();
            dest.clear();
            IOUtils.readToCharBuffer(in, dest, null, false);
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 10_000; i++) {
            in.rewind();
            dest.clear();
            IOUtils.readToCharBuffer(in, dest, null, false);
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertThat(allocated / 10_000).as("bytes allocated per copy").isLessThan(8);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(String s, boolean plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** Hands out at most n bytes per read, to split multi-byte characters. */
    private static final class TrickleInputStream extends FilterInputStream {
        private final int n;

        TrickleInputStream(byte[] bytes, int n) {
            super(new ByteArrayInputStream(bytes));
            this.n = n;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, n));
        }
    }

    private static final class CountingStream extends ByteArrayInputStream {
        long bytesRead;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytesRead += n;
            }
            return n;
        }
    }

    private static final class ReusableStream extends ByteArrayInputStream {
        ReusableStream(byte[] bytes) {
            super(bytes);
        }

        void rewind() {
            pos = 0;
        }
    }
}
