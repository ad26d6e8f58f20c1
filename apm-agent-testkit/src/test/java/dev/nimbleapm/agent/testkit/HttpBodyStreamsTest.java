package dev.nimbleapm.agent.testkit;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written HTTP pieces of {@link MockApmServer}: head parser, chunked decoder, line splitter. */
class HttpBodyStreamsTest {

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void parsesRequestHead() throws Exception {
        InputStream in = stream("\r\nPOST /intake/v2/events?x=1 HTTP/1.1\r\nHost: a\r\ncontent-encoding: gzip\r\n"
                + "Accept: a\r\nAccept: b\r\n\r\nBODY");
        HttpRequestHead head = HttpRequestHead.read(in);
        assertThat(head.method()).isEqualTo("POST");
        assertThat(head.path()).isEqualTo("/intake/v2/events");
        assertThat(head.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(head.header("accept")).isEqualTo("a, b");
        assertThat(head.keepAlive()).isTrue();
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("BODY");

        assertThat(HttpRequestHead.read(stream("GET / HTTP/1.0\r\n\r\n")).keepAlive()).isFalse();
        assertThat(HttpRequestHead.read(stream("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")).keepAlive()).isFalse();
        assertThat(HttpRequestHead.read(stream(""))).isNull();
        assertThatThrownBy(() -> HttpRequestHead.read(stream("garbage\r\n\r\n")))
                .isInstanceOf(HttpRequestHead.MalformedRequestException.class);
        assertThatThrownBy(() -> HttpRequestHead.read(stream("GET / HTTP/1.1\r\nHost: a\r\n")))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void decodesChunksWithExtensionsAndTrailersAndLeavesTheNextRequest() throws Exception {
        InputStream in = stream("5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT");
        ChunkedBodyInputStream chunked = new ChunkedBodyInputStream(in);
        assertThat(new String(chunked.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("hello, world");
        assertThat(chunked.read()).isEqualTo(-1);
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("NEXT");
    }

    @Test
    void chunkedReadReturnsWhatIsAvailableWithoutWaitingForTheNextChunk() throws Exception {
        // the second part would block (or fail) if the decoder tried to read ahead
        InputStream first = stream("3\r\nabc\r\n");
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read ahead");
            }
        };
        ChunkedBodyInputStream chunked = new ChunkedBodyInputStream(new SequenceInputStream(first, failing));
        byte[] buffer = new byte[100];
        assertThat(chunked.read(buffer, 0, buffer.length)).isEqualTo(3);
    }

    @Test
    void truncatedChunkedBodyIsAnEofAndBadSizesAreMalformed() {
        assertThatThrownBy(() -> new ChunkedBodyInputStream(stream("a\r\nabc")).readAllBytes())
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> new ChunkedBodyInputStream(stream("zz\r\nabc")).readAllBytes())
                .isInstanceOf(HttpRequestHead.MalformedRequestException.class);
        assertThatThrownBy(() -> new ChunkedBodyInputStream(stream("3\r\nabcXY0\r\n\r\n")).readAllBytes())
                .isInstanceOf(HttpRequestHead.MalformedRequestException.class);
    }

    @Test
    void fixedLengthBodyStopsAtItsLength() throws Exception {
        InputStream in = stream("0123456789NEXT");
        assertThat(new FixedLengthBodyInputStream(in, 10).readAllBytes()).hasSize(10);
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("NEXT");
        assertThatThrownBy(() -> new FixedLengthBodyInputStream(stream("abc"), 10).readAllBytes())
                .isInstanceOf(EOFException.class);
    }

    @Test
    void splitterHandsOnLinesAsSoonAsTheyAreComplete() {
        List<String> lines = new ArrayList<>();
        List<String> oversized = new ArrayList<>();
        NdjsonLineSplitter splitter = new NdjsonLineSplitter(10, new NdjsonLineSplitter.Listener() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void oversizedLine(String beginning, long length) {
                oversized.add(beginning + "/" + length);
            }
        });
        feed(splitter, "one\ntw");
        assertThat(lines).containsExactly("one");
        feed(splitter, "o\r\n\n  \nthree-is-too-long\nfour\u00e9");
        assertThat(lines).containsExactly("one", "two");
        assertThat(oversized).containsExactly("three-is-to/17");
        splitter.finish();
        assertThat(lines).containsExactly("one", "two", "four\u00e9");
    }

    private static void feed(NdjsonLineSplitter splitter, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        splitter.feed(bytes, 0, bytes.length);
    }
}
