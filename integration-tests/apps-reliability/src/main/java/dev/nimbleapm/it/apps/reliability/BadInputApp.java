package dev.nimbleapm.it.apps.reliability;

import java.nio.charset.StandardCharsets;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHeader;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Span;

import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * Input the agent must survive and report faithfully: paths with unicode and escaped characters (Elasticsearch must
 * receive exactly what was sent), fields far over the intake limits, credentials in the client's headers. Arguments:
 * Elasticsearch URL, index, scenario names.
 */
public final class BadInputApp extends Scenarios {

    static final String UNICODE_TITLE = "\u00FCn\u00EFc\u00F6d\u00E9 \u65E5\u672C \uD83D\uDE80";
    static final String ES_PASSWORD = "es-s3cret-pa55";

    private final RestClient client;
    private final String esUrl;

    private BadInputApp(String esUrl, final String index) {
        this.esUrl = esUrl;
        this.client = RestClient.builder(HttpHost.create(esUrl)).build();
        final String unicodeIndex = index + "-\u00EDndice-\u65E5\u672C";
        add("unicodeIndex", () -> {
            String body = "{\"title\":\"" + UNICODE_TITLE + "\"}";
            Request put = new Request("PUT", "/" + unicodeIndex + "/_doc/1");
            put.addParameter("refresh", "true");
            put.setEntity(json(body));
            int status = status(client.performRequest(put));
            String got = text(client.performRequest(new Request("GET", "/" + unicodeIndex + "/_doc/1")));
            return status + (got.contains("\"_index\":\"" + unicodeIndex + "\"") && got.contains("\"_source\":" + body)
                ? " MATCH" : " MISMATCH " + got);
        });
        add("unicodeSearch", () -> {
            Request search = new Request("POST", "/" + unicodeIndex + "/_search");
            search.setEntity(json("{\"query\":{\"match\":{\"title\":\"" + UNICODE_TITLE + "\"}}}"));
            String got = text(client.performRequest(search));
            return got.contains("\"_id\":\"1\"") ? "FOUND" : "NOT-FOUND " + got;
        });
        add("escapedId", () -> {
            Request put = new Request("PUT", "/" + index + "/_doc/a%2Fb%20c%3Fd%25e");
            put.addParameter("refresh", "true");
            put.setEntity(json("{\"kind\":\"escaped\"}"));
            int status = status(client.performRequest(put));
            String got = text(client.performRequest(new Request("GET", "/" + index + "/_doc/a%2Fb%20c%3Fd%25e")));
            return status + (got.contains("\"_id\":\"a/b c?d%e\"") ? " MATCH" : " MISMATCH " + got);
        });
        add("longFields", () -> {
            ElasticApm.currentTransaction().setLabel("long_label", repeat("\uD83D\uDE00", 3000));
            Span custom = ElasticApm.currentTransaction().startSpan("app", "custom", null);
            custom.setName("a" + repeat("\uD83D\uDE00", 3000));
            custom.end();
            ElasticApm.currentTransaction().captureException(new IllegalStateException(
                "caf\u00E9 " + repeat("message ", 3000)));
            Request search = new Request("POST", "/" + index + "/_search");
            search.setEntity(json("{\"query\":{\"match\":{\"kind\":\"" + UNICODE_TITLE + " " + repeat("x", 30000)
                + "\"}}}"));
            return String.valueOf(status(client.performRequest(search)));
        });
        add("authHeader", () -> {
            String basic = java.util.Base64.getEncoder().encodeToString(("elastic:" + ES_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
            try (RestClient withCredentials = RestClient.builder(HttpHost.create(this.esUrl))
                .setDefaultHeaders(new Header[] {new BasicHeader("Authorization", "Basic " + basic)}).build()) {
                return String.valueOf(status(withCredentials.performRequest(new Request("GET", "/"))));
            }
        });
    }

    public static void main(String[] args) throws Exception {
        String[] names = new String[args.length - 2];
        System.arraycopy(args, 2, names, 0, names.length);
        BadInputApp app = new BadInputApp(args[0], args[1]);
        try {
            app.runAll(names);
        } finally {
            app.client.close();
        }
    }

    private static NStringEntity json(String body) {
        return new NStringEntity(body, ContentType.APPLICATION_JSON);
    }

    private static int status(Response response) throws Exception {
        EntityUtils.consume(response.getEntity());
        return response.getStatusLine().getStatusCode();
    }

    private static String text(Response response) throws Exception {
        return EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
    }

    static String repeat(String s, int times) {
        StringBuilder sb = new StringBuilder(s.length() * times);
        for (int i = 0; i < times; i++) {
            sb.append(s);
        }
        return sb.toString();
    }
}
