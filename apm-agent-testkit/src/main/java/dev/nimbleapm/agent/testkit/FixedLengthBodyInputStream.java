package dev.nimbleapm.agent.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body of known {@code Content-Length}: ends after that many bytes, without closing the connection.
 *
 * <p>Exists so that a kept-alive connection's next request is not swallowed by the previous body. A connection closed
 * before the announced length is an {@link EOFException}.
 */
final class FixedLengthBodyInputStream extends BodyInputStream {

    private long remaining;

    FixedLengthBodyInputStream(InputStream in, long length) {
        super(in);
        this.remaining = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("connection closed with " + remaining + " bytes of the body missing");
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(remaining, in.available());
    }
}
