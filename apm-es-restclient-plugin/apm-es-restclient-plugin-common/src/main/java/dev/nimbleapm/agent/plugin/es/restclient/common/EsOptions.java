package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.util.Arrays;
import java.util.List;

import dev.nimbleapm.agent.core.config.ConfigOption;
import dev.nimbleapm.agent.core.config.ConfigOptionProvider;
import dev.nimbleapm.agent.core.config.ValueParsers;
import dev.nimbleapm.agent.core.config.WildcardMatcher;

/** Options of the Elasticsearch REST client instrumentation. */
public final class EsOptions implements ConfigOptionProvider {

    public static final String DEFAULT_CAPTURE_BODY_URLS = "*_search, *_msearch, *_msearch/template, "
        + "*_search/template, *_count, *_sql, *_eql/search, *_async_search";

    public static final ConfigOption<List<WildcardMatcher>> CAPTURE_BODY_URLS = ConfigOption.dynamic(
        "elasticsearch_capture_body_urls", ValueParsers.WILDCARD_LIST,
        ValueParsers.WILDCARD_LIST.parse(DEFAULT_CAPTURE_BODY_URLS),
        "Request paths whose body is recorded as db.statement (wildcards; empty: none).");

    public static final ConfigOption<EsSpanNaming> SPAN_NAMING = ConfigOption.of("elasticsearch_span_naming",
        ValueParsers.enumeration(EsSpanNaming.class), EsSpanNaming.TEMPLATE,
        "path: 'Elasticsearch: GET /orders/_doc/42' (official); template: 'Elasticsearch: GET /orders/_doc/{id}'; "
            + "endpoint: 'Elasticsearch: get' with the index as label elasticsearch_index.");

    @Override
    public List<ConfigOption<?>> options() {
        return Arrays.<ConfigOption<?>>asList(CAPTURE_BODY_URLS, SPAN_NAMING);
    }
}
