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

/**
 * The fastest APM Server there is: a loopback HTTP/1.1 endpoint that reads each request body (chunked or with a
 * Content-Length), throws it away unread, and answers {@code 202 Accepted}. Keep-alive connections are served in a
 * loop, one thread per connection. Only the framing is parsed, so the reporter - not the server - is what limits a
 * benchmark.
 */
public final class DiscardingIntakeServer implements AutoCloseable {

    private static final byte[] ACCEPTED = ("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private volatile boolean closed;

    private DiscardingIntakeServer() throws IOException {
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "discarding-intake-acceptor");
        acceptor.setDaemon(true);
    }

    public static DiscardingIntakeServer start() throws IOException {
        DiscardingIntakeServer server = new DiscardingIntakeServer();
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
                while (readLine(in, line) && line.length() > 0) {
                    String header = line.toString().toLowerCase(Locale.ROOT);
                    if (header.startsWith("content-length:")) {
                        contentLength = Long.parseLong(header.substring(15).trim());
                    } else if (header.startsWith("transfer-encoding:") && header.contains("chunked")) {
                        chunked = true;
                    }
                }
                if (chunked) {
                    readChunkedBody(in, line, scratch);
                } else {
                    skipFully(in, contentLength, scratch);
                }
                out.write(ACCEPTED);
                out.flush();
                requests.incrementAndGet();
            }
        } catch (SocketException e) {
            // the client went away or the server closed: nothing to answer
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                System.err.println("[discarding-intake] connection failed: " + e);
            }
        } finally {
            connections.remove(socket);
        }
    }

    private void readChunkedBody(InputStream in, StringBuilder line, byte[] scratch) throws IOException {
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
            skipFully(in, length, scratch);
            readLine(in, line); // the CRLF after the chunk data
        }
    }

    private void skipFully(InputStream in, long length, byte[] scratch) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, remaining));
            if (n < 0) {
                throw new IOException("end of stream inside a body");
            }
            remaining -= n;
        }
        bodyBytes.addAndGet(length);
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
