package dev.nimbleapm.agent.core.report;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.Charset;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.net.ssl.HttpsURLConnection;

/**
 * One streamed {@code POST /intake/v2/events}: chunked, zlib-deflated NDJSON that starts with the metadata line and
 * stays open while events keep coming. The reporter thread owns it; only {@link #abort()} may be called from another
 * thread (the watchdog, shutdown), to unblock a write towards a server that stopped reading.
 */
final class IntakeConnection {

    static final String INTAKE_PATH = "/intake/v2/events";
    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private final HttpURLConnection connection;
    private final CountingOutputStream counting;
    private final DeflaterOutputStream deflated;
    private final long openedNanos;
    private int events;

    private IntakeConnection(HttpURLConnection connection, CountingOutputStream counting,
                             DeflaterOutputStream deflated) {
        this.connection = connection;
        this.counting = counting;
        this.deflated = deflated;
        this.openedNanos = System.nanoTime();
    }

    /** Connects and starts the request; the caller writes the metadata line first. */
    static IntakeConnection open(URL serverUrl, String authorization, String userAgent, int timeoutMillis,
                                 TlsSettings tls, Deflater deflater) throws IOException {
        String base = serverUrl.toExternalForm();
        if (serverUrl.getUserInfo() != null) {
            base = serverUrl.getProtocol() + "://" + serverUrl.getHost()
                + (serverUrl.getPort() >= 0 ? ":" + serverUrl.getPort() : "") + serverUrl.getFile();
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        HttpURLConnection connection = (HttpURLConnection) new URL(base + INTAKE_PATH).openConnection();
        if (connection instanceof HttpsURLConnection) {
            tls.apply((HttpsURLConnection) connection);
        }
        connection.setConnectTimeout(timeoutMillis);
        connection.setReadTimeout(timeoutMillis);
        connection.setUseCaches(false);
        connection.setDoOutput(true);
        connection.setRequestMethod("POST");
        connection.setChunkedStreamingMode(16 * 1024);
        connection.setRequestProperty("Content-Type", "application/x-ndjson");
        connection.setRequestProperty("Content-Encoding", "deflate");
        connection.setRequestProperty("Accept", "application/json");
        connection.setRequestProperty("User-Agent", userAgent);
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        } else if (serverUrl.getUserInfo() != null) {
            connection.setRequestProperty("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(serverUrl.getUserInfo().getBytes(UTF_8)));
        }
        deflater.reset();
        CountingOutputStream counting = new CountingOutputStream(connection.getOutputStream());
        return new IntakeConnection(connection, counting, new DeflaterOutputStream(counting, deflater, 8192, true));
    }

    OutputStream body() {
        return deflated;
    }

    void countEvent() {
        events++;
    }

    int events() {
        return events;
    }

    long compressedBytes() {
        return counting.count;
    }

    long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /**
     * Sync-flushes the deflater: everything written so far is compressed and counted in {@link #compressedBytes()},
     * but it stays in the chunk buffer (which goes out by itself when full) - no write to the socket is forced.
     */
    void syncCompressed() throws IOException {
        deflated.flush();
    }

    /** Pushes what was written so far to the server: a sync flush of the deflater and the pending chunk. */
    void flush() throws IOException {
        deflated.flush();
        counting.flushThrough();
    }

    /**
     * Ends the request body and reads the answer. Returns the status code; {@code errorBody} receives up to 4 KB of
     * the response body when the status is not 2xx.
     */
    int finish(StringBuilder errorBody) throws IOException {
        deflated.finish();
        deflated.flush();
        counting.flushThrough();
        counting.close();
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        if (in != null) {
            try {
                byte[] buffer = new byte[4096];
                int total = 0;
                int n;
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                while ((n = in.read(buffer)) >= 0) {
                    if (total < 4096) {
                        body.write(buffer, 0, Math.min(n, 4096 - total));
                    }
                    total += n;
                }
                if (status >= 300 && errorBody != null) {
                    errorBody.append(new String(body.toByteArray(), UTF_8));
                }
            } finally {
                in.close();
            }
        }
        return status;
    }

    /** Closes the connection abruptly; safe from any thread, any number of times. */
    void abort() {
        try {
            connection.disconnect();
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }

    /**
     * Counts the compressed bytes. The deflater's sync flush would also flush the chunked stream - one socket write
     * per flush: this stream passes a flush on only when {@link #flushThrough()} asks for it.
     */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() {
            // see the class comment: only flushThrough() reaches the network
        }

        void flushThrough() throws IOException {
            out.flush();
        }
    }
}
