package dev.nimbleapm.agent.core.report;

import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.Deflater;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.config.ValueParsers;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.pool.BoundedQueue;

/**
 * Ships events to the APM Server over intake v2. Application threads only {@link #report} into a bounded lock-free
 * queue (full: the event is dropped and counted, never waited for). One daemon thread, {@code apm-reporter}, does
 * the rest in batches: it wakes when the queue is a quarter full or after a short linger, serializes each event
 * (then releases it to its pool), and streams the lines, deflated, into one long-lived chunked intake request that
 * it ends after {@code api_request_time} or {@code api_request_size}; what it holds is pushed to the server when a
 * chunk is full and at most every 200 ms otherwise (one socket write then, not one per batch). Failures back off (0, 1, 4, ... 36 s) and
 * rotate through the configured server URLs. A watchdog aborts a request whose I/O exceeds {@code server_timeout},
 * so a server that stops reading can never wedge the reporter.
 */
public final class IntakeReporter implements Reporter, Runnable {

    private static final AgentLogger logger = AgentLogger.getLogger(IntakeReporter.class);
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int WRITE_CHUNK_BYTES = 16 * 1024;
    /**
     * How long compressed events may wait in the open request's chunk buffer before they are pushed to the server.
     * A full chunk goes out at once; below that, one socket write per interval instead of one per batch.
     */
    private static final long NETWORK_FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int MAX_BATCH = 4096;

    private final AgentConfig config;
    private final BoundedQueue<Object> queue;
    private final int wakeThreshold;
    private final ReporterStats stats = new ReporterStats();
    private final String agentVersion;
    private final String activationMethod;
    private final List<URL> serverUrls;
    private final long apiRequestTimeNanos;
    private final long apiRequestSize;
    private final int serverTimeoutMillis;
    private final String authorization;
    private final String credentialName;
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closing;

    private final AtomicLong flushRequests = new AtomicLong();
    private final Object flushMonitor = new Object();
    private long flushesDone;
    private boolean lastFlushDelivered;

    // watchdog state, written by the reporter thread, read by the watchdog
    private volatile long ioStartedNanos;
    private volatile IntakeConnection current;
    private Thread watchdog;

    // reporter-thread state
    private IntakeV2Serializer serializer;
    private AgentMetadata metadata;
    private TlsSettings tls;
    private Deflater deflater;
    private final Backoff backoff = new Backoff();
    private IntakeConnection connection;
    private int urlIndex;
    private long retryAtNanos;
    private int unsentEvents;
    private boolean unflushed;
    private long lastNetworkFlushNanos = System.nanoTime() - NETWORK_FLUSH_NANOS;
    private boolean everConnected;
    private String lastProblem;
    private volatile Runnable housekeeping;
    private long lastHousekeepingNanos;

    public IntakeReporter(AgentConfig config, String agentVersion, String activationMethod) {
        this.config = config;
        int capacity = config.get(CoreOptions.MAX_QUEUE_SIZE);
        this.queue = new BoundedQueue<Object>(capacity);
        this.wakeThreshold = Math.max(1, Math.min(64, capacity / 4));
        this.agentVersion = agentVersion;
        this.activationMethod = activationMethod;
        List<URL> urls = config.get(CoreOptions.SERVER_URLS);
        this.serverUrls = urls != null && !urls.isEmpty() ? urls : config.get(CoreOptions.SERVER_URL);
        this.apiRequestTimeNanos = TimeUnit.MILLISECONDS.toNanos(config.get(CoreOptions.API_REQUEST_TIME));
        this.apiRequestSize = config.get(CoreOptions.API_REQUEST_SIZE);
        this.serverTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.get(CoreOptions.SERVER_TIMEOUT));
        String apiKey = config.get(CoreOptions.API_KEY);
        String secretToken = config.get(CoreOptions.SECRET_TOKEN);
        if (apiKey != null) {
            authorization = "ApiKey " + apiKey;
            credentialName = "api_key";
        } else if (secretToken != null) {
            authorization = "Bearer " + secretToken;
            credentialName = "secret_token";
        } else {
            authorization = null;
            credentialName = null;
        }
        this.thread = new Thread(this, "apm-reporter");
        thread.setDaemon(true);
    }

    public IntakeReporter start() {
        thread.start();
        return this;
    }

    public ReporterStats stats() {
        return stats;
    }

    /**
     * A cheap task to run on the reporter thread about once a second (e.g. noticing configuration file changes), so
     * that the agent needs no thread of its own for it.
     */
    public void setHousekeeping(Runnable task) {
        this.housekeeping = task;
    }

    // ------------------------------------------------------------------ application threads

    @Override
    public void report(Transaction transaction) {
        offer(transaction);
    }

    @Override
    public void report(Span span) {
        offer(span);
    }

    @Override
    public void report(ErrorCapture error) {
        offer(error);
    }

    private void offer(Object event) {
        if (!closing && queue.offer(event)) {
            stats.accepted.incrementAndGet();
            if (parked && queue.size() >= wakeThreshold) {
                LockSupport.unpark(thread);
            }
        } else {
            stats.dropped.incrementAndGet();
            release(event);
        }
    }

    @Override
    public boolean flush(long timeoutMillis) {
        if (!thread.isAlive()) {
            return false;
        }
        long target;
        synchronized (flushMonitor) {
            target = flushRequests.incrementAndGet();
        }
        LockSupport.unpark(thread);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (flushMonitor) {
            while (flushesDone < target) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(flushMonitor, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return lastFlushDelivered;
        }
    }

    @Override
    public void close(long timeoutMillis) {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, timeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            IntakeConnection c = current;
            if (c != null) {
                c.abort();
            }
            thread.interrupt();
        }
        Thread w = watchdog;
        if (w != null) {
            w.interrupt();
        }
    }

    // ------------------------------------------------------------------ reporter thread

    @Override
    public void run() {
        retryAtNanos = System.nanoTime();
        try {
            serializer = new IntakeV2Serializer(config.get(CoreOptions.LONG_FIELD_MAX_LENGTH));
            metadata = AgentMetadata.gather(config, agentVersion, activationMethod);
            tls = TlsSettings.create(config.get(CoreOptions.VERIFY_SERVER_CERT),
                config.get(CoreOptions.SERVER_CA_CERT_FILE));
            deflater = new Deflater(Deflater.BEST_SPEED);
        } catch (Throwable t) {
            logger.error("The reporter could not start; no events will be sent: {}", t);
            closing = true;
            dropAll();
            return;
        }
        while (true) {
            try {
                if (loopOnce()) {
                    break;
                }
            } catch (Throwable t) {
                logger.warnOnce("reporter-loop:" + t.getClass().getName(), "Unexpected error in the reporter "
                    + "(events of the current request are lost): {}", t);
                serializer.clearBatch();
                failRequest("unexpected:" + t.getClass().getName(), "unexpected error " + t, null);
            }
        }
        dropAll();
        completeFlushes(false);
    }

    /** One round of work; true when the reporter should stop. */
    private boolean loopOnce() {
        Runnable task = housekeeping;
        if (task != null && System.nanoTime() - lastHousekeepingNanos > 1000000000L) {
            lastHousekeepingNanos = System.nanoTime();
            try {
                task.run();
            } catch (Throwable t) {
                logger.warnOnce("housekeeping", "Housekeeping failed: {}", t);
            }
        }
        long flushTarget = flushRequests.get();
        boolean inBackoff = inBackoff();
        boolean wrote = !inBackoff && drain();
        flushIfDue();
        boolean wantFlush = flushTarget > flushesDoneUnsafe();
        if (connection != null && (closing || wantFlush || connection.ageNanos() >= apiRequestTimeNanos
            || connection.compressedBytes() >= apiRequestSize)) {
            endRequest();
        }
        if (wantFlush && (queue.isEmpty() || inBackoff())) {
            completeFlushes(queue.isEmpty() && !inBackoff() && lastProblem == null);
        }
        if (closing && (queue.isEmpty() || inBackoff())) {
            return true;
        }
        if (!wrote) {
            park();
        }
        return false;
    }

    private long flushesDoneUnsafe() {
        synchronized (flushMonitor) {
            return flushesDone;
        }
    }

    private void completeFlushes(boolean delivered) {
        synchronized (flushMonitor) {
            flushesDone = flushRequests.get();
            lastFlushDelivered = delivered;
            flushMonitor.notifyAll();
        }
    }

    private void park() {
        long now = System.nanoTime();
        long wait = LINGER_NANOS;
        if (connection != null) {
            wait = Math.min(wait, Math.max(0, apiRequestTimeNanos - connection.ageNanos()));
        }
        if (unflushed && connection != null) {
            wait = Math.min(wait, NETWORK_FLUSH_NANOS - (now - lastNetworkFlushNanos));
        }
        if (now - retryAtNanos < 0) {
            wait = retryAtNanos - now;
        }
        if (wait <= 0 || closing || flushRequests.get() > flushesDoneUnsafe()) {
            return;
        }
        parked = true;
        if (queue.size() < wakeThreshold || now - retryAtNanos < 0) {
            LockSupport.parkNanos(this, wait);
        }
        parked = false;
    }

    /** Whether a failure's backoff is still running: no attempt to reach the server before it ends. */
    private boolean inBackoff() {
        return System.nanoTime() - retryAtNanos < 0;
    }

    /**
     * Serializes and writes everything queued (at most one batch); true when something was taken. Stops taking
     * events as soon as a failure starts a backoff: what is still queued waits for the next attempt, instead of
     * each further chunk of the batch trying - and failing - again at once.
     */
    private boolean drain() {
        Object event;
        int n = 0;
        while (n < MAX_BATCH && !inBackoff() && (event = queue.poll()) != null) {
            n++;
            serialize(event);
            if (serializer.batchSize() >= WRITE_CHUNK_BYTES) {
                writeBuffered();
                // a sync flush of the deflater per chunk keeps the compressed size exact (for api_request_size);
                // the compressed bytes go out when the chunk buffer is full or flushIfDue() pushes them
                flushConnection(false);
                if (connection != null && connection.compressedBytes() >= apiRequestSize) {
                    endRequest();
                }
            }
        }
        if (serializer.batchSize() > 0) {
            writeBuffered();
        }
        if (n > 0 && connection != null) {
            unflushed = true;
        }
        return n > 0;
    }

    /** Pushes what the open request holds to the server, at most once per {@link #NETWORK_FLUSH_NANOS}. */
    private void flushIfDue() {
        if (unflushed && connection != null && System.nanoTime() - lastNetworkFlushNanos >= NETWORK_FLUSH_NANOS) {
            flushConnection(true);
        }
    }

    private void flushConnection(boolean toNetwork) {
        if (connection == null) {
            return;
        }
        try {
            ioStarted();
            if (toNetwork) {
                connection.flush();
                unflushed = false;
                lastNetworkFlushNanos = System.nanoTime();
            } else {
                connection.syncCompressed();
            }
        } catch (IOException e) {
            failRequest(kindOf(e), describe(e), e);
        } finally {
            ioEnded();
        }
    }

    private void serialize(Object event) {
        try {
            if (event instanceof Span) {
                serializer.serialize((Span) event);
            } else if (event instanceof Transaction) {
                serializer.serialize((Transaction) event);
            } else {
                serializer.serialize((ErrorCapture) event);
            }
            serializer.commit();
            stats.serialized.incrementAndGet();
            unsentEvents++;
            Throwable nameFailure = serializer.takeFormatterFailure();
            if (nameFailure != null) {
                stats.serializationErrors.incrementAndGet();
                logger.warnOnce("span-name:" + nameFailure.getClass().getName(), "A span name formatter failed; "
                    + "the span is sent with the name 'unnamed': {}", nameFailure);
            }
        } catch (Throwable t) {
            serializer.discard();
            stats.serializationErrors.incrementAndGet();
            logger.warnOnce("serialize:" + t.getClass().getName(), "Could not serialize a {}; it is dropped: {}",
                event.getClass().getSimpleName(), t);
        } finally {
            release(event);
        }
    }

    private void writeBuffered() {
        if (connection == null && (inBackoff() || !openRequest())) {
            stats.lost.addAndGet(unsentEvents);
            unsentEvents = 0;
            serializer.clearBatch();
            return;
        }
        try {
            ioStarted();
            serializer.writeBatchTo(connection.body());
            for (int i = 0; i < unsentEvents; i++) {
                connection.countEvent();
            }
            unsentEvents = 0;
        } catch (IOException e) {
            failRequest(kindOf(e), describe(e), e);
        } finally {
            ioEnded();
        }
    }

    private boolean openRequest() {
        URL url = serverUrls.get(urlIndex % serverUrls.size());
        try {
            ioStarted();
            IntakeConnection c = IntakeConnection.open(url, authorization, userAgent(), serverTimeoutMillis, tls,
                deflater);
            current = c;
            connection = c;
            c.body().write(serializer.metadataLine(metadata));
            stats.requests.incrementAndGet();
            startWatchdog();
            return true;
        } catch (IOException e) {
            connection = null;
            failRequest(kindOf(e), describe(e), e);
            return false;
        } finally {
            ioEnded();
        }
    }

    private void endRequest() {
        IntakeConnection c = connection;
        connection = null;
        unflushed = false;
        StringBuilder errorBody = new StringBuilder();
        int status;
        try {
            ioStarted();
            status = c.finish(errorBody);
        } catch (IOException e) {
            connection = c;
            failRequest(kindOf(e), describe(e), e);
            return;
        } finally {
            ioEnded();
            current = null;
        }
        stats.bytesSent.addAndGet(c.compressedBytes());
        if (status >= 200 && status < 300) {
            stats.sent.addAndGet(c.events());
            backoff.onSuccess();
            stats.consecutiveFailures.set(0);
            if (lastProblem != null) {
                logger.info("Sending events to the APM Server at {} works again", safeUrl());
                lastProblem = null;
            }
            everConnected = true;
        } else {
            connection = c;
            failRequest("status:" + status, statusProblem(status, errorBody.toString()), null);
        }
    }

    private String statusProblem(int status, String body) {
        String message = ServerErrorMessage.extract(body);
        StringBuilder sb = new StringBuilder("the APM Server answered ").append(status);
        if (message != null) {
            sb.append(": ").append(message);
        }
        if (status == 401 || status == 403) {
            if (credentialName == null) {
                sb.append(" (no secret_token or api_key is configured, but the server requires one)");
            } else {
                sb.append(" (the configured ").append(credentialName).append(" was refused; check it)");
            }
        } else if (status == 404) {
            sb.append(" (is ").append(safeUrl()).append(" an APM Server with intake v2?)");
        }
        return sb.toString();
    }

    /**
     * Ends the current request as failed: counts its events lost, backs off, and moves to the next server URL. The
     * problem is logged at WARN when its {@code kind} differs from the previous failure's, else at DEBUG: one line per
     * kind of problem, however many requests and events it costs.
     */
    private void failRequest(String kind, String problem, Throwable cause) {
        IntakeConnection c = connection;
        connection = null;
        current = null;
        int events = unsentEvents;
        unsentEvents = 0;
        if (c != null) {
            events += c.events();
            c.abort();
        }
        stats.lost.addAndGet(events);
        stats.failedRequests.incrementAndGet();
        long delayMillis = backoff.onFailure();
        stats.consecutiveFailures.set(backoff.consecutiveFailures());
        stats.lastRetryDelayMillis.set(delayMillis);
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        String where = safeUrl();
        if (serverUrls.size() > 1) {
            urlIndex++;
        }
        if (!kind.equals(lastProblem)) {
            lastProblem = kind;
            logger.warn("Could not send events to the APM Server at {}: {}; {} event(s) lost, retrying in {} ms{}",
                where, problem, events, delayMillis, serverUrls.size() > 1 ? " with " + safeUrl() : "");
        } else {
            logger.debug("Still failing to send events to {}: {}", where, problem);
        }
        if (cause != null && logger.isDebugEnabled()) {
            logger.debug("Cause: {}", cause);
        }
    }

    private String safeUrl() {
        return ValueParsers.withoutUserInfo(serverUrls.get(urlIndex % serverUrls.size()));
    }

    /**
     * The kind of an I/O failure, for logging once per kind: the same broken connection shows as a reset, an
     * unexpected end of stream or a failed write depending on timing, and must not be reported once for each.
     */
    static String kindOf(IOException e) {
        if (e instanceof javax.net.ssl.SSLException) {
            return "tls:" + e.getClass().getName();
        }
        if (e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
            || e instanceof java.net.NoRouteToHostException) {
            return "connect:" + e.getClass().getName();
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "timeout";
        }
        return "connection-lost";
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message != null ? " (" + message + ")" : "");
    }

    private String userAgent() {
        StringBuilder sb = new StringBuilder("apm-agent-java/").append(agentVersion).append(" (nimble)");
        if (metadata != null) {
            sb.append(" (").append(metadata.serviceName);
            if (metadata.serviceVersion != null) {
                sb.append(' ').append(metadata.serviceVersion);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private void dropAll() {
        Object event;
        while ((event = queue.poll()) != null) {
            stats.dropped.incrementAndGet();
            release(event);
        }
    }

    private static void release(Object event) {
        try {
            if (event instanceof AbstractSpan) {
                ((AbstractSpan) event).decrementReferences();
            } else if (event instanceof ErrorCapture) {
                ((ErrorCapture) event).release();
            }
        } catch (Throwable t) {
            logger.warnOnce("release", "Could not release an event: {}", t);
        }
    }

    // ------------------------------------------------------------------ watchdog

    private void ioStarted() {
        ioStartedNanos = System.nanoTime();
    }

    private void ioEnded() {
        ioStartedNanos = 0;
    }

    private void startWatchdog() {
        if (watchdog != null || serverTimeoutMillis <= 0) {
            return;
        }
        final long limit = TimeUnit.MILLISECONDS.toNanos(serverTimeoutMillis);
        watchdog = new Thread(new Runnable() {
            @Override
            public void run() {
                while (!Thread.currentThread().isInterrupted() && thread.isAlive()) {
                    LockSupport.parkNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(50), limit / 4));
                    long started = ioStartedNanos;
                    IntakeConnection c = current;
                    if (started != 0 && c != null && System.nanoTime() - started > limit) {
                        logger.warnOnce("watchdog", "The APM Server did not take or answer data within "
                            + "server_timeout ({} ms); aborting that request", serverTimeoutMillis);
                        c.abort();
                    }
                }
            }
        }, "apm-reporter-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** True once the reporter has had at least one request acknowledged (diagnostics). */
    public boolean hasConnected() {
        return everConnected;
    }
}
