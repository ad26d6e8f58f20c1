package dev.nimbleapm.agent.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The fastest APM Server there is: a loopback HTTP/1.1 endpoint that reads each request body (chunked or with a
 * Content-Length), throws it away unread, and answers {@code 202 Accepted}. Keep-alive connections are served in a
 * loop, one thread per connection. Only the framing is parsed, so the reporter - not the server - is what limits a
 * benchmark.
 *
 * <p>{@link #startCounting()} also inflates each {@code Content-Encoding: deflate} body and counts its NDJSON lines
 * by event type, without parsing JSON: cheap enough to share the machine with the process being measured, yet it
 * proves that every recorded event arrived.
 */
public final class DiscardingIntakeServer implements AutoCloseable {

    private static final byte[] ACCEPTED = ("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final AtomicLong inflatedBytes = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong otherLines = new AtomicLong();
    private final boolean counting;
    private volatile boolean closed;

    private DiscardingIntakeServer(boolean counting) throws IOException {
        this.counting = counting;
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "discarding-intake-acceptor");
        acceptor.setDaemon(true);
    }

    public static DiscardingIntakeServer start() throws IOException {
        DiscardingIntakeServer server = new DiscardingIntakeServer(false);
        server.acceptor.start();
        return server;
    }

    /** Like {@link #start()}, and inflates every deflate-encoded body to count its events. */
    public static DiscardingIntakeServer startCounting() throws IOException {
        DiscardingIntakeServer server = new DiscardingIntakeServer(true);
        server.acceptor.start();
        return server;
    }

    public String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + serverSocket.getLocalPort();
    }

    /** Requests answered so far. */
    public long requests() {
        return requests.get();
    }

    /** Request body bytes received (as sent: compressed), excluding chunk framing. */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    /** Counting server only: body bytes after inflation, the NDJSON as the agent wrote it. */
    public long inflatedBytes() {
        return inflatedBytes.get();
    }

    /** Counting server only: NDJSON lines that are a transaction event. */
    public long transactions() {
        return transactions.get();
    }

    /** Counting server only: NDJSON lines that are a span event. */
    public long spans() {
        return spans.get();
    }

    /** Counting server only: NDJSON lines that are an error event. */
    public long errors() {
        return errors.get();
    }

    /** Counting server only: other lines (metadata, metricsets). */
    public long otherLines() {
        return otherLines.get();
    }

    /** Sets all counters to zero. */
    public void resetCounters() {
        for (AtomicLong counter : new AtomicLong[]{requests, bodyBytes, inflatedBytes, transactions, spans, errors,
            otherLines}) {
            counter.set(0);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                connections.add(socket);
                Thread handler = new Thread(() -> serve(socket), "discarding-intake-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("[discarding-intake] accept failed: " + e);
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        byte[] scratch = new byte[64 * 1024];
        LineCounter counter = counting ? new LineCounter() : null;
        try (Socket s = socket) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = s.getOutputStream();
            StringBuilder line = new StringBuilder(256);
            while (!closed) {
                // request line; a clean end of stream between requests closes the connection
                if (!readLine(in, line)) {
                    return;
                }
                if (line.length() == 0) {
                    continue;
                }
                long contentLength = 0;
                boolean chunked = false;
                boolean deflated = false;
                while (readLine(in, line) && line.length() > 0) {
                    String header = line.toString().toLowerCase(Locale.ROOT);
                    if (header.startsWith("content-length:")) {
                        contentLength = Long.parseLong(header.substring(15).trim());
                    } else if (header.startsWith("transfer-encoding:") && header.contains("chunked")) {
                        chunked = true;
                    } else if (header.startsWith("content-encoding:") && header.contains("deflate")) {
                        deflated = true;
                    }
                }
                LineCounter bodyCounter = deflated ? counter : null;
                if (bodyCounter != null) {
                    bodyCounter.startBody();
                }
                if (chunked) {
                    readChunkedBody(in, line, scratch, bodyCounter);
                } else {
                    skipFully(in, contentLength, scratch, bodyCounter);
                }
                // counted before the answer: a client that has its answer must see its request counted
                requests.incrementAndGet();
                out.write(ACCEPTED);
                out.flush();
            }
        } catch (SocketException e) {
            // the client went away or the server closed: nothing to answer
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                System.err.println("[discarding-intake] connection failed: " + e);
            }
        } finally {
            connections.remove(socket);
            if (counter != null) {
                counter.inflater.end();
            }
        }
    }

    private void readChunkedBody(InputStream in, StringBuilder line, byte[] scratch, LineCounter counter)
        throws IOException {
        while (true) {
            if (!readLine(in, line)) {
                throw new IOException("end of stream inside a chunked body");
            }
            int semicolon = line.indexOf(";");
            String size = (semicolon >= 0 ? line.substring(0, semicolon) : line.toString()).trim();
            long length = Long.parseLong(size, 16);
            if (length == 0) {
                // trailers until an empty line
                while (readLine(in, line) && line.length() > 0) {
                    // ignored
                }
                return;
            }
            skipFully(in, length, scratch, counter);
            readLine(in, line); // the CRLF after the chunk data
        }
    }

    private void skipFully(InputStream in, long length, byte[] scratch, LineCounter counter) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, remaining));
            if (n < 0) {
                throw new IOException("end of stream inside a body");
            }
            if (counter != null) {
                counter.feed(scratch, n);
            }
            remaining -= n;
        }
        bodyBytes.addAndGet(length);
    }

    /**
     * Inflates one connection's request bodies and counts NDJSON lines by the first letter of their key: every line
     * the agent writes starts with <code>{"transaction"</code>, <code>{"span"</code>, <code>{"error"</code>,
     * <code>{"metadata"</code> or <code>{"metricset"</code>.
     */
    private final class LineCounter {
        private final Inflater inflater = new Inflater();
        private final byte[] out = new byte[64 * 1024];
        private int positionInLine;

        void startBody() {
            inflater.reset();
            positionInLine = 0;
        }

        void feed(byte[] compressed, int length) throws IOException {
            inflater.setInput(compressed, 0, length);
            try {
                int n;
                while ((n = inflater.inflate(out)) > 0) {
                    inflatedBytes.addAndGet(n);
                    scan(n);
                }
            } catch (DataFormatException e) {
                throw new IOException("body is not deflate: " + e.getMessage(), e);
            }
        }

        private void scan(int length) {
            for (int i = 0; i < length; i++) {
                byte b = out[i];
                if (b == '\n') {
                    positionInLine = 0;
                    continue;
                }
                if (positionInLine == 2) {
                    // the first letter of the event's key, after {"
                    if (b == 't') {
                        transactions.incrementAndGet();
                    } else if (b == 's') {
                        spans.incrementAndGet();
                    } else if (b == 'e') {
                        errors.incrementAndGet();
                    } else {
                        otherLines.incrementAndGet();
                    }
                }
                positionInLine++;
            }
        }
    }

    /** Reads one CRLF- (or LF-) terminated line into {@code line}; false at end of stream before any byte. */
    private static boolean readLine(InputStream in, StringBuilder line) throws IOException {
        line.setLength(0);
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                int last = line.length() - 1;
                if (last >= 0 && line.charAt(last) == '\r') {
                    line.setLength(last);
                }
                return true;
            }
            line.append((char) b);
        }
        return any;
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
