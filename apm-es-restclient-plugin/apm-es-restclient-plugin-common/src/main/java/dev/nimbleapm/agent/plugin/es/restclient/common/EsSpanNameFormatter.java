package dev.nimbleapm.agent.plugin.es.restclient.common;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.SpanNameFormatter;

/**
 * Names Elasticsearch spans on the reporter thread, from the method and path the request recorded, per
 * {@code elasticsearch_span_naming}. In endpoint mode it also adds the index as label {@code elasticsearch_index}.
 * Reporter thread only (it reuses one match holder).
 */
public final class EsSpanNameFormatter implements SpanNameFormatter {

    public static final String PREFIX = "Elasticsearch: ";
    public static final String INDEX_LABEL = "elasticsearch_index";

    private final EsSpanNaming naming;
    private final EsEndpoints.Match match = new EsEndpoints.Match();
    private final StringBuilder index = new StringBuilder();

    public EsSpanNameFormatter(EsSpanNaming naming) {
        this.naming = naming;
    }

    @Override
    public void appendName(Span span, StringBuilder out) {
        String method = span.http().method();
        String path = span.http().path();
        out.append(PREFIX);
        if (naming == EsSpanNaming.PATH || !EsEndpoints.match(method, path, match)) {
            out.append(method).append(' ').append(path);
            return;
        }
        if (naming == EsSpanNaming.ENDPOINT) {
            out.append(match.endpointId());
            if (match.hasIndex()) {
                index.setLength(0);
                match.appendIndex(index);
                span.labels().put(INDEX_LABEL, index.toString());
            }
            return;
        }
        out.append(method).append(' ');
        match.appendTemplate(out);
    }
}
