package dev.nimbleapm.agent.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import dev.nimbleapm.agent.core.pool.ObjectPool;
import dev.nimbleapm.agent.core.pool.Recyclable;

/**
 * Copies bytes - pushed through {@link #write} (so that it can be handed to {@code HttpEntity.writeTo}) or pulled
 * from a stream with {@link #readFrom} - into a caller's {@link CharBuffer}, decoding them with a reused
 * {@link CharsetDecoder} and, for gzip content, a reused {@link Inflater}. Nothing is allocated per use.
 *
 * <p>Bounded: once the destination is full, input is no longer decoded (and, with {@code abortWhenFull}, a write
 * throws {@link #CAPTURE_COMPLETE} so a producer stops early). Multi-byte characters split across writes or reads
 * are reassembled. Malformed input becomes U+FFFD; input that decodes to mostly replacement or control characters
 * is reported as {@link IOUtils#BINARY} so callers never record binary garbage as text.
 *
 * <p>Obtained from and returned to {@link IOUtils}; used by one thread at a time.
 */
public final class TextDecoder extends OutputStream implements Recyclable {

    /** Thrown by a write once the destination is full and the caller asked to stop early. No stack trace. */
    public static final IOException CAPTURE_COMPLETE = new IOException("capture complete") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final int BUFFER_SIZE = 8192;
    private static final int INSPECTED_CHARS = 1024;

    private final ObjectPool<TextDecoder> pool;
    private final ByteBuffer pending = ByteBuffer.allocate(BUFFER_SIZE);
    private final byte[] readBuffer = new byte[BUFFER_SIZE];
    private final byte[] inflated = new byte[BUFFER_SIZE];
    private final byte[] single = new byte[1];
    private final CharsetDecoder utf8Decoder = configure(UTF_8.newDecoder());
    private CharsetDecoder otherDecoder;
    private CharsetDecoder decoder;
    private Inflater inflater;

    private CharBuffer dest;
    private boolean full;
    private boolean failed;
    private boolean abortWhenFull;
    private long bytesIn;
    private int suspiciousChars;
    private int charsOut;

    private boolean gzip;
    private final GzipHeader gzipHeader = new GzipHeader();

    TextDecoder(ObjectPool<TextDecoder> pool) {
        this.pool = pool;
    }

    private static CharsetDecoder configure(CharsetDecoder d) {
        return d.onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    TextDecoder begin(CharBuffer destination, Charset charset, boolean gzipped, boolean abortWhenFull) {
        this.dest = destination;
        this.abortWhenFull = abortWhenFull;
        this.gzip = gzipped;
        if (charset == null || charset.equals(UTF_8)) {
            decoder = utf8Decoder;
        } else {
            if (otherDecoder == null || !otherDecoder.charset().equals(charset)) {
                otherDecoder = configure(charset.newDecoder());
            }
            decoder = otherDecoder;
        }
        decoder.reset();
        if (gzipped) {
            if (inflater == null) {
                inflater = new Inflater(true);
            }
            inflater.reset();
            gzipHeader.reset();
        }
        return this;
    }

    /** True once the destination has no room left. */
    public boolean isFull() {
        return full;
    }

    /** Reads {@code in} until its end or until the destination is full. Does not close it. */
    public void readFrom(InputStream in) throws IOException {
        int n;
        while (!full && !failed && (n = in.read(readBuffer)) >= 0) {
            feed(readBuffer, 0, n);
        }
    }

    @Override
    public void write(int b) throws IOException {
        single[0] = (byte) b;
        write(single, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (full || failed) {
            if (abortWhenFull) {
                throw CAPTURE_COMPLETE;
            }
            return;
        }
        feed(b, off, len);
        if (full && abortWhenFull) {
            throw CAPTURE_COMPLETE;
        }
    }

    private void feed(byte[] b, int off, int len) {
        bytesIn += len;
        if (gzip) {
            inflate(b, off, len);
        } else {
            decode(b, off, len);
        }
    }

    private void inflate(byte[] b, int off, int len) {
        while (len > 0 && !gzipHeader.complete()) {
            if (!gzipHeader.accept(b[off])) {
                failed = true;
                return;
            }
            off++;
            len--;
        }
        if (len == 0 || inflater.finished()) {
            return;
        }
        inflater.setInput(b, off, len);
        try {
            while (!full && !inflater.finished() && !inflater.needsInput()) {
                int n = inflater.inflate(inflated);
                if (n == 0 && (inflater.needsDictionary() || inflater.needsInput())) {
                    break;
                }
                decode(inflated, 0, n);
            }
        } catch (DataFormatException e) {
            failed = true;
        }
    }

    private void decode(byte[] b, int off, int len) {
        while (len > 0 && !full) {
            int n = Math.min(len, pending.remaining());
            pending.put(b, off, n);
            off += n;
            len -= n;
            pending.flip();
            int before = dest.position();
            CoderResult result = decoder.decode(pending, dest, false);
            pending.compact();
            count(before);
            if (result.isOverflow()) {
                full = true;
            }
        }
    }

    /**
     * Counts replacement and control characters among the first {@link #INSPECTED_CHARS} decoded: binary content
     * shows itself at once, and text need not be scanned to its end.
     */
    private void count(int from) {
        int to = dest.position();
        int end = Math.min(to, INSPECTED_CHARS);
        if (from < end) {
            boolean heap = dest.hasArray();
            char[] chars = heap ? dest.array() : null;
            int offset = heap ? dest.arrayOffset() : 0;
            for (int i = from; i < end; i++) {
                char c = heap ? chars[offset + i] : dest.get(i);
                if (c == '\uFFFD' || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                    suspiciousChars++;
                }
            }
            charsOut += end - from;
        }
    }

    /**
     * Decodes what is left, flips the destination for reading and returns {@link IOUtils#COMPLETE},
     * {@link IOUtils#TRUNCATED}, {@link IOUtils#BINARY} or {@link IOUtils#FAILED}.
     */
    int finish() {
        if (!full && !failed) {
            pending.flip();
            int before = dest.position();
            CoderResult result = decoder.decode(pending, dest, true);
            if (!result.isOverflow()) {
                result = decoder.flush(dest);
            }
            count(before);
            if (result.isOverflow()) {
                full = true;
            }
        }
        dest.flip();
        if (failed || (gzip && !gzipHeader.complete() && bytesIn > 0)) {
            return IOUtils.FAILED;
        }
        if (suspiciousChars > 0 && (dest.length() > 0 && dest.get(0) == '\u0000'
            || suspiciousChars > Math.max(8, charsOut / 10))) {
            return IOUtils.BINARY;
        }
        return full ? IOUtils.TRUNCATED : IOUtils.COMPLETE;
    }

    /** Returns this decoder to its pool. */
    public void release() {
        pool.recycle(this);
    }

    @Override
    public void resetState() {
        pending.clear();
        dest = null;
        full = false;
        failed = false;
        abortWhenFull = false;
        bytesIn = 0;
        suspiciousChars = 0;
        charsOut = 0;
        gzip = false;
    }

    @Override
    public void close() {
        // the owner releases it; closing by a producer must not recycle it
    }

    /** Incremental parser of the gzip member header (RFC 1952), so that a raw Inflater can take the body. */
    private static final class GzipHeader {
        private static final int FHCRC = 2;
        private static final int FEXTRA = 4;
        private static final int FNAME = 8;
        private static final int FCOMMENT = 16;

        private int position;
        private int flags;
        private int extraRemaining;
        private int stage;

        void reset() {
            position = 0;
            flags = 0;
            extraRemaining = 0;
            stage = 0;
        }

        boolean complete() {
            return stage == 6;
        }

        /** Consumes one header byte; false when this is not gzip. */
        boolean accept(byte value) {
            int b = value & 0xFF;
            switch (stage) {
                case 0: // fixed 10 bytes: magic, method, flags, mtime, xfl, os
                    if ((position == 0 && b != 0x1F) || (position == 1 && b != 0x8B) || (position == 2 && b != 8)) {
                        return false;
                    }
                    if (position == 3) {
                        flags = b;
                    }
                    if (++position == 10) {
                        position = 0;
                        advance(1);
                    }
                    return true;
                case 1: // extra length (2 bytes, little endian) then data
                    if (position < 2) {
                        extraRemaining |= b << (8 * position);
                        position++;
                        if (position == 2 && extraRemaining == 0) {
                            advance(2);
                        }
                    } else if (--extraRemaining == 0) {
                        advance(2);
                    }
                    return true;
                case 2: // zero-terminated file name
                    if (b == 0) {
                        advance(3);
                    }
                    return true;
                case 3: // zero-terminated comment
                    if (b == 0) {
                        advance(4);
                    }
                    return true;
                case 4: // header crc, 2 bytes
                    if (++position == 2) {
                        advance(5);
                    }
                    return true;
                default:
                    return true;
            }
        }

        private void advance(int from) {
            position = 0;
            stage = from;
            if (stage == 1 && (flags & FEXTRA) == 0) {
                stage = 2;
            }
            if (stage == 2 && (flags & FNAME) == 0) {
                stage = 3;
            }
            if (stage == 3 && (flags & FCOMMENT) == 0) {
                stage = 4;
            }
            if (stage == 4 && (flags & FHCRC) == 0) {
                stage = 5;
            }
            if (stage == 5) {
                stage = 6;
            }
        }
    }
}
