package dev.nimbleapm.agent.core.testing;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.IntakeV2Serializer;
import dev.nimbleapm.agent.core.report.Reporter;

/**
 * A reporter for unit tests: serializes every event synchronously with the real serializer, keeps the JSON, and
 * releases the event exactly like the intake reporter does, so pool accounting is exercised.
 */
public final class CapturingReporter implements Reporter {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final IntakeV2Serializer serializer;
    private final List<JsonNode> transactions = new ArrayList<>();
    private final List<JsonNode> spans = new ArrayList<>();
    private final List<JsonNode> errors = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();

    public CapturingReporter(int longFieldMaxLength) {
        this.serializer = new IntakeV2Serializer(longFieldMaxLength);
    }

    public CapturingReporter() {
        this(10000);
    }

    @Override
    public synchronized void report(Transaction transaction) {
        try {
            serializer.serialize(transaction);
            transactions.add(capture("transaction"));
        } finally {
            transaction.decrementReferences();
        }
    }

    @Override
    public synchronized void report(Span span) {
        try {
            serializer.serialize(span);
            spans.add(capture("span"));
        } finally {
            span.decrementReferences();
        }
    }

    @Override
    public synchronized void report(ErrorCapture error) {
        try {
            serializer.serialize(error);
            errors.add(capture("error"));
        } finally {
            error.release();
        }
    }

    private JsonNode capture(String type) {
        serializer.commit();
        String line = serializer.batchAsString();
        serializer.clearBatch();
        if (!line.endsWith("\n")) {
            throw new AssertionError("event line does not end with a newline: " + line);
        }
        lines.add(line);
        try {
            JsonNode wrapper = MAPPER.readTree(line);
            if (wrapper.size() != 1 || !wrapper.has(type)) {
                throw new AssertionError("expected one '" + type + "' key: " + line);
            }
            return wrapper.get(type);
        } catch (java.io.IOException e) {
            throw new AssertionError("invalid JSON: " + line, e);
        }
    }

    public synchronized List<JsonNode> transactions() {
        return new ArrayList<>(transactions);
    }

    public synchronized List<JsonNode> spans() {
        return new ArrayList<>(spans);
    }

    public synchronized List<JsonNode> errors() {
        return new ArrayList<>(errors);
    }

    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    @Override
    public boolean flush(long timeoutMillis) {
        return true;
    }

    @Override
    public void close(long timeoutMillis) {
    }
}
