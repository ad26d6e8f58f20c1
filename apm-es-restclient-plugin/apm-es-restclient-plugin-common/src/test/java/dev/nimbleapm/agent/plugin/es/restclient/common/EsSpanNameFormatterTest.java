package dev.nimbleapm.agent.plugin.es.restclient.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;

class EsSpanNameFormatterTest {

    private final RecordingReporter reporter = new RecordingReporter();
    private Tracer tracer;
    private Transaction tx;

    @BeforeEach
    void start() {
        AgentConfig config = ConfigLoader.load(Collections.emptyList(), Collections.<ConfigSource>emptyList());
        tracer = new Tracer(config, reporter);
        tx = tracer.startRootTransaction();
    }

    @AfterEach
    void end() {
        tx.end();
    }

    private String name(EsSpanNaming naming, String method, String path) {
        Span span = tracer.startSpan(tx);
        span.http().withMethod(method).withPath(path);
        StringBuilder out = new StringBuilder();
        new EsSpanNameFormatter(naming).appendName(span, out);
        if (!span.labels().isEmpty()) {
            out.append(" [").append(span.labels().key(0)).append('=').append(span.labels().value(0)).append(']');
        }
        span.end();
        return out.toString();
    }

    @Test
    void pathNamingIsTheOfficialAgentsName() {
        assertThat(name(EsSpanNaming.PATH, "GET", "/orders/_doc/42")).isEqualTo("Elasticsearch: GET /orders/_doc/42");
    }

    @Test
    void templateNamingReplacesDocumentIds() {
        assertThat(name(EsSpanNaming.TEMPLATE, "GET", "/orders/_doc/42"))
            .isEqualTo("Elasticsearch: GET /orders/_doc/{id}");
        assertThat(name(EsSpanNaming.TEMPLATE, "POST", "/orders/_search"))
            .isEqualTo("Elasticsearch: POST /orders/_search");
        assertThat(name(EsSpanNaming.TEMPLATE, "GET", "/_strange/path/here/x/y"))
            .as("unknown endpoints keep their path").isEqualTo("Elasticsearch: GET /_strange/path/here/x/y");
    }

    @Test
    void endpointNamingUsesTheEndpointIdAndLabelsTheIndex() {
        assertThat(name(EsSpanNaming.ENDPOINT, "GET", "/orders/_doc/42"))
            .isEqualTo("Elasticsearch: get [elasticsearch_index=orders]");
        assertThat(name(EsSpanNaming.ENDPOINT, "POST", "/_bulk")).isEqualTo("Elasticsearch: bulk");
    }
}
