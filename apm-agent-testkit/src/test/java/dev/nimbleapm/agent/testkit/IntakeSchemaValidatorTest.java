package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IntakeSchemaValidatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final IntakeSchemaValidator VALIDATOR = IntakeSchemaValidator.load();

    /** Returns the inner object of a one-key wrapper line, as a mutable copy. */
    private static ObjectNode inner(String line, String type) throws Exception {
        return (ObjectNode) MAPPER.readTree(line).get(type).deepCopy();
    }

    @ParameterizedTest
    @ValueSource(strings = {"metadata", "transaction", "span", "error", "metricset"})
    void validSamplesProduceNoViolations(String type) throws Exception {
        String line = switch (type) {
            case "metadata" -> IntakeSamples.METADATA;
            case "transaction" -> IntakeSamples.TRANSACTION;
            case "span" -> IntakeSamples.SPAN;
            case "error" -> IntakeSamples.ERROR;
            default -> IntakeSamples.METRICSET;
        };
        assertThat(VALIDATOR.validate(type, inner(line, type))).isEmpty();
    }

    @Test
    void requiredIsEnforced() throws Exception {
        ObjectNode span = inner(IntakeSamples.SPAN, "span");
        span.remove("parent_id");
        List<String> violations = VALIDATOR.validate("span", span);
        assertThat(violations).hasSize(1);
        assertThat(violations.get(0)).contains("parent_id");
    }

    @Test
    void maxLengthIsEnforced() throws Exception {
        ObjectNode span = inner(IntakeSamples.SPAN, "span");
        span.put("name", "x".repeat(1025));
        assertThat(VALIDATOR.validate("span", span)).singleElement().asString().contains("$.name").contains("at most");

        span.put("name", "x".repeat(1024));
        assertThat(VALIDATOR.validate("span", span)).isEmpty();
    }

    @Test
    void typeIsEnforced() throws Exception {
        ObjectNode tx = inner(IntakeSamples.TRANSACTION, "transaction");
        tx.put("id", 12345);
        assertThat(VALIDATOR.validate("transaction", tx)).singleElement().asString().contains("$.id").contains("string");
    }

    @Test
    void anyOfIsEnforced() throws Exception {
        // a span needs either "start" or "timestamp"
        ObjectNode span = inner(IntakeSamples.SPAN, "span");
        span.remove("timestamp");
        assertThat(VALIDATOR.validate("span", span)).isNotEmpty();
        span.put("start", 1.5);
        assertThat(VALIDATOR.validate("span", span)).isEmpty();

        // an error needs "exception" or "log", and an exception needs "message" or "type"
        ObjectNode error = inner(IntakeSamples.ERROR, "error");
        error.remove("exception");
        assertThat(VALIDATOR.validate("error", error)).isNotEmpty();
        error.putObject("exception").put("handled", true);
        assertThat(VALIDATOR.validate("error", error)).isNotEmpty();
    }

    @Test
    void allOfIfThenIsEnforced() throws Exception {
        // error: if transaction_id is set, parent_id is required
        ObjectNode error = inner(IntakeSamples.ERROR, "error");
        error.remove("parent_id");
        List<String> violations = VALIDATOR.validate("error", error);
        assertThat(violations).isNotEmpty().anySatisfy(v -> assertThat(v).contains("parent_id"));
    }

    @Test
    void serviceNamePatternIsEnforced() throws Exception {
        ObjectNode metadata = inner(IntakeSamples.METADATA, "metadata");
        ((ObjectNode) metadata.get("service")).put("name", "search/app!");
        assertThat(VALIDATOR.validate("metadata", metadata)).singleElement().asString()
                .contains("$.service.name").contains("pattern");
    }

    @Test
    void metadataWithoutServiceIsInvalid() throws Exception {
        JsonNode metadata = MAPPER.readTree("{\"process\":{\"pid\":1}}");
        assertThat(VALIDATOR.validate("metadata", metadata)).singleElement().asString().contains("service");
    }

    @Test
    void unknownEventTypeIsReported() {
        assertThat(VALIDATOR.validate("log", MAPPER.createObjectNode())).singleElement().asString()
                .contains("unknown event type 'log'");
    }
}
