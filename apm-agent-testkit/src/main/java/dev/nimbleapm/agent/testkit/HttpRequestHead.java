package dev.nimbleapm.agent.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request line and headers of one HTTP/1.1 request, parsed by hand.
 *
 * <p>Exists because {@link MockApmServer} works on raw sockets (to be able to inject faults between the headers and
 * the body), so it needs its own small parser. Header names are looked up case-insensitively; repeated headers are
 * joined with {@code ", "}.
 */
record HttpRequestHead(String method, String target, String version, Map<String, String> headers) {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    /** Thrown for a request that is not well-formed HTTP/1.x. */
    static final class MalformedRequestException extends IOException {
        MalformedRequestException(String message) {
            super(message);
        }
    }

    /**
     * Reads a request head.
     *
     * @return the head, or {@code null} when the peer closed the connection before sending any byte of a request
     */
    static HttpRequestHead read(InputStream in) throws IOException {
        int[] budget = {MAX_HEAD_BYTES};
        String requestLine = readLine(in, budget, true);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine(in, budget, true); // tolerate stray CRLF between requests (RFC 9112 2.2)
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new MalformedRequestException("bad request line: " + requestLine);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(in, budget, false); !line.isEmpty(); line = readLine(in, budget, false)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedRequestException("bad header line: " + line);
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        return new HttpRequestHead(parts[0], parts[1], parts[2], Collections.unmodifiableMap(headers));
    }

    /** The header's value, or {@code null}. */
    String header(String name) {
        return headers.get(name);
    }

    /** Whether the connection stays open after this request (HTTP/1.1 default, HTTP/1.0 only when asked). */
    boolean keepAlive() {
        String connection = headers.getOrDefault("Connection", "").toLowerCase(java.util.Locale.ROOT);
        if ("HTTP/1.0".equals(version)) {
            return connection.contains("keep-alive");
        }
        return !connection.contains("close");
    }

    /** The path of the request target, without query string. */
    String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** Reads one line terminated by LF (a preceding CR is dropped), decoded as ISO-8859-1. */
    private static String readLine(InputStream in, int[] budget, boolean eofAllowedAtStart) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowedAtStart && line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of the request head");
            }
            if (--budget[0] < 0) {
                throw new MalformedRequestException("request head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }
}
