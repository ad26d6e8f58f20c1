package dev.nimbleapm.it.apps.hlrc6;

import java.util.Collections;

import org.apache.http.HttpHost;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestHighLevelClient;
import org.elasticsearch.client.core.CountRequest;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.builder.SearchSourceBuilder;

import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * An application using the 6.8 high-level REST client, traced through the low-level client it wraps. Arguments:
 * the Elasticsearch URL, an index name, then scenarios.
 */
public final class HighLevelClient6App extends Scenarios {

    private HighLevelClient6App(final RestHighLevelClient client, final String index) {
        add("info", () -> client.info(RequestOptions.DEFAULT).getVersion() != null ? "OK" : "NO");
        add("index", () -> client.index(new IndexRequest(index, "_doc", "1")
            .source(Collections.singletonMap("title", "hello"))
            .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE), RequestOptions.DEFAULT).status().getStatus()
            + "");
        add("search", () -> client.search(new SearchRequest(index).source(new SearchSourceBuilder()
            .query(QueryBuilders.matchQuery("title", "hello"))), RequestOptions.DEFAULT).getHits().getHits().length
            + " hits");
        add("count", () -> client.count(new CountRequest(index), RequestOptions.DEFAULT).getCount() + " docs");
        add("getMissing", () -> "exists=" + client.get(new GetRequest(index, "_doc", "missing"),
            RequestOptions.DEFAULT).isExists());
    }

    public static void main(String[] args) throws Exception {
        RestHighLevelClient client = new RestHighLevelClient(RestClient.builder(HttpHost.create(args[0])));
        try {
            String[] names = new String[args.length - 2];
            System.arraycopy(args, 2, names, 0, names.length);
            new HighLevelClient6App(client, args[1]).runAll(names);
        } finally {
            client.close();
        }
    }
}
