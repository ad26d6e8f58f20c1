package dev.nimbleapm.agent.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes an HTTP/1.1 {@code Transfer-Encoding: chunked} body.
 *
 * <p>Exists so that {@link MockApmServer} can hand each chunk on as soon as it arrives: {@link #read(byte[], int, int)}
 * never waits for more than the bytes the socket already has, which is what lets events of a long-open intake request
 * become visible while it is still streaming. Ends at the last (zero-size) chunk, after its trailers; a connection
 * closed before that is an {@link EOFException}. Never closes the underlying stream (the connection may be kept alive).
 */
final class ChunkedBodyInputStream extends BodyInputStream {

    private long remainingInChunk;
    private boolean needChunkTerminator;
    private boolean finished;

    ChunkedBodyInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (remainingInChunk == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remainingInChunk));
        if (n < 0) {
            throw new EOFException("connection closed in the middle of a chunk");
        }
        remainingInChunk -= n;
        return n;
    }

    /** Positions at the next chunk's data; false at the end of the body. */
    private boolean nextChunk() throws IOException {
        if (finished) {
            return false;
        }
        if (needChunkTerminator) {
            String terminator = readLine();
            if (!terminator.isEmpty()) {
                throw new HttpRequestHead.MalformedRequestException("chunk not followed by CRLF");
            }
        }
        String sizeLine = readLine();
        int extension = sizeLine.indexOf(';');
        String hex = (extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim();
        long size;
        try {
            size = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new HttpRequestHead.MalformedRequestException("bad chunk size line: " + sizeLine);
        }
        if (size < 0) {
            throw new HttpRequestHead.MalformedRequestException("bad chunk size line: " + sizeLine);
        }
        if (size == 0) {
            while (!readLine().isEmpty()) {
                // trailer fields: not used by the intake protocol, skipped
            }
            finished = true;
            return false;
        }
        remainingInChunk = size;
        needChunkTerminator = true;
        return true;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed in the middle of a chunked body");
            }
            if (c == '\n') {
                int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r') {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            if (line.length() > 8192) {
                throw new HttpRequestHead.MalformedRequestException("chunk size line too long");
            }
            line.append((char) c);
        }
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(remainingInChunk, in.available());
    }
}
