package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.CharBuffer;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.testing.TracerTest;
import dev.nimbleapm.agent.testkit.IntakeSchemaValidator;

/** What the serializer writes for difficult text, checked by parsing it back and against the intake schema. */
class IntakeV2SerializerTest extends TracerTest {

    private static final IntakeSchemaValidator SCHEMA = IntakeSchemaValidator.load();

    private JsonNode spanWithStatement(String text) {
        Transaction tx = tracer.startRootTransaction();
        Span span = tracer.startSpan(tx);
        span.setTypes("db", "elasticsearch", "request");
        CharBuffer buffer = span.db().statementBuffer(tracer.statementBufferPool());
        buffer.put(text, 0, Math.min(text.length(), buffer.remaining()));
        buffer.flip();
        span.end();
        tx.end();
        JsonNode json = reporter.spans().get(0);
        assertThat(SCHEMA.validate("span", json)).isEmpty();
        return json;
    }

    @Test
    void capturedTextIsEscapedAndUtf8Encoded() {
        String tricky = "{\"q\":\"a\\\\b\"}\n\r\t\b\f\u0001 caf\u00e9 \u20ac \uD834\uDD1E end";
        assertThat(spanWithStatement(tricky).at("/context/db/statement").asText()).isEqualTo(tricky);
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMark() {
        assertThat(spanWithStatement("x\uD834y").at("/context/db/statement").asText()).isEqualTo("x?y");
    }

    @Test
    void aCaptureCutInsideASurrogatePairStaysValidUtf8() {
        reconfigure(Map.of("long_field_max_length", "10"));
        String text = "123456789\uD834\uDD1Eabc";
        assertThat(spanWithStatement(text).at("/context/db/statement").asText()).isEqualTo("123456789?");
    }

    @Test
    void keywordFieldsAreCutAt1024Characters() {
        Transaction tx = tracer.startRootTransaction();
        tx.setName("n".repeat(5000));
        tx.labels().put("label", "v".repeat(5000));
        tx.setResult("r".repeat(2000));
        tx.end();
        JsonNode json = reporter.transactions().get(0);
        assertThat(SCHEMA.validate("transaction", json)).isEmpty();
        assertThat(json.get("name").asText()).hasSize(1024);
        assertThat(json.get("result").asText()).hasSize(1024);
        assertThat(json.at("/context/tags/label").asText()).hasSize(1024);
    }
}
