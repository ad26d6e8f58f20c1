package dev.nimbleapm.agent.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read through it, and remembers whether reading failed.
 *
 * <p>Exists so that {@link MockApmServer} can measure compressed and decompressed body sizes, and tell a broken
 * connection (the stream below failed) from a broken body encoding (a decompressor above failed).
 */
final class CountingInputStream extends FilterInputStream {

    private long count;
    private boolean failed;

    CountingInputStream(InputStream in) {
        super(in);
    }

    long count() {
        return count;
    }

    /** Whether a read from the stream below threw. */
    boolean failed() {
        return failed;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        if (n > 0) {
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped;
        try {
            skipped = super.skip(n);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        count += skipped;
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
