package dev.nimbleapm.agent.plugin.es.restclient.common;

/** How Elasticsearch spans are named ({@code elasticsearch_span_naming}). */
public enum EsSpanNaming {
    /** {@code Elasticsearch: GET /orders/_doc/42}: the official agent's names, one per document id. */
    PATH,
    /** {@code Elasticsearch: GET /orders/_doc/{id}}: the official names with per-document path parts replaced. */
    TEMPLATE,
    /** {@code Elasticsearch: get}: the endpoint id; the index goes to the label {@code elasticsearch_index}. */
    ENDPOINT
}
