package dev.nimbleapm.agent.core.tracer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Outcome;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.testing.TracerTest;

class TracerLifecycleTest extends TracerTest {

    @Test
    void nestedSpansReportParentChildIdsAndOneTraceId() {
        Transaction tx = tracer.startRootTransaction();
        tx.setName("GET /search");
        tx.activate();
        Span outer = tracer.startSpan(tracer.getActive());
        outer.setName("outer");
        outer.activate();
        Span inner = tracer.startSpan(tracer.getActive());
        inner.setName("inner");
        inner.end();
        outer.deactivate();
        outer.end();
        tx.deactivate();
        tx.end();

        JsonNode t = reporter.transactions().get(0);
        List<JsonNode> spans = reporter.spans();
        JsonNode innerJson = spans.get(0);
        JsonNode outerJson = spans.get(1);
        assertThat(t.get("trace_id").asText()).matches("[0-9a-f]{32}");
        assertThat(t.get("id").asText()).matches("[0-9a-f]{16}");
        assertThat(t.has("parent_id")).isFalse();
        assertThat(outerJson.get("parent_id").asText()).isEqualTo(t.get("id").asText());
        assertThat(innerJson.get("parent_id").asText()).isEqualTo(outerJson.get("id").asText());
        assertThat(innerJson.get("transaction_id").asText()).isEqualTo(t.get("id").asText());
        assertThat(innerJson.get("trace_id").asText()).isEqualTo(t.get("trace_id").asText());
        assertThat(t.get("span_count").get("started").asInt()).isEqualTo(2);
        assertThat(t.get("span_count").get("dropped").asInt()).isZero();
    }

    @Test
    void childTimestampsFallInsideTheParentOnOneClock() {
        Transaction tx = tracer.startRootTransaction();
        Span span = tracer.startSpan(tx);
        busyWaitMicros(200);
        span.end();
        busyWaitMicros(200);
        tx.end();
        JsonNode t = reporter.transactions().get(0);
        JsonNode s = reporter.spans().get(0);
        long txStart = t.get("timestamp").asLong();
        long spanStart = s.get("timestamp").asLong();
        double spanMillis = s.get("duration").asDouble();
        assertThat(spanStart).isGreaterThanOrEqualTo(txStart);
        assertThat(spanMillis).isGreaterThanOrEqualTo(0.2);
        assertThat(spanStart + (long) (spanMillis * 1000)).isLessThanOrEqualTo(
            txStart + (long) (t.get("duration").asDouble() * 1000) + 1);
    }

    @Test
    void spanEndedWhileStillActiveIsRecycledOnlyAfterDeactivation() {
        Transaction tx = tracer.startRootTransaction();
        Span span = tracer.startSpan(tx);
        span.activate();
        span.end();
        assertThat(reporter.spans()).hasSize(1);
        assertThat(span.referenceCount()).isEqualTo(1);
        assertThat(tracer.getActive()).isSameAs(span);
        span.deactivate();
        assertThat(tracer.spanPool().objectsInUse()).isZero();
        tx.end();
    }

    @Test
    void transactionIsNotRecycledWhileAnAsyncSpanIsStillRunning() {
        Transaction tx = tracer.startRootTransaction();
        Span async = tracer.startSpan(tx);
        tx.end();
        assertThat(reporter.transactions()).hasSize(1);
        assertThat(tracer.transactionPool().objectsInUse()).isEqualTo(1);
        async.end();
        assertThat(tracer.transactionPool().objectsInUse()).isZero();
    }

    @Test
    void recycledObjectsAreReusedWithoutLeftovers() {
        Transaction first = tracer.startRootTransaction();
        first.labels().put("leftover", "yes");
        first.setName("first");
        first.end();
        Transaction second = tracer.startRootTransaction();
        assertThat(second).isSameAs(first);
        assertThat(second.labels().isEmpty()).isTrue();
        assertThat(second.name()).isNull();
        second.end();
        assertThat(reporter.transactions().get(1).has("context")).isFalse();
    }

    @Test
    void spansBeyondTransactionMaxSpansAreCountedAsDropped() {
        reconfigure(Map.of("transaction_max_spans", "2"));
        Transaction tx = tracer.startRootTransaction();
        for (int i = 0; i < 5; i++) {
            Span span = tracer.startSpan(tx);
            if (i < 2) {
                assertThat(span).isNotNull();
                span.end();
            } else {
                assertThat(span).isNull();
            }
        }
        tx.end();
        JsonNode t = reporter.transactions().get(0);
        assertThat(t.get("span_count").get("started").asInt()).isEqualTo(2);
        assertThat(t.get("span_count").get("dropped").asInt()).isEqualTo(3);
    }

    @Test
    void unsampledTransactionRecordsNoSpansAndReportsRateZero() {
        reconfigure(Map.of("transaction_sample_rate", "0"));
        Transaction tx = tracer.startRootTransaction();
        assertThat(tx.isSampled()).isFalse();
        assertThat(tracer.startSpan(tx)).isNull();
        tx.end();
        JsonNode t = reporter.transactions().get(0);
        assertThat(t.get("sampled").asBoolean()).isFalse();
        assertThat(t.get("sample_rate").asDouble()).isZero();
        assertThat(reporter.spans()).isEmpty();
    }

    @Test
    void sampleRateIsRecordedOnSampledEvents() {
        reconfigure(Map.of("transaction_sample_rate", "1"));
        Transaction tx = tracer.startRootTransaction();
        tracer.startSpan(tx).end();
        tx.end();
        assertThat(reporter.transactions().get(0).get("sample_rate").asDouble()).isEqualTo(1.0);
        assertThat(reporter.spans().get(0).get("sample_rate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void recordingFalseStartsNothing() {
        reconfigure(Map.of("recording", "false"));
        assertThat(tracer.startRootTransaction()).isNull();
        assertThat(tracer.captureException(new RuntimeException(), null)).isNull();
    }

    @Test
    void nothingIsTracedBeneathAnExitSpan() {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Span exit = tracer.startExitSpan();
        exit.activate();
        assertThat(tracer.startExitSpan()).isNull();
        assertThat(tracer.startSpan(exit)).isNull();
        exit.deactivate();
        exit.end();
        tx.deactivate();
        tx.end();
        assertThat(reporter.spans()).hasSize(1);
    }

    @Test
    void outcomeDefaultsToSuccessForSpansAndFailureAfterACapturedError() {
        Transaction tx = tracer.startRootTransaction();
        Span ok = tracer.startSpan(tx);
        ok.end();
        Span failed = tracer.startSpan(tx);
        tracer.report(tracer.captureException(new IllegalStateException("boom"), failed));
        failed.end();
        Span explicit = tracer.startSpan(tx);
        explicit.setOutcome(Outcome.UNKNOWN);
        explicit.end();
        tx.end();
        List<JsonNode> spans = reporter.spans();
        assertThat(spans.get(0).get("outcome").asText()).isEqualTo("success");
        assertThat(spans.get(1).get("outcome").asText()).isEqualTo("failure");
        assertThat(spans.get(2).get("outcome").asText()).isEqualTo("unknown");
        assertThat(reporter.transactions().get(0).get("outcome").asText()).isEqualTo("unknown");
    }

    @Test
    void errorIsLinkedToItsSpanAndTransaction() {
        Transaction tx = tracer.startRootTransaction();
        tx.setName("job");
        tx.setType("task");
        Span span = tracer.startSpan(tx);
        ErrorCapture error = tracer.captureException(new IllegalArgumentException("bad input"), span);
        error.withStatusCode(400);
        tracer.report(error);
        span.end();
        tx.end();
        JsonNode e = reporter.errors().get(0);
        JsonNode s = reporter.spans().get(0);
        JsonNode t = reporter.transactions().get(0);
        assertThat(e.get("id").asText()).matches("[0-9a-f]{32}");
        assertThat(e.get("parent_id").asText()).isEqualTo(s.get("id").asText());
        assertThat(e.get("transaction_id").asText()).isEqualTo(t.get("id").asText());
        assertThat(e.get("trace_id").asText()).isEqualTo(t.get("trace_id").asText());
        assertThat(e.get("transaction").get("name").asText()).isEqualTo("job");
        assertThat(e.get("transaction").get("type").asText()).isEqualTo("task");
        assertThat(e.get("exception").get("type").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(e.get("exception").get("message").asText()).isEqualTo("bad input");
        assertThat(e.get("exception").get("code").asInt()).isEqualTo(400);
        assertThat(e.get("exception").get("stacktrace").size()).isGreaterThan(0);
        assertThat(e.get("culprit").asText()).contains("TracerLifecycleTest.errorIsLinkedToItsSpanAndTransaction");
    }

    @Test
    void errorWithoutActiveTraceHasNoTraceContext() {
        tracer.report(tracer.captureException(new RuntimeException("outside"), null));
        JsonNode e = reporter.errors().get(0);
        assertThat(e.has("trace_id")).isFalse();
        assertThat(e.has("transaction_id")).isFalse();
    }

    @Test
    void exceptionCausesAreReportedWithoutLooping() {
        RuntimeException root = new RuntimeException("root");
        IllegalStateException top = new IllegalStateException("top", root);
        root.initCause(top);
        tracer.report(tracer.captureException(top, null));
        JsonNode exception = reporter.errors().get(0).get("exception");
        assertThat(exception.get("cause").get(0).get("message").asText()).isEqualTo("root");
        assertThat(exception.get("cause").get(0).has("cause")).isFalse();
    }

    @Test
    void endingTwiceReportsOnce() {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        tx.end();
        tx.end();
        tx.deactivate();
        assertThat(reporter.transactions()).hasSize(1);
    }

    @Test
    void usingARecycledObjectIsDetectedAndNotActedUpon() {
        Transaction tx = tracer.startRootTransaction();
        tx.end();
        tx.end();
        assertThat(reporter.transactions()).hasSize(1);
        assertThat(tracer.poolViolations()).isEqualTo(1);
        // provoked on purpose: continue with a clean tracer for the after-test checks
        reconfigure(Map.of());
    }

    @Test
    void continuesARemoteTraceFromTraceparent() {
        Transaction tx = tracer.startChildTransaction(
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "es=s:0.5");
        tx.end();
        JsonNode t = reporter.transactions().get(0);
        assertThat(t.get("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(t.get("parent_id").asText()).isEqualTo("b7ad6b7169203331");
        assertThat(t.get("sampled").asBoolean()).isTrue();
        assertThat(t.get("sample_rate").asDouble()).isEqualTo(0.5);
    }

    @Test
    void malformedTraceparentStartsANewTrace() {
        Transaction tx = tracer.startChildTransaction("00-zz-nonsense", null);
        tx.end();
        JsonNode t = reporter.transactions().get(0);
        assertThat(t.has("parent_id")).isFalse();
        assertThat(t.get("trace_id").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void labelsOfEveryTypeAreSerialized() {
        Transaction tx = tracer.startRootTransaction();
        tx.labels().put("text", "value");
        tx.labels().put("number", 42);
        tx.labels().put("ratio", 0.5);
        tx.labels().put("flag", true);
        tx.labels().put("dotted.key", "sanitized");
        tx.end();
        JsonNode tags = reporter.transactions().get(0).get("context").get("tags");
        assertThat(tags.get("text").asText()).isEqualTo("value");
        assertThat(tags.get("number").asInt()).isEqualTo(42);
        assertThat(tags.get("ratio").asDouble()).isEqualTo(0.5);
        assertThat(tags.get("flag").asBoolean()).isTrue();
        assertThat(tags.get("dotted_key").asText()).isEqualTo("sanitized");
    }

    private static void busyWaitMicros(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
