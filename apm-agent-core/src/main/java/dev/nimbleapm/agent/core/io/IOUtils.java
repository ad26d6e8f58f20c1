package dev.nimbleapm.agent.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.Charset;

import dev.nimbleapm.agent.core.pool.ObjectPool;

/**
 * Copies text from byte sources into pooled {@link CharBuffer}s without allocating: the decoders, their byte
 * buffers and inflaters are pooled too. Used to record request bodies on the application's thread at the cost of
 * a bounded copy.
 */
public final class IOUtils {

    /** All input was decoded. */
    public static final int COMPLETE = 0;
    /** The destination filled up before the input ended; what fits was kept. */
    public static final int TRUNCATED = 1;
    /** The input does not look like text (or was not valid gzip); the caller should discard it. */
    public static final int BINARY = 2;
    /** Reading failed; the caller should discard the destination. */
    public static final int FAILED = 3;

    private static final ObjectPool<TextDecoder> DECODERS = new ObjectPool<TextDecoder>("text-decoders", 32,
        new ObjectPool.Factory<TextDecoder>() {
            @Override
            public TextDecoder create(ObjectPool<TextDecoder> pool) {
                return new TextDecoder(pool);
            }
        });

    private IOUtils() {
    }

    /**
     * Reads {@code in} into {@code dest} (from its position up to its limit), decoding with {@code charset} (UTF-8
     * when null) and gunzipping first when {@code gzipped}. Stops reading once {@code dest} is full. Flips
     * {@code dest} for reading. Does not close {@code in}.
     *
     * @return {@link #COMPLETE}, {@link #TRUNCATED}, {@link #BINARY} or {@link #FAILED}
     */
    public static int readToCharBuffer(InputStream in, CharBuffer dest, Charset charset, boolean gzipped) {
        TextDecoder decoder = DECODERS.take().begin(dest, charset, gzipped, false);
        try {
            decoder.readFrom(in);
            return decoder.finish();
        } catch (IOException e) {
            dest.flip();
            return FAILED;
        } catch (RuntimeException e) {
            dest.flip();
            return FAILED;
        } finally {
            decoder.release();
        }
    }

    /**
     * A pooled sink to hand to a producer that writes (e.g. {@code HttpEntity.writeTo}). With
     * {@code abortWhenFull}, writes throw {@link TextDecoder#CAPTURE_COMPLETE} once {@code dest} is full, so the
     * producer stops early. Call {@link #finish(TextDecoder)} exactly once afterwards.
     */
    public static TextDecoder openSink(CharBuffer dest, Charset charset, boolean gzipped, boolean abortWhenFull) {
        return DECODERS.take().begin(dest, charset, gzipped, abortWhenFull);
    }

    /** Ends a sink from {@link #openSink}: flips the destination, releases the sink, returns the status. */
    public static int finish(TextDecoder sink) {
        try {
            return sink.finish();
        } finally {
            sink.release();
        }
    }

    /** Ends a sink whose producer failed: flips the destination, releases the sink. */
    public static int abandon(TextDecoder sink, CharBuffer dest) {
        try {
            sink.finish();
        } catch (RuntimeException ignored) {
            // status is FAILED regardless
        } finally {
            sink.release();
        }
        return FAILED;
    }

    /** Decoders in use (tests: zero after every capture). */
    public static long decodersInUse() {
        return DECODERS.objectsInUse();
    }
}
