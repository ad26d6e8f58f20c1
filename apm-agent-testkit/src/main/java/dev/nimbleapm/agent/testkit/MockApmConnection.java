package dev.nimbleapm.agent.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Serves the requests of one client connection of a {@link MockApmServer}, one after the other (keep-alive).
 *
 * <p>Exists to keep the HTTP exchange and the fault injection of a single connection out of the server's lifecycle
 * code. Runs on its own daemon thread; ends when the client or the server closes the connection.
 */
final class MockApmConnection implements Runnable {

    static final String INTAKE_PATH = "/intake/v2/events";
    static final String SERVER_INFO = "{\"build_date\":\"2024-01-01T00:00:00Z\",\"build_sha\":\"0\","
            + "\"publish_ready\":true,\"version\":\"8.15.0\"}";

    private static final System.Logger LOG = System.getLogger(MockApmConnection.class.getName());

    private final MockApmServer server;
    private final Socket socket;

    MockApmConnection(MockApmServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
    }

    @Override
    public void run() {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            boolean open = true;
            while (open && !server.isClosed()) {
                HttpRequestHead head = HttpRequestHead.read(in);
                if (head == null) {
                    return;
                }
                open = serve(head, in, out) && head.keepAlive();
            }
        } catch (HttpRequestHead.MalformedRequestException e) {
            LOG.log(System.Logger.Level.DEBUG, "malformed request: {0}", e.getMessage());
            writeQuietly(400, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection ended: {0}", e.toString());
        } finally {
            server.connectionEnded(socket);
        }
    }

    /** Serves one request; returns whether the connection may be used for another one. */
    private boolean serve(HttpRequestHead head, InputStream in, OutputStream out) throws IOException {
        InputStream body = body(head, in);
        if (body == null) {
            respond(out, 501, "{\"error\":\"unsupported Transfer-Encoding\"}", false);
            return false;
        }
        if (INTAKE_PATH.equals(head.path())) {
            if (!"POST".equals(head.method())) {
                body.transferTo(OutputStream.nullOutputStream());
                respond(out, 405, "{\"error\":\"only POST is supported\"}", head.keepAlive());
                return true;
            }
            return intake(head, body, out);
        }
        body.transferTo(OutputStream.nullOutputStream());
        if ("/".equals(head.path()) && ("GET".equals(head.method()) || "HEAD".equals(head.method()))) {
            respond(out, 200, "HEAD".equals(head.method()) ? "" : SERVER_INFO, head.keepAlive());
        } else {
            respond(out, 404, "{\"error\":\"404 page not found\"}", head.keepAlive());
        }
        return true;
    }

    /** The request body, or {@code null} for a transfer coding other than chunked. */
    private static InputStream body(HttpRequestHead head, InputStream in) throws IOException {
        String transferEncoding = head.header("Transfer-Encoding");
        if (transferEncoding != null) {
            if (!transferEncoding.trim().equalsIgnoreCase("chunked")) {
                return null;
            }
            return new ChunkedBodyInputStream(in);
        }
        String contentLength = head.header("Content-Length");
        if (contentLength == null) {
            return InputStream.nullInputStream();
        }
        try {
            long length = Long.parseLong(contentLength.trim());
            if (length < 0) {
                throw new NumberFormatException();
            }
            return new FixedLengthBodyInputStream(in, length);
        } catch (NumberFormatException e) {
            throw new HttpRequestHead.MalformedRequestException("bad Content-Length: " + contentLength);
        }
    }

    /** Serves an intake request, applying the faults programmed when its head arrived. */
    private boolean intake(HttpRequestHead head, InputStream body, OutputStream out) throws IOException {
        IntakeFaults faults = server.faults();
        Instant start = Instant.now();
        if (faults.stallAfterHeaders()) {
            server.holdStalled(socket);
            abort();
            return false;
        }
        if ("100-continue".equalsIgnoreCase(head.header("Expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        int requestNumber = server.nextRequestNumber();
        CountingInputStream sent = new CountingInputStream(body);
        if (faults.dropMidRequest()) {
            int read = sent.read(new byte[16]);
            LOG.log(System.Logger.Level.DEBUG, "dropping intake request {0} after {1} body bytes", requestNumber, read);
            server.record(new IntakeRequest(head.headers(), 0, sent.count(), 0, start, Instant.now(), -1));
            abort();
            return false;
        }
        IntakeLineHandler lines = new IntakeLineHandler(server.mapper(), server.validator(), server.store(),
                faults.accepts(), requestNumber);
        String encoding = head.headers().getOrDefault("Content-Encoding", "").trim().toLowerCase(Locale.ROOT);
        InputStream decompressing;
        try {
            decompressing = decoder(encoding, sent);
        } catch (IOException e) {
            return bodyFailed(head, start, sent, 0, lines, encoding, e, out);
        }
        if (decompressing == null) {
            lines.requestViolation("unsupported Content-Encoding '" + encoding + "' (expected deflate, gzip or none)");
            server.record(new IntakeRequest(head.headers(), 0, 0, 0, start, Instant.now(), 415));
            respond(out, 415, "{\"error\":\"unsupported Content-Encoding\"}", false);
            return false;
        }
        CountingInputStream decoded = new CountingInputStream(decompressing);
        NdjsonLineSplitter splitter = new NdjsonLineSplitter(MockApmServer.MAX_EVENT_SIZE_BYTES, lines);
        byte[] buffer = new byte[8192];
        try {
            for (int n = decoded.read(buffer); n >= 0; n = decoded.read(buffer)) {
                splitter.feed(buffer, 0, n);
            }
            splitter.finish();
            // whatever follows the end of a compressed stream is not events, but must be consumed
            sent.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            splitter.finish();
            return bodyFailed(head, start, sent, decoded.count(), lines, encoding, e, out);
        }
        int status = faults.status();
        server.record(new IntakeRequest(head.headers(), lines.events(), sent.count(), decoded.count(), start,
                Instant.now(), status));
        server.delayResponse(faults.delay(), socket);
        respond(out, status, faults.body(), head.keepAlive());
        return true;
    }

    private boolean bodyFailed(HttpRequestHead head, Instant start, CountingInputStream sent, long rawBytes,
                               IntakeLineHandler lines, String encoding, IOException e, OutputStream out)
            throws IOException {
        if (sent.failed()) {
            // the connection broke: nobody to answer
            server.record(new IntakeRequest(head.headers(), lines.events(), sent.count(), rawBytes, start,
                    Instant.now(), -1));
            throw e;
        }
        String what = "deflate".equals(encoding) ? "a zlib stream (RFC 1950)" : "a gzip stream";
        lines.requestViolation("body with Content-Encoding '" + encoding + "' is not " + what + ": " + e);
        server.record(new IntakeRequest(head.headers(), lines.events(), sent.count(), rawBytes, start,
                Instant.now(), 400));
        respond(out, 400, "{\"error\":\"cannot decompress the body\"}", false);
        return false;
    }

    /** A stream decompressing {@code body}, or {@code null} for an unknown encoding. */
    private static InputStream decoder(String encoding, InputStream body) throws IOException {
        switch (encoding) {
            case "":
            case "identity":
                return body;
            case "deflate":
                // intake v2 "deflate" is a zlib stream, as Go's compress/zlib in the APM Server expects
                return new InflaterInputStream(body);
            case "gzip":
            case "x-gzip":
                return new GZIPInputStream(body);
            default:
                return null;
        }
    }

    private void respond(OutputStream out, int status, String body, boolean keepAlive) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Length: ").append(bytes.length).append("\r\n");
        if (bytes.length > 0) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("X-Content-Type-Options: nosniff\r\n");
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private void writeQuietly(int status, String body) {
        try {
            OutputStream out = socket.getOutputStream();
            respond(out, status, body, false);
        } catch (IOException ignored) {
            // the connection is going away anyway
        }
    }

    /** Closes the connection abruptly: a TCP reset, no answer. */
    private void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 202: return "Accepted";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 413: return "Request Entity Too Large";
            case 415: return "Unsupported Media Type";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "Status " + status;
        }
    }
}
