package dev.nimbleapm.agent.benchmarks.overhead;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * The measured application: sequential {@code _search} requests with a body, one transaction per request (through the
 * public API, a no-op without the agent), on one thread. After a warm-up it measures per request: latency, bytes
 * allocated by this thread and by all threads, and the process's CPU time; then the heap that is live after full
 * collections and the metaspace in use - and prints them as one {@code RESULT} line. Arguments: Elasticsearch URL, index, warm-up requests, measured requests.
 */
public final class SearchWorkload {

    private static final String QUERY = "{\"query\":{\"bool\":{\"must\":[{\"match\":{\"title\":\"quick brown fox\"}}],"
        + "\"filter\":[{\"range\":{\"year\":{\"gte\":2000}}}]}},\"size\":5}";

    public static void main(String[] args) throws Exception {
        String index = args[1];
        int warmup = Integer.parseInt(args[2]);
        int measured = Integer.parseInt(args[3]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean) threads;
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (RestClient client = RestClient.builder(HttpHost.create(args[0])).build()) {
            index(client, index);
            for (int i = 0; i < warmup; i++) {
                search(client, index);
            }
            quiesce(os);
            long[] latencies = new long[measured];
            long threadId = Thread.currentThread().getId();
            java.util.Map<Long, Long> threadCpuBefore = threadCpu(threads);
            long cpuBefore = os.getProcessCpuTime();
            long allBefore = totalAllocated(allocation);
            long mineBefore = allocation.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < measured; i++) {
                long start = System.nanoTime();
                search(client, index);
                latencies[i] = System.nanoTime() - start;
            }
            long mineAfter = allocation.getThreadAllocatedBytes(threadId);
            // the agent ships what it recorded on its own thread: give it the time to, so it is counted
            quiesce(os);
            long allAfter = totalAllocated(allocation);
            long cpuAfter = os.getProcessCpuTime();
            if (Boolean.getBoolean("workload.threads")) {
                printThreadCpu(threads, threadCpuBefore, measured);
            }
            long[] retained = retainedMemory();
            Arrays.sort(latencies);
            long sum = 0;
            for (long l : latencies) {
                sum += l;
            }
            System.out.println(String.format(Locale.ROOT, "RESULT requests=%d meanNanos=%d p50Nanos=%d p99Nanos=%d "
                    + "cpuNanosPerRequest=%d threadBytesPerRequest=%d allBytesPerRequest=%d liveHeapBytes=%d "
                    + "metaspaceBytes=%d", measured,
                sum / measured, latencies[measured / 2], latencies[(int) (measured * 0.99)],
                (cpuAfter - cpuBefore) / measured, (mineAfter - mineBefore) / measured,
                (allAfter - allBefore) / measured, retained[0], retained[1]));
        }
    }

    /** 200 small documents to search, loaded outside any transaction (the same in both runs). */
    private static void index(RestClient client, String index) throws Exception {
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            bulk.append("{\"index\":{\"_id\":\"").append(i).append("\"}}\n")
                .append("{\"title\":\"the quick brown fox ").append(i).append("\",\"year\":").append(1990 + i % 35)
                .append("}\n");
        }
        Request request = new Request("POST", "/" + index + "/_bulk");
        request.addParameter("refresh", "true");
        request.setEntity(new NStringEntity(bulk.toString(), ContentType.create("application/x-ndjson")));
        EntityUtils.consume(client.performRequest(request).getEntity());
    }

    static void search(RestClient client, String index) throws Exception {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("GET /books/search");
        try (Scope scope = tx.activate()) {
            Request request = new Request("POST", "/" + index + "/_search");
            request.setEntity(new NStringEntity(QUERY, ContentType.APPLICATION_JSON));
            Response response = client.performRequest(request);
            EntityUtils.consume(response.getEntity());
        } finally {
            tx.end();
        }
    }

    private static java.util.Map<Long, Long> threadCpu(ThreadMXBean threads) {
        java.util.Map<Long, Long> cpu = new java.util.HashMap<Long, Long>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, threads.getThreadCpuTime(id));
        }
        return cpu;
    }

    /** Diagnostics ({@code -Dworkload.threads=true}): CPU per request of each thread over the measured window. */
    private static void printThreadCpu(ThreadMXBean threads, java.util.Map<Long, Long> before, int measured) {
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = threads.getThreadCpuTime(info.getThreadId());
            Long then = before.get(info.getThreadId());
            long delta = now - (then == null ? 0 : then);
            if (delta > 0) {
                System.out.println(String.format(Locale.ROOT, "THREAD %-40s %8.1f us/request", info.getThreadName(),
                    delta / 1000.0 / measured));
            }
        }
    }

    /**
     * Heap still in use after full collections (what is live in steady state: the agent's pools, buffers and queue
     * plus the application's own), and the metaspace in use (loaded classes).
     */
    private static long[] retainedMemory() {
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        long metaspace = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        return new long[]{memory.getHeapMemoryUsage().getUsed(), metaspace};
    }

    private static long totalAllocated(com.sun.management.ThreadMXBean allocation) {
        long[] ids = allocation.getAllThreadIds();
        long total = 0;
        for (long bytes : allocation.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    /**
     * Waits until background work (the agent's reporter, the JIT compilers, the collector) has finished: until the
     * process's CPU time advances by less than 1% of a core over 300 ms, longer than the reporter's 200 ms flush
     * period; at most 10 s. The same condition is waited for without the agent.
     */
    private static void quiesce(com.sun.management.OperatingSystemMXBean os) throws InterruptedException {
        long window = 300_000_000L;
        long deadline = System.nanoTime() + 10_000_000_000L;
        long cpu = os.getProcessCpuTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(window / 1_000_000L);
            long now = os.getProcessCpuTime();
            if (now - cpu < window / 100) {
                return;
            }
            cpu = now;
        }
        System.out.println("NOTE the process did not become idle within 10 s");
    }
}
