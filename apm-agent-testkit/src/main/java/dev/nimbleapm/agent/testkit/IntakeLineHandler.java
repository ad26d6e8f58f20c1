package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Iterator;
import java.util.Map;

/**
 * Handles the NDJSON lines of one intake request: parses, validates and records each.
 *
 * <p>Exists to hold the per-request state of the protocol (line number, whether metadata came first, how many
 * events) apart from the HTTP plumbing. Events are recorded even when they violate the schema, so that a test can look
 * at them; the violation is recorded next to them.
 */
final class IntakeLineHandler implements NdjsonLineSplitter.Listener {

    static final int MAX_VIOLATION_LINE_CHARS = 2000;

    private final ObjectMapper mapper;
    private final IntakeSchemaValidator validator;
    private final ReceivedEvents store;
    private final boolean accepting;
    private final int requestNumber;
    private int lineNumber;
    private int events;

    IntakeLineHandler(ObjectMapper mapper, IntakeSchemaValidator validator, ReceivedEvents store, boolean accepting,
                      int requestNumber) {
        this.mapper = mapper;
        this.validator = validator;
        this.store = store;
        this.accepting = accepting;
        this.requestNumber = requestNumber;
    }

    /** Event lines handled so far, not counting metadata. */
    int events() {
        return events;
    }

    @Override
    public void line(String line) {
        lineNumber++;
        store.lineArrived();
        JsonNode wrapper;
        try {
            wrapper = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            violation("unparseable", "not valid JSON: " + e.getOriginalMessage(), line);
            return;
        }
        if (wrapper == null || !wrapper.isObject() || wrapper.size() != 1) {
            violation("unparseable", "a line must be a JSON object with exactly one key (the event type)", line);
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = wrapper.fields();
        Map.Entry<String, JsonNode> entry = fields.next();
        String type = entry.getKey();
        JsonNode inner = entry.getValue();
        if (!IntakeSchemaValidator.EVENT_TYPES.contains(type)) {
            violation(type, "unknown event type (expected one of " + IntakeSchemaValidator.EVENT_TYPES + ")", line);
            return;
        }
        if (lineNumber == 1 && !"metadata".equals(type)) {
            violation(type, "the first line of an intake request must be metadata", line);
        } else if (lineNumber > 1 && "metadata".equals(type)) {
            violation(type, "metadata is only allowed as the first line of an intake request", line);
        }
        if (!inner.isObject()) {
            violation(type, "the event must be a JSON object but is " + inner.getNodeType(), line);
            return;
        }
        for (String message : validator.validate(type, inner)) {
            violation(type, message, line);
        }
        if (!"metadata".equals(type)) {
            events++;
        }
        store.event(type, inner, accepting);
    }

    @Override
    public void oversizedLine(String beginning, long length) {
        lineNumber++;
        store.lineArrived();
        violation("unparseable", "line of " + length + " bytes exceeds the APM Server's max_event_size of "
                + MockApmServer.MAX_EVENT_SIZE_BYTES + " bytes", beginning);
    }

    /** Records a problem that is not about one line, e.g. an undecodable body. */
    void requestViolation(String message) {
        store.violation("request " + requestNumber + ": " + message);
    }

    private void violation(String type, String message, String line) {
        String shown = line.length() > MAX_VIOLATION_LINE_CHARS
                ? line.substring(0, MAX_VIOLATION_LINE_CHARS) + "...(" + line.length() + " chars)"
                : line;
        store.violation(type + " (request " + requestNumber + ", line " + lineNumber + "): " + message
                + "\n    line: " + shown);
    }
}
