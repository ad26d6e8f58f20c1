package dev.nimbleapm.agent.plugin.es.restclient.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EsEndpointsTest {

    @ParameterizedTest(name = "{0} {1} -> {2} {3} [{4}]")
    @CsvSource(delimiter = '|', value = {
        "GET    | /orders/_doc/42               | get                 | /orders/_doc/{id}            | orders",
        "PUT    | /orders/_doc/42?refresh=true  | index               | /orders/_doc/{id}            | orders",
        "HEAD   | /orders/_doc/42               | exists              | /orders/_doc/{id}            | orders",
        "DELETE | /orders/_doc/42               | delete              | /orders/_doc/{id}            | orders",
        "POST   | /orders/_doc                  | index               | /orders/_doc                 | orders",
        "POST   | /orders/_search               | search              | /orders/_search              | orders",
        "GET    | /_search                      | search              | /_search                     | ''",
        "POST   | orders/_count                 | count               | /orders/_count               | orders",
        "POST   | /_bulk                        | bulk                | /_bulk                       | ''",
        "POST   | /orders/_update/7             | update              | /orders/_update/{id}         | orders",
        "PUT    | /orders                       | indices.create      | /orders                      | orders",
        "DELETE | /orders                       | indices.delete      | /orders                      | orders",
        "HEAD   | /orders                       | indices.exists      | /orders                      | orders",
        "POST   | /_search/scroll/DXF1ZXJ5QW5k  | scroll              | /_search/scroll/{id}         | ''",
        "DELETE | /_search/scroll               | clear_scroll        | /_search/scroll              | ''",
        "GET    | /_cat/indices                 | cat.indices         | /_cat/indices                | ''",
        "GET    | /_cluster/health              | cluster.health      | /_cluster/health             | ''",
        "GET    | /                             | info                | /                            | ''",
        "HEAD   | /                             | ping                | /                            | ''",
        "POST   | /logs/_msearch/template       | msearch_template    | /logs/_msearch/template      | logs",
        "GET    | /_async_search/FmRldE8zREVE   | async_search.get    | /_async_search/{id}          | ''",
        "POST   | /my-index/_eql/search         | eql.search          | /my-index/_eql/search        | my-index",
        "POST   | /_sql                         | sql.query           | /_sql                        | ''",
        "GET    | /orders/_mapping              | indices.get_mapping | /orders/_mapping             | orders",
        "PUT    | /orders/_doc/with%2Fslash     | index               | /orders/_doc/{id}            | orders",
    })
    void recognisesEndpointsIndexAndTemplate(String method, String path, String endpoint, String template,
                                             String index) {
        EsEndpoints.Match match = new EsEndpoints.Match();
        assertThat(EsEndpoints.match(method, path, match)).isTrue();
        assertThat(match.endpointId()).isEqualTo(endpoint);
        StringBuilder out = new StringBuilder();
        match.appendTemplate(out);
        assertThat(out.toString()).isEqualTo(template);
        StringBuilder idx = new StringBuilder();
        match.appendIndex(idx);
        assertThat(idx.toString()).isEqualTo(index);
    }

    @ParameterizedTest
    @CsvSource({"GET,/_unknown_api/x/y", "GET,/a/b/c/d/e"})
    void unknownPathsAreNotMatched(String method, String path) {
        assertThat(EsEndpoints.match(method, path, new EsEndpoints.Match())).isFalse();
    }
}
