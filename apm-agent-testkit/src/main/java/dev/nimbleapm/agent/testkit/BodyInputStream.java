package dev.nimbleapm.agent.testkit;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body read from a kept-alive connection: subclasses frame it ({@code Content-Length} or chunked) and
 * implement {@link #read(byte[], int, int)}; closing the body never closes the connection, which owns the socket.
 */
abstract class BodyInputStream extends InputStream {

    protected final InputStream in;

    BodyInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() {
        // the connection owns the socket stream
    }
}
