package dev.nimbleapm.agent.core.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.IdentityHashMap;
import java.util.Map;

import com.dslplatform.json.JsonWriter;
import com.dslplatform.json.NumberConverter;

import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.DbContext;
import dev.nimbleapm.agent.core.model.DestinationContext;
import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.HttpContext;
import dev.nimbleapm.agent.core.model.Labels;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.SpanNameFormatter;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.IdHex;

/**
 * Writes events as intake v2 NDJSON lines ({@code {"span":{...}}\n}) with DSL-JSON's low-level writer into one
 * reused buffer. Everything derived - hex ids, names, URLs, {@code destination.service.resource}, truncation to
 * the intake limits (1024 chars for keyword fields, {@code long_field_max_length} for long text) - is computed here,
 * on the reporter thread, never on the application's thread.
 *
 * <p>Not thread-safe: owned by the reporter thread.
 */
public final class IntakeV2Serializer {

    public static final int KEYWORD_MAX_LENGTH = 1024;
    private static final int MAX_STACK_FRAMES = 50;
    private static final int MAX_CAUSES = 10;

    private final JsonWriter jw;
    private final int longFieldMaxLength;
    private final byte[] hex = new byte[34];
    private final StringBuilder scratch = new StringBuilder(256);
    private final Truncated truncated = new Truncated();
    private double cachedRate = Double.NaN;
    private byte[] cachedRateBytes;
    private byte[] metadataLine;
    private Throwable formatterFailure;

    public IntakeV2Serializer(int longFieldMaxLength) {
        this.jw = newJsonWriter(16 * 1024);
        this.longFieldMaxLength = longFieldMaxLength;
        hex[0] = '"';
    }

    /**
     * DSL-JSON's writer without a {@code DslJson} instance: creating one registers converters for java.sql and
     * java.time types, which classes on the bootstrap class path cannot see on Java 9+. The writer itself needs
     * none of them.
     */
    private static JsonWriter newJsonWriter(int size) {
        try {
            for (java.lang.reflect.Constructor<?> constructor : JsonWriter.class.getDeclaredConstructors()) {
                Class<?>[] types = constructor.getParameterTypes();
                if (types.length == 2 && types[0] == int.class) {
                    constructor.setAccessible(true);
                    return (JsonWriter) constructor.newInstance(size, null);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("DSL-JSON's JsonWriter cannot be created", e);
        }
        throw new IllegalStateException("DSL-JSON's JsonWriter(int, UnknownSerializer) constructor is missing");
    }

    // ------------------------------------------------------------------ buffers

    /*
     * Each event is written into the JSON writer alone and then committed to the batch, so that an event whose
     * serialization fails half-way is discarded without corrupting the lines before it.
     */
    private byte[] batch = new byte[32 * 1024];
    private int batchSize;

    /** Moves the event just serialized into the batch. */
    public void commit() {
        int size = jw.size();
        if (batchSize + size > batch.length) {
            batch = java.util.Arrays.copyOf(batch, Math.max(batch.length * 2, batchSize + size));
        }
        System.arraycopy(jw.getByteBuffer(), 0, batch, batchSize, size);
        batchSize += size;
        jw.reset();
    }

    /** Forgets a partially serialized event. */
    public void discard() {
        jw.reset();
        formatterFailure = null;
    }

    /**
     * What a {@link SpanNameFormatter} threw while the last event was serialized (the span then carries a fallback
     * name), or null; cleared by this call.
     */
    public Throwable takeFormatterFailure() {
        Throwable failure = formatterFailure;
        formatterFailure = null;
        return failure;
    }

    /** Bytes committed and not yet written out. */
    public int batchSize() {
        return batchSize;
    }

    public void writeBatchTo(OutputStream out) throws IOException {
        try {
            out.write(batch, 0, batchSize);
        } finally {
            batchSize = 0;
        }
    }

    public void clearBatch() {
        batchSize = 0;
        jw.reset();
    }

    /** The committed batch as text (tests). */
    public String batchAsString() {
        return new String(batch, 0, batchSize, java.nio.charset.Charset.forName("UTF-8"));
    }

    // ------------------------------------------------------------------ metadata

    /** The metadata line, serialized once and then reused for every intake request. */
    public byte[] metadataLine(AgentMetadata metadata) {
        if (metadataLine == null) {
            jw.reset();
            writeMetadata(metadata);
            metadataLine = jw.toByteArray();
            jw.reset();
        }
        return metadataLine;
    }

    private void writeMetadata(AgentMetadata m) {
        jw.writeAscii("{\"metadata\":{\"service\":{");
        writeFirstKeyword("name", m.serviceName);
        writeKeyword("version", m.serviceVersion);
        writeKeyword("environment", m.environment);
        jw.writeAscii(",\"agent\":{");
        writeFirstKeyword("name", AgentMetadata.AGENT_NAME);
        writeKeyword("version", m.agentVersion);
        writeKeyword("ephemeral_id", m.ephemeralId);
        writeKeyword("activation_method", m.activationMethod);
        jw.writeAscii("},\"language\":{");
        writeFirstKeyword("name", "Java");
        writeKeyword("version", m.javaVersion);
        jw.writeAscii("},\"runtime\":{");
        writeFirstKeyword("name", m.runtimeName);
        writeKeyword("version", m.javaVersion);
        jw.writeByte(JsonWriter.OBJECT_END);
        if (m.serviceNodeName != null) {
            jw.writeAscii(",\"node\":{");
            writeFirstKeyword("configured_name", m.serviceNodeName);
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        jw.writeAscii("},\"process\":{\"pid\":");
        NumberConverter.serialize(m.pid, jw);
        writeKeyword("title", m.processTitle);
        jw.writeAscii("},\"system\":{");
        writeFirstKeyword("architecture", m.architecture);
        writeKeyword("platform", m.platform);
        writeKeyword("detected_hostname", m.detectedHostname);
        writeKeyword("configured_hostname", m.configuredHostname);
        jw.writeByte(JsonWriter.OBJECT_END);
        if (!m.globalLabels.isEmpty()) {
            jw.writeAscii(",\"labels\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : m.globalLabels.entrySet()) {
                if (!first) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                first = false;
                writeLabelKey(e.getKey());
                writeString(e.getValue(), KEYWORD_MAX_LENGTH);
            }
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        jw.writeAscii("}}\n");
    }

    // ------------------------------------------------------------------ transaction

    public void serialize(Transaction t) {
        jw.writeAscii("{\"transaction\":{\"id\":");
        writeHex(t.id());
        jw.writeAscii(",\"trace_id\":");
        writeHex(t.traceIdHigh(), t.traceIdLow());
        if (t.parentId() != 0) {
            jw.writeAscii(",\"parent_id\":");
            writeHex(t.parentId());
        }
        writeName(t, "unnamed");
        writeKeyword("type", t.type() != null ? t.type() : Transaction.DEFAULT_TYPE);
        writeCommonTiming(t);
        writeKeyword("result", t.result());
        writeKeyword("outcome", t.outcome().jsonValue());
        jw.writeAscii(",\"sampled\":");
        jw.writeAscii(t.isSampled() ? "true" : "false");
        writeSampleRate(t);
        jw.writeAscii(",\"span_count\":{\"started\":");
        NumberConverter.serialize(t.spansStarted(), jw);
        jw.writeAscii(",\"dropped\":");
        NumberConverter.serialize(t.spansDropped(), jw);
        jw.writeByte(JsonWriter.OBJECT_END);
        boolean hasUser = t.userId() != null || t.userEmail() != null || t.userName() != null
            || t.userDomain() != null;
        if (t.isSampled() && (!t.labels().isEmpty() || hasUser || t.hasCustom()
            || t.frameworkName() != null)) {
            jw.writeAscii(",\"context\":{");
            boolean first = true;
            if (!t.labels().isEmpty()) {
                first = writeLabels("tags", t.labels(), first);
            }
            if (t.hasCustom()) {
                first = writeLabels("custom", t.custom(), first);
            }
            if (hasUser) {
                if (!first) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                first = false;
                jw.writeAscii("\"user\":{");
                boolean firstUser = true;
                firstUser = writeOptionalKeyword("id", t.userId(), firstUser);
                firstUser = writeOptionalKeyword("email", t.userEmail(), firstUser);
                firstUser = writeOptionalKeyword("username", t.userName(), firstUser);
                writeOptionalKeyword("domain", t.userDomain(), firstUser);
                jw.writeByte(JsonWriter.OBJECT_END);
            }
            if (t.frameworkName() != null) {
                if (!first) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                jw.writeAscii("\"service\":{\"framework\":{");
                writeFirstKeyword("name", t.frameworkName());
                jw.writeAscii("}}");
            }
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        jw.writeAscii("}}\n");
    }

    // ------------------------------------------------------------------ span

    public void serialize(Span s) {
        jw.writeAscii("{\"span\":{\"id\":");
        writeHex(s.id());
        jw.writeAscii(",\"transaction_id\":");
        writeHex(s.transactionId());
        jw.writeAscii(",\"parent_id\":");
        writeHex(s.parentId());
        jw.writeAscii(",\"trace_id\":");
        writeHex(s.traceIdHigh(), s.traceIdLow());
        writeName(s, "unnamed");
        writeKeyword("type", s.type() != null ? s.type() : "custom");
        writeKeyword("subtype", s.subtype());
        writeKeyword("action", s.action());
        writeCommonTiming(s);
        writeKeyword("outcome", s.outcome().jsonValue());
        if (s.sync() != Span.SYNC_UNKNOWN) {
            jw.writeAscii(s.sync() == Span.SYNC ? ",\"sync\":true" : ",\"sync\":false");
        }
        writeSampleRate(s);
        writeSpanContext(s);
        jw.writeAscii("}}\n");
    }

    private void writeSpanContext(Span s) {
        DbContext db = s.db();
        HttpContext http = s.http();
        DestinationContext destination = s.destination();
        boolean hasDestination = destination.address() != null || destination.targetType() != null;
        if (!db.hasContent() && !http.hasContent() && !hasDestination && s.labels().isEmpty()) {
            return;
        }
        jw.writeAscii(",\"context\":{");
        boolean first = true;
        if (db.hasContent()) {
            first = false;
            jw.writeAscii("\"db\":{");
            boolean firstDb = true;
            firstDb = writeOptionalKeyword("type", db.type(), firstDb);
            firstDb = writeOptionalKeyword("instance", db.instance(), firstDb);
            firstDb = writeOptionalKeyword("user", db.user(), firstDb);
            CharSequence statement = db.statement();
            if (statement != null) {
                if (!firstDb) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                jw.writeAscii("\"statement\":");
                writeString(statement, longFieldMaxLength);
            }
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        if (http.hasContent()) {
            if (!first) {
                jw.writeByte(JsonWriter.COMMA);
            }
            first = false;
            jw.writeAscii("\"http\":{");
            boolean firstHttp = true;
            firstHttp = writeOptionalKeyword("method", http.method(), firstHttp);
            if (http.statusCode() > 0) {
                if (!firstHttp) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                firstHttp = false;
                jw.writeAscii("\"status_code\":");
                NumberConverter.serialize(http.statusCode(), jw);
            }
            if (http.hasUrl()) {
                if (!firstHttp) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                jw.writeAscii("\"url\":");
                writeString(url(http), longFieldMaxLength);
            }
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        if (hasDestination) {
            if (!first) {
                jw.writeByte(JsonWriter.COMMA);
            }
            first = false;
            jw.writeAscii("\"destination\":{");
            boolean firstDest = true;
            firstDest = writeOptionalKeyword("address", destination.address(), firstDest);
            if (destination.port() > 0) {
                if (!firstDest) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                firstDest = false;
                jw.writeAscii("\"port\":");
                NumberConverter.serialize(destination.port(), jw);
            }
            if (destination.targetType() != null) {
                if (!firstDest) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                jw.writeAscii("\"service\":{\"resource\":");
                scratch.setLength(0);
                scratch.append(destination.targetType());
                if (destination.targetName() != null && destination.targetName().length() > 0) {
                    scratch.append('/').append(destination.targetName());
                }
                writeString(scratch, KEYWORD_MAX_LENGTH);
                jw.writeByte(JsonWriter.OBJECT_END);
            }
            jw.writeByte(JsonWriter.OBJECT_END);
            if (destination.targetType() != null) {
                jw.writeAscii(",\"service\":{\"target\":{");
                writeFirstKeyword("type", destination.targetType());
                if (destination.targetName() != null && destination.targetName().length() > 0) {
                    writeKeyword("name", destination.targetName());
                }
                jw.writeAscii("}}");
            }
        }
        if (!s.labels().isEmpty()) {
            writeLabels("tags", s.labels(), first);
        }
        jw.writeByte(JsonWriter.OBJECT_END);
    }

    private CharSequence url(HttpContext http) {
        if (http.fullUrl() != null) {
            return http.fullUrl();
        }
        scratch.setLength(0);
        scratch.append(http.scheme() != null ? http.scheme() : "http").append("://");
        String host = http.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            scratch.append('[').append(host).append(']');
        } else {
            scratch.append(host);
        }
        if (http.port() > 0) {
            scratch.append(':').append(http.port());
        }
        String path = http.path();
        if (path != null && !path.isEmpty()) {
            if (path.charAt(0) != '/') {
                scratch.append('/');
            }
            scratch.append(path);
        }
        return scratch;
    }

    // ------------------------------------------------------------------ error

    public void serialize(ErrorCapture e) {
        jw.writeAscii("{\"error\":{\"id\":");
        writeHex(e.idHigh(), e.idLow());
        jw.writeAscii(",\"timestamp\":");
        NumberConverter.serialize(e.timestampMicros(), jw);
        if (e.hasTraceContext()) {
            jw.writeAscii(",\"trace_id\":");
            writeHex(e.traceIdHigh(), e.traceIdLow());
            jw.writeAscii(",\"parent_id\":");
            writeHex(e.parentId());
            if (e.transactionId() != 0) {
                jw.writeAscii(",\"transaction_id\":");
                writeHex(e.transactionId());
                jw.writeAscii(",\"transaction\":{\"sampled\":");
                jw.writeAscii(e.transactionSampled() ? "true" : "false");
                writeKeyword("type", e.transactionType() != null ? e.transactionType() : Transaction.DEFAULT_TYPE);
                writeKeyword("name", e.transactionName());
                jw.writeByte(JsonWriter.OBJECT_END);
            }
        }
        Throwable t = e.exception();
        StackTraceElement culprit = culprit(t);
        if (culprit != null) {
            scratch.setLength(0);
            scratch.append(culprit.getClassName()).append('.').append(culprit.getMethodName());
            if (culprit.getFileName() != null) {
                scratch.append('(').append(culprit.getFileName());
                if (culprit.getLineNumber() > 0) {
                    scratch.append(':').append(culprit.getLineNumber());
                }
                scratch.append(')');
            }
            jw.writeAscii(",\"culprit\":");
            writeString(scratch, KEYWORD_MAX_LENGTH);
        }
        jw.writeAscii(",\"exception\":");
        writeException(t, e.statusCode(), 0, new IdentityHashMap<Throwable, Boolean>());
        if (!e.labels().isEmpty()) {
            jw.writeAscii(",\"context\":{");
            writeLabels("tags", e.labels(), true);
            jw.writeByte(JsonWriter.OBJECT_END);
        }
        jw.writeAscii("}}\n");
    }

    private void writeException(Throwable t, int statusCode, int depth, Map<Throwable, Boolean> seen) {
        seen.put(t, Boolean.TRUE);
        jw.writeAscii("{\"type\":");
        writeString(t.getClass().getName(), KEYWORD_MAX_LENGTH);
        String message = safeMessage(t);
        if (message != null) {
            jw.writeAscii(",\"message\":");
            writeString(message, longFieldMaxLength);
        }
        if (statusCode > 0) {
            jw.writeAscii(",\"code\":");
            NumberConverter.serialize(statusCode, jw);
        }
        StackTraceElement[] frames = t.getStackTrace();
        if (frames != null && frames.length > 0) {
            jw.writeAscii(",\"stacktrace\":[");
            int n = Math.min(frames.length, MAX_STACK_FRAMES);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    jw.writeByte(JsonWriter.COMMA);
                }
                writeFrame(frames[i]);
            }
            jw.writeByte(JsonWriter.ARRAY_END);
        }
        Throwable cause = t.getCause();
        if (cause != null && cause != t && depth < MAX_CAUSES && !seen.containsKey(cause)) {
            jw.writeAscii(",\"cause\":[");
            writeException(cause, 0, depth + 1, seen);
            jw.writeByte(JsonWriter.ARRAY_END);
        }
        jw.writeByte(JsonWriter.OBJECT_END);
    }

    private void writeFrame(StackTraceElement frame) {
        jw.writeAscii("{\"classname\":");
        writeString(frame.getClassName(), KEYWORD_MAX_LENGTH);
        jw.writeAscii(",\"function\":");
        writeString(frame.getMethodName(), KEYWORD_MAX_LENGTH);
        if (frame.getFileName() != null) {
            jw.writeAscii(",\"filename\":");
            writeString(frame.getFileName(), KEYWORD_MAX_LENGTH);
        }
        if (frame.getLineNumber() > 0) {
            jw.writeAscii(",\"lineno\":");
            NumberConverter.serialize(frame.getLineNumber(), jw);
        }
        jw.writeAscii(",\"library_frame\":");
        jw.writeAscii(isLibraryFrame(frame) ? "true" : "false");
        jw.writeByte(JsonWriter.OBJECT_END);
    }

    private static boolean isLibraryFrame(StackTraceElement frame) {
        String c = frame.getClassName();
        return c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.") || c.startsWith("sun.")
            || c.startsWith("com.sun.") || c.startsWith("org.apache.http.") || c.startsWith("org.elasticsearch.")
            || c.startsWith("co.elastic.") || c.startsWith("org.junit.") || c.startsWith("org.springframework.")
            || c.startsWith("io.netty.") || c.startsWith("com.fasterxml.") || c.startsWith("dev.nimbleapm.agent.sdk.")
            || c.startsWith("dev.nimbleapm.agent.plugin.");
    }

    private static StackTraceElement culprit(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        if (frames == null || frames.length == 0) {
            return null;
        }
        for (StackTraceElement frame : frames) {
            if (!isLibraryFrame(frame)) {
                return frame;
            }
        }
        return frames[0];
    }

    private static String safeMessage(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable broken) {
            return null;
        }
    }

    // ------------------------------------------------------------------ shared pieces

    private void writeCommonTiming(AbstractSpan s) {
        jw.writeAscii(",\"timestamp\":");
        NumberConverter.serialize(s.timestampMicros(), jw);
        jw.writeAscii(",\"duration\":");
        writeMillis(s.durationMicros());
    }

    /** The rate is the same on almost every event: its digits are formatted once and reused. */
    private void writeSampleRate(AbstractSpan s) {
        double rate = s.sampleRate();
        if (Double.isNaN(rate)) {
            return;
        }
        if (rate != cachedRate || cachedRateBytes == null) {
            int before = jw.size();
            jw.writeAscii(",\"sample_rate\":");
            NumberConverter.serialize(rate, jw);
            cachedRateBytes = java.util.Arrays.copyOfRange(jw.getByteBuffer(), before, jw.size());
            cachedRate = rate;
            return;
        }
        jw.writeAscii(cachedRateBytes);
    }

    private void writeName(AbstractSpan s, String fallback) {
        jw.writeAscii(",\"name\":");
        SpanNameFormatter formatter = s.nameFormatter();
        CharSequence name = s.name();
        if (name == null && formatter != null && s instanceof Span) {
            scratch.setLength(0);
            try {
                formatter.appendName((Span) s, scratch);
            } catch (Throwable e) {
                // a plugin's bug costs the span its name, not the span: the caller counts and logs it
                scratch.setLength(0);
                formatterFailure = e;
            }
            name = scratch.length() > 0 ? scratch : null;
        }
        writeString(name != null ? name : fallback, KEYWORD_MAX_LENGTH);
    }

    /** Microseconds as milliseconds with three decimals, exact and without floating point. */
    private void writeMillis(long micros) {
        NumberConverter.serialize(micros / 1000L, jw);
        long fraction = micros % 1000L;
        jw.writeByte((byte) '.');
        jw.writeByte((byte) ('0' + fraction / 100));
        jw.writeByte((byte) ('0' + (fraction / 10) % 10));
        jw.writeByte((byte) ('0' + fraction % 10));
    }

    private boolean writeLabels(String field, Labels labels, boolean first) {
        if (!first) {
            jw.writeByte(JsonWriter.COMMA);
        }
        jw.writeByte(JsonWriter.QUOTE);
        jw.writeAscii(field);
        jw.writeAscii("\":{");
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                jw.writeByte(JsonWriter.COMMA);
            }
            writeLabelKey(labels.key(i));
            Object value = labels.value(i);
            if (value instanceof Boolean) {
                jw.writeAscii(((Boolean) value).booleanValue() ? "true" : "false");
            } else if (value instanceof Number) {
                writeNumber((Number) value);
            } else if (value == null) {
                jw.writeNull();
            } else {
                writeString(value.toString(), KEYWORD_MAX_LENGTH);
            }
        }
        jw.writeByte(JsonWriter.OBJECT_END);
        return false;
    }

    private void writeNumber(Number value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            NumberConverter.serialize(value.longValue(), jw);
        } else {
            double d = value.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                jw.writeNull();
            } else {
                NumberConverter.serialize(d, jw);
            }
        }
    }

    /** Label keys may not contain '.', '*' or '"' (the APM Server would reject or rewrite them). */
    private void writeLabelKey(String key) {
        scratch.setLength(0);
        for (int i = 0; i < key.length() && i < KEYWORD_MAX_LENGTH; i++) {
            char c = key.charAt(i);
            scratch.append(c == '.' || c == '*' || c == '"' ? '_' : c);
        }
        jw.writeString(scratch);
        jw.writeByte(JsonWriter.SEMI);
    }

    private void writeHex(long value) {
        hex[17] = '"';
        IdHex.write(hex, 1, value);
        jw.writeAscii(hex, 18);
    }

    private void writeHex(long high, long low) {
        IdHex.write(hex, 1, high);
        IdHex.write(hex, 17, low);
        hex[33] = '"';
        jw.writeAscii(hex, 34);
    }

    private void writeFirstKeyword(String field, CharSequence value) {
        jw.writeByte(JsonWriter.QUOTE);
        jw.writeAscii(field);
        jw.writeByte(JsonWriter.QUOTE);
        jw.writeByte(JsonWriter.SEMI);
        writeString(value, KEYWORD_MAX_LENGTH);
    }

    private void writeKeyword(String field, CharSequence value) {
        if (value == null) {
            return;
        }
        jw.writeByte(JsonWriter.COMMA);
        writeFirstKeyword(field, value);
    }

    private boolean writeOptionalKeyword(String field, CharSequence value, boolean first) {
        if (value == null) {
            return first;
        }
        if (!first) {
            jw.writeByte(JsonWriter.COMMA);
        }
        writeFirstKeyword(field, value);
        return false;
    }

    private void writeString(CharSequence value, int maxLength) {
        if (value instanceof java.nio.CharBuffer && ((java.nio.CharBuffer) value).hasArray()) {
            // captured text (request bodies): escaped straight from its array, the largest field of a span
            java.nio.CharBuffer buffer = (java.nio.CharBuffer) value;
            int length = Math.min(buffer.remaining(), maxLength);
            if (length > 0 && length < buffer.remaining()
                && Character.isHighSurrogate(buffer.get(buffer.position() + length - 1))) {
                length--;
            }
            writeQuoted(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
            return;
        }
        if (value == null) {
            jw.writeNull();
        } else if (value.length() <= maxLength) {
            if (value instanceof String) {
                jw.writeString((String) value);
            } else {
                jw.writeString(value);
            }
        } else {
            jw.writeString(truncated.of(value, maxLength));
        }
    }

    private byte[] escaped = new byte[4096];

    /** JSON string of {@code chars[offset, offset + length)}: escaped and UTF-8 encoded into a reused array. */
    private void writeQuoted(char[] chars, int offset, int length) {
        int max = length * 6 + 2;
        if (escaped.length < max) {
            escaped = new byte[Math.max(max, escaped.length * 2)];
        }
        byte[] out = escaped;
        int n = 0;
        out[n++] = '"';
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    out[n++] = (byte) c;
                } else {
                    n = escape(out, n, c);
                }
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                int cp = Character.toCodePoint(c, chars[++i]);
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out[n++] = '?';
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        out[n++] = '"';
        jw.writeAscii(out, n);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.Charset.forName("US-ASCII"));

    private static int escape(byte[] out, int n, char c) {
        out[n++] = '\\';
        switch (c) {
            case '"':
                out[n++] = '"';
                break;
            case '\\':
                out[n++] = '\\';
                break;
            case '\n':
                out[n++] = 'n';
                break;
            case '\r':
                out[n++] = 'r';
                break;
            case '\t':
                out[n++] = 't';
                break;
            case '\b':
                out[n++] = 'b';
                break;
            case '\f':
                out[n++] = 'f';
                break;
            default:
                out[n++] = 'u';
                out[n++] = '0';
                out[n++] = '0';
                out[n++] = HEX[c >> 4];
                out[n++] = HEX[c & 0xF];
        }
        return n;
    }

    /** A reusable view of a prefix of a char sequence, so truncation allocates nothing. */
    private static final class Truncated implements CharSequence {
        private CharSequence target;
        private int length;

        Truncated of(CharSequence target, int maxLength) {
            this.target = target;
            int len = maxLength;
            // never cut a surrogate pair in half
            if (len > 0 && Character.isHighSurrogate(target.charAt(len - 1))) {
                len--;
            }
            this.length = len;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return target.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return target.subSequence(start, end);
        }

        @Override
        public String toString() {
            return target.subSequence(0, length).toString();
        }
    }
}
