package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;

/**
 * Fields over the intake limits - names, labels, statements, error messages of thousands of characters, with
 * characters outside the BMP right where they are cut - are truncated the way the intake spec expects (1024
 * characters for keywords, {@code long_field_max_length} for long text, never half a surrogate pair), and the APM
 * Server's schemas accept every line.
 */
class IntakeReporterLimitsTest extends ReporterAgainstMockServer {

    /** 'a' then emoji: every keyword cut at 1024 UTF-16 units falls in the middle of a surrogate pair. */
    private static final String EMOJI_5001 = "a" + "\uD83D\uDE00".repeat(2500);
    private static final String MIXED = "caf\u00E9 \u65E5\u672C\u8A9E \u0645\u0631\u062D\u0628\u0627 "
        + "\uD83D\uDE80 \"quoted\" \\ back\nslash\ttab\u0001 ";

    private static String longText(int length) {
        StringBuilder sb = new StringBuilder(length + MIXED.length());
        while (sb.length() < length) {
            sb.append(MIXED);
        }
        sb.setLength(length);
        return sb.toString();
    }

    private static void assertWellFormed(String text) {
        assertThat(text).doesNotContain("\uFFFD");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                    .as("high surrogate at %d is paired", i).isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(c)).as("lone low surrogate at %d", i).isFalse();
            }
        }
    }

    @Test
    void oversizedFieldsAreTruncatedAsTheIntakeSpecExpectsAndEveryLineIsValid() {
        ReporterHarness r = harness.start(apm.url(), Map.of());
        String statement = longText(25_000);
        String message = longText(20_000);

        Transaction tx = r.tracer.startRootTransaction();
        tx.setName(EMOJI_5001);
        tx.setType("t".repeat(5000));
        tx.labels().put("k".repeat(5000), EMOJI_5001);
        tx.labels().put("dotted.key*with\"quote", longText(5000));
        Span span = r.tracer.startSpan(tx);
        span.setName(longText(5000));
        span.setTypes("db", "elasticsearch", "request");
        span.db().withType("elasticsearch").withStatement(statement);
        span.labels().put("label", EMOJI_5001);
        ErrorCapture error = r.tracer.captureException(new IllegalStateException(message), span);
        r.tracer.report(error);
        span.end();
        tx.end();
        assertThat(r.reporter.flush(10_000)).isTrue();

        assertThat(apm.schemaViolations()).isEmpty();
        JsonNode t = apm.transactions().get(0);
        assertThat(t.get("name").asText()).hasSize(1023).isEqualTo(EMOJI_5001.substring(0, 1023));
        assertThat(t.get("type").asText()).hasSize(1024);
        JsonNode tags = t.at("/context/tags");
        assertThat(tags.get("k".repeat(1024)).asText()).isEqualTo(EMOJI_5001.substring(0, 1023));
        assertThat(tags.get("dotted_key_with_quote").asText()).isEqualTo(longText(5000).substring(0, 1024));

        JsonNode s = apm.spans().get(0);
        assertThat(s.get("name").asText()).isEqualTo(longText(1024));
        assertThat(s.at("/context/db/statement").asText()).isEqualTo(statement.substring(0, 10_000));
        assertThat(s.at("/context/tags/label").asText()).hasSize(1023);

        JsonNode e = apm.errors().get(0);
        assertThat(e.at("/exception/message").asText()).isEqualTo(message.substring(0, 10_000));
        assertThat(e.at("/exception/type").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(e.get("parent_id").asText()).isEqualTo(s.get("id").asText());

        for (String text : new String[] {t.get("name").asText(), tags.get("k".repeat(1024)).asText(),
            s.at("/context/db/statement").asText(), e.at("/exception/message").asText()}) {
            assertWellFormed(text);
        }
        assertThat(r.stats().serializationErrors()).isZero();
    }

    @Test
    void aSmallerLongFieldMaxLengthCutsStatementsAndMessagesThere() {
        ReporterHarness r = harness.start(apm.url(), Map.of("long_field_max_length", "100"));
        Transaction tx = r.tracer.startRootTransaction();
        tx.setName("limits");
        Span span = r.tracer.startSpan(tx);
        span.setName("statement");
        // cut right inside a surrogate pair: 99 ASCII characters, then an emoji
        span.db().withType("elasticsearch").withStatement("x".repeat(99) + "\uD83D\uDE00 and more");
        span.end();
        r.tracer.report(r.tracer.captureException(new RuntimeException("m".repeat(150)), tx));
        tx.end();
        assertThat(r.reporter.flush(10_000)).isTrue();

        assertThat(apm.schemaViolations()).isEmpty();
        assertThat(apm.spans().get(0).at("/context/db/statement").asText()).isEqualTo("x".repeat(99));
        assertThat(apm.errors().get(0).at("/exception/message").asText()).isEqualTo("m".repeat(100));
    }
}
