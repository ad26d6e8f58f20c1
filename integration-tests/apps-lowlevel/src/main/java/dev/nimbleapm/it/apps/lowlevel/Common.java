package dev.nimbleapm.it.apps.lowlevel;

import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Response;


/** What both low-level apps share; refers to nothing that only some client versions have. */
final class Common {

    static final String SEARCH = "{\"query\":{\"match\":{\"title\":\"hello\"}}}";
    static final String COUNT = "{\"query\":{\"match_all\":{}}}";
    static final String BAD_QUERY = "{\"query\":{\"no_such_query\":{}}}";

    private Common() {
    }

    static HttpEntity json(String json) {
        return new NStringEntity(json, ContentType.APPLICATION_JSON);
    }

    static String status(Response response) throws Exception {
        int status = response.getStatusLine().getStatusCode();
        if (response.getEntity() != null) {
            EntityUtils.consume(response.getEntity());
        }
        return String.valueOf(status);
    }

}
