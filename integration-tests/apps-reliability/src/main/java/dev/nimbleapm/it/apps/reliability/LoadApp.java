package dev.nimbleapm.it.apps.reliability;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * Many application threads sharing one client, each request in its own transaction (labelled {@code n} and
 * {@code phase}): request {@code n} is, by {@code n % 4}, a synchronous index, an asynchronous index, a synchronous
 * search or an asynchronous search. Runs in phases; prints per phase the latency and throughput the application
 * saw. Between phases (and before exiting) it waits for a file the test creates, so the test can change the APM
 * Server meanwhile.
 *
 * <p>Arguments: Elasticsearch URL, index, threads, requests per phase, phases, control directory (or {@code -}:
 * no waiting), warm-up requests (untraced, optional).
 */
public final class LoadApp {

    private static final long WAIT_FOR_FILE_MILLIS = 120_000;

    public static void main(String[] args) throws Exception {
        String esUrl = args[0];
        final String index = args[1];
        int threads = Integer.parseInt(args[2]);
        final int perPhase = Integer.parseInt(args[3]);
        int phases = Integer.parseInt(args[4]);
        File control = "-".equals(args[5]) ? null : new File(args[5]);
        int warmUp = args.length > 6 ? Integer.parseInt(args[6]) : 0;

        final RestClient client = RestClient.builder(HttpHost.create(esUrl)).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            createIndex(client, index);
            for (int i = 0; i < warmUp; i++) {
                Response response = client.performRequest(new Request("GET", "/"));
                EntityUtils.consume(response.getEntity());
            }
            for (int phase = 1; phase <= phases; phase++) {
                runPhase(client, pool, threads, index, phase, perPhase);
                if (control != null) {
                    String next = phase < phases ? "go-" + (phase + 1) : "stop";
                    System.out.println("WAITING " + next);
                    waitFor(new File(control, next));
                }
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(30, TimeUnit.SECONDS);
            client.close();
        }
        System.out.println("MAIN END epochMillis=" + System.currentTimeMillis());
    }

    private static void runPhase(final RestClient client, ExecutorService pool, int threads, final String index,
                                 final int phase, final int requests) throws Exception {
        final long[] latencies = new long[requests];
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<Future<?>>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(new Runnable() {
                @Override
                public void run() {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        int n = (phase - 1) * requests + i;
                        long begin = System.nanoTime();
                        String problem = request(client, index, phase, n);
                        latencies[i] = System.nanoTime() - begin;
                        if (problem != null) {
                            if (failed.incrementAndGet() <= 20) {
                                System.out.println("FAILED " + n + " " + problem);
                            }
                        }
                    }
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        long wallNanos = System.nanoTime() - start;
        Arrays.sort(latencies);
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        System.out.println("PHASE " + phase + " requests=" + requests + " ok=" + (requests - failed.get())
            + " failed=" + failed.get() + " wall_ms=" + wallNanos / 1_000_000
            + " throughput_rps=" + Math.round(requests * 1e9 / wallNanos)
            + " p50_ms=" + millis(latencies[requests / 2]) + " p99_ms=" + millis(latencies[requests * 99 / 100])
            + " max_ms=" + millis(latencies[requests - 1])
            + " heap_used_mb=" + ((runtime.totalMemory() - runtime.freeMemory()) >> 20));
    }

    /** One request in its own transaction; returns null when it succeeded, else what went wrong. */
    static String request(RestClient client, String index, int phase, int n) {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("load");
        tx.setLabel("n", n);
        tx.setLabel("phase", phase);
        try (Scope scope = tx.activate()) {
            Request request;
            if (n % 4 < 2) {
                request = new Request("PUT", "/" + index + "/_doc/" + n);
                request.setEntity(new NStringEntity("{\"n\":" + n + ",\"phase\":" + phase + "}",
                    ContentType.APPLICATION_JSON));
            } else {
                request = new Request("POST", "/" + index + "/_search");
                request.addParameter("size", "0");
                request.setEntity(new NStringEntity("{\"query\":{\"term\":{\"n\":" + n + "}}}",
                    ContentType.APPLICATION_JSON));
            }
            if (n % 2 == 0) {
                Response response = client.performRequest(request);
                EntityUtils.consume(response.getEntity());
                return status(response);
            }
            final CountDownLatch done = new CountDownLatch(1);
            final AtomicReference<String> result = new AtomicReference<String>();
            client.performRequestAsync(request, new ResponseListener() {
                @Override
                public void onSuccess(Response response) {
                    try {
                        EntityUtils.consume(response.getEntity());
                        result.set(status(response));
                    } catch (Exception e) {
                        result.set(e.toString());
                    }
                    done.countDown();
                }

                @Override
                public void onFailure(Exception exception) {
                    result.set(exception.toString());
                    done.countDown();
                }
            });
            if (!done.await(60, TimeUnit.SECONDS)) {
                return "no answer within 60 s";
            }
            return result.get();
        } catch (Exception e) {
            return e.toString();
        } finally {
            tx.end();
        }
    }

    /** Outside any transaction: the searches need the index before the first document arrives. */
    static void createIndex(RestClient client, String index) throws Exception {
        Request create = new Request("PUT", "/" + index);
        create.setEntity(new NStringEntity("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}",
            ContentType.APPLICATION_JSON));
        try {
            EntityUtils.consume(client.performRequest(create).getEntity());
        } catch (org.elasticsearch.client.ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 400) {
                throw e;
            }
        }
    }

    private static String status(Response response) {
        int status = response.getStatusLine().getStatusCode();
        return status < 300 ? null : "status " + status;
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }

    static void waitFor(File file) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_FOR_FILE_MILLIS;
        while (!file.exists()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the test never created " + file);
            }
            Thread.sleep(10);
        }
    }
}
