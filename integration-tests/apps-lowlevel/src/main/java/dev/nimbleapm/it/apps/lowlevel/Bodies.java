package dev.nimbleapm.it.apps.lowlevel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.http.entity.AbstractHttpEntity;
import org.apache.http.entity.ContentType;

/** Request bodies that are hard to record without harm, for the body scenarios. */
final class Bodies {

    private Bodies() {
    }

    static String largeDocument(int approximateBytes) {
        StringBuilder sb = new StringBuilder(approximateBytes + 64);
        sb.append("{\"title\":\"large\",\"text\":\"");
        int i = 0;
        while (sb.length() < approximateBytes) {
            sb.append("lorem ipsum ").append(i++).append(' ');
        }
        sb.append("\"}");
        return sb.toString();
    }

    static String sha256(byte[] bytes) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        StringBuilder sb = new StringBuilder();
        for (byte b : digest) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /** A body the application compressed itself: gzip bytes, {@code Content-Encoding: gzip}. */
    static org.apache.http.HttpEntity gzipped(String json) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out);
        gzip.write(json.getBytes(StandardCharsets.UTF_8));
        gzip.close();
        org.apache.http.entity.ByteArrayEntity entity = new org.apache.http.entity.ByteArrayEntity(out.toByteArray(),
            ContentType.APPLICATION_JSON);
        entity.setContentEncoding("gzip");
        return entity;
    }

    /**
     * Repeatable, but {@code getContent()} is not supported (like HttpClient's GzipCompressingEntity). The
     * asynchronous HTTP client needs {@code getContent()}, so the client itself fails the request; the agent must
     * neither hide nor change that failure.
     */
    static final class WriteOnlyEntity extends AbstractHttpEntity {
        private final byte[] content;

        WriteOnlyEntity(String json) {
            this.content = json.getBytes(StandardCharsets.UTF_8);
            setContentType(ContentType.APPLICATION_JSON.toString());
        }

        @Override
        public boolean isRepeatable() {
            return true;
        }

        @Override
        public long getContentLength() {
            return content.length;
        }

        @Override
        public InputStream getContent() {
            throw new UnsupportedOperationException("write-only entity");
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(content);
        }

        @Override
        public boolean isStreaming() {
            return false;
        }
    }

    /** Repeatable with unknown length (sent chunked); counts how often it was read. */
    static final class UnknownLengthEntity extends AbstractHttpEntity {
        private final byte[] content;
        int reads;

        UnknownLengthEntity(String json) {
            this.content = json.getBytes(StandardCharsets.UTF_8);
            setContentType(ContentType.APPLICATION_JSON.toString());
            setChunked(true);
        }

        @Override
        public boolean isRepeatable() {
            return true;
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public InputStream getContent() {
            reads++;
            return new ByteArrayInputStream(content);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            reads++;
            out.write(content);
        }

        @Override
        public boolean isStreaming() {
            return false;
        }
    }
}
