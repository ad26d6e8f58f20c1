package dev.nimbleapm.agent.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A client on a plain socket, so the tests control exactly what goes over the wire and when: streaming chunks with
 * flushed deflate data while a request stays open, several requests on one connection.
 */
final class RawHttpClient implements Closeable {

    record Response(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttpClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(20_000); // a deadline for every read: no test hangs forever
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    void write(String s) throws IOException {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Starts a chunked, deflate-compressed intake request; returns the stream to write NDJSON into. */
    ChunkedDeflateBody startChunkedDeflateIntake() throws IOException {
        write("POST /intake/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                + "Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\nUser-Agent: raw-test\r\n\r\n");
        return new ChunkedDeflateBody();
    }

    /** Sends a complete request with a Content-Length body. */
    void sendRequest(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        write(body);
    }

    Response readResponse() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        byte[] body = in.readNBytes(length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads until the server closes the connection; returns the number of bytes received before that. */
    int readUntilClosed() throws IOException {
        return in.readAllBytes().length;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed while reading the response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** NDJSON written into a zlib stream, each flush sent as one HTTP chunk. */
    final class ChunkedDeflateBody {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final DeflaterOutputStream deflater =
                new DeflaterOutputStream(pending, new Deflater(Deflater.DEFAULT_COMPRESSION), 512, true);

        /** Compresses {@code ndjson}, sync-flushes the compressor and sends what it produced as one chunk. */
        void sendAndFlush(String ndjson) throws IOException {
            deflater.write(ndjson.getBytes(StandardCharsets.UTF_8));
            deflater.flush();
            sendPending();
        }

        /** Ends the zlib stream and the chunked body. */
        void finish() throws IOException {
            deflater.finish();
            sendPending();
            write("0\r\n\r\n");
        }

        private void sendPending() throws IOException {
            byte[] bytes = pending.toByteArray();
            pending.reset();
            if (bytes.length > 0) {
                write(Integer.toHexString(bytes.length).toUpperCase(Locale.ROOT) + "\r\n");
                write(bytes);
                write("\r\n");
            }
        }
    }
}
