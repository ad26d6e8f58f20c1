package dev.nimbleapm.it.apps.lowlevel;

import static dev.nimbleapm.it.apps.support.Scenarios.describe;
import static dev.nimbleapm.it.apps.support.Scenarios.listenerWork;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;

import co.elastic.apm.api.ElasticApm;


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

    /**
     * The application's listener of an asynchronous request: records whether the caller's transaction was active
     * when it ran ({@code Scenarios.listenerWork}) and the status or the failure.
     */
    static final class RecordingListener implements ResponseListener {
        private final CountDownLatch done = new CountDownLatch(1);
        private final String transactionId = ElasticApm.currentTransaction().getId();
        private volatile String result;

        @Override
        public void onSuccess(Response response) {
            result = listenerWork(transactionId) + " " + response.getStatusLine().getStatusCode();
            done.countDown();
        }

        @Override
        public void onFailure(Exception exception) {
            result = listenerWork(transactionId) + " " + describe(exception);
            done.countDown();
        }

        /** What the listener recorded, or TIMEOUT when it was not called within a minute. */
        String await() throws InterruptedException {
            return done.await(60, TimeUnit.SECONDS) ? result : "TIMEOUT";
        }
    }
}
