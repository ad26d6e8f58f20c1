package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;

/**
 * An Elastic APM Server stand-in for tests: receives intake v2 events, checks each against the APM Server's JSON
 * schemas, and can misbehave on demand.
 *
 * <p>Exists so that agent tests can assert on exactly what an agent sends, and on how it copes with a slow, full,
 * broken or absent server. It is built on a raw {@link ServerSocket} with a small HTTP/1.1 parser, so faults can be
 * injected anywhere in an exchange. What it serves:
 * <ul>
 *     <li>{@code POST /intake/v2/events}: the body ({@code Content-Length} or {@code Transfer-Encoding: chunked},
 *     {@code Content-Encoding} {@code deflate} (zlib), {@code gzip} or none) is decoded and its NDJSON lines are
 *     handled <em>as they stream in</em>, so events are visible while an agent keeps its request open. Every line is
 *     parsed (duplicate keys are an error), validated with {@link IntakeSchemaValidator} and recorded; problems go to
 *     {@link #schemaViolations()}. Events that violate the schema are still recorded. When the body ends the answer
 *     is {@code 202 Accepted} with an empty body, unless a fault is programmed.</li>
 *     <li>{@code GET /}: the server information of an APM Server 8.15.0.</li>
 *     <li>anything else: 404.</li>
 * </ul>
 * Faults are programmed at any time and apply to requests whose head arrives afterwards; all of them except
 * {@link #refuseConnections(boolean)} concern intake requests only, so {@code GET /} keeps answering.
 *
 * <p>All accessors return immutable snapshots. The {@code await...} methods wake on every recorded change and throw
 * an {@link AssertionError} describing what was received when their deadline passes.
 */
public final class MockApmServer implements AutoCloseable {

    /** The APM Server's default {@code max_event_size}: longer lines are violations. */
    public static final int MAX_EVENT_SIZE_BYTES = 300 * 1024;

    private static final System.Logger LOG = System.getLogger(MockApmServer.class.getName());
    private static final long JOIN_DEADLINE_MILLIS = 5_000;

    private final int port;
    private final SelfSignedCertificate certificate; // null: plain HTTP
    private final ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final ReceivedEvents store = new ReceivedEvents();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requestNumbers = new AtomicInteger();
    private final AtomicInteger threadNumbers = new AtomicInteger();
    private final AtomicInteger stalled = new AtomicInteger();
    private final ReentrantLock faultLock = new ReentrantLock();
    private final Condition faultChanged = faultLock.newCondition();
    private volatile IntakeFaults faults = IntakeFaults.HEALTHY;
    private volatile boolean closed;
    private ServerSocket serverSocket; // guarded by this; null while refusing connections
    private Thread acceptor; // guarded by this

    private MockApmServer(ServerSocket serverSocket, SelfSignedCertificate certificate) {
        this.serverSocket = serverSocket;
        this.port = serverSocket.getLocalPort();
        this.certificate = certificate;
    }

    /** Starts a server on a free port of 127.0.0.1. */
    public static MockApmServer start() {
        MockApmServer server = new MockApmServer(bind(0, null), null);
        synchronized (server) {
            server.startAccepting();
        }
        return server;
    }

    /**
     * Starts an HTTPS server on a free port of 127.0.0.1, with a self-signed certificate for {@code 127.0.0.1} and
     * {@code localhost} that no trust store knows (generated once per JVM; see {@link #certificatePem()}).
     */
    public static MockApmServer startHttps() {
        SelfSignedCertificate certificate = SelfSignedCertificate.get();
        MockApmServer server = new MockApmServer(bind(0, certificate.serverContext()), certificate);
        synchronized (server) {
            server.startAccepting();
        }
        return server;
    }

    /** {@code http://127.0.0.1:<port>} (or {@code https://...}), the value for the agent's server URL. */
    public String url() {
        return (certificate != null ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /**
     * The PEM file of this HTTPS server's (self-signed) certificate, e.g. for the agent's
     * {@code server_ca_cert_file}.
     *
     * @throws IllegalStateException for a plain HTTP server
     */
    public Path certificatePem() {
        if (certificate == null) {
            throw new IllegalStateException("not an HTTPS server: start it with startHttps()");
        }
        return certificate.pem();
    }

    /** Client connections open right now (accepted and not yet ended). */
    public int openConnections() {
        return connections.size();
    }

    public int port() {
        return port;
    }

    // ---------------------------------------------------------------- received data

    /** The metadata objects, one per accepted intake request. */
    public List<JsonNode> metadata() {
        return store.events("metadata");
    }

    public List<JsonNode> transactions() {
        return store.events("transaction");
    }

    public List<JsonNode> spans() {
        return store.events("span");
    }

    public List<JsonNode> errors() {
        return store.events("error");
    }

    public List<JsonNode> metricsets() {
        return store.events("metricset");
    }

    /**
     * Every problem seen in the intake stream: schema violations, unparseable or oversized lines, a first line that
     * is not metadata, undecodable bodies. Each entry names the event type, the request and line, the message and the
     * offending line (cut at 2000 characters).
     */
    public List<String> schemaViolations() {
        return store.violations();
    }

    /** The intake requests whose body has ended (answered, cut short or dropped), in order of completion. */
    public List<IntakeRequest> requests() {
        return store.requests();
    }

    /** Events (not counting metadata) received in requests answered with a non-2xx status by {@link #respondWith}. */
    public int rejectedEvents() {
        return store.rejectedEvents();
    }

    /** Forgets all events, requests, violations and rejected events. */
    public void clear() {
        store.clear();
    }

    // ---------------------------------------------------------------- waiting

    /** Waits until at least {@code atLeast} spans have been accepted; returns all spans. */
    public List<JsonNode> awaitSpans(int atLeast, Duration timeout) {
        awaitCondition(s -> s.spans().size() >= atLeast, timeout);
        return spans();
    }

    /** Waits until at least {@code atLeast} transactions have been accepted; returns all transactions. */
    public List<JsonNode> awaitTransactions(int atLeast, Duration timeout) {
        awaitCondition(s -> s.transactions().size() >= atLeast, timeout);
        return transactions();
    }

    /** Waits until at least {@code atLeast} errors have been accepted; returns all errors. */
    public List<JsonNode> awaitErrors(int atLeast, Duration timeout) {
        awaitCondition(s -> s.errors().size() >= atLeast, timeout);
        return errors();
    }

    /**
     * Waits until {@code condition} holds for this server, re-checking it whenever something is recorded.
     *
     * @throws AssertionError when the timeout passes first; its message lists what was received
     */
    public void awaitCondition(Predicate<MockApmServer> condition, Duration timeout) {
        store.await(() -> condition.test(this), timeout, this::describe);
    }

    /**
     * Waits until no intake line has arrived for {@code quietFor}, e.g. to let an agent finish flushing before
     * asserting that something was <em>not</em> sent.
     *
     * @throws AssertionError when lines keep arriving until the timeout
     */
    public void awaitQuiet(Duration quietFor, Duration timeout) {
        store.awaitQuiet(quietFor, timeout, this::describe);
    }

    /** A summary of what was received, for failure messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder("MockApmServer ").append(url()).append(" received: ")
                .append(metadata().size()).append(" metadata, ")
                .append(transactions().size()).append(" transactions, ")
                .append(spans().size()).append(" spans, ")
                .append(errors().size()).append(" errors, ")
                .append(metricsets().size()).append(" metricsets; ")
                .append(requests().size()).append(" intake requests, ")
                .append(rejectedEvents()).append(" rejected events\n");
        String tree = TraceTree.of(this).render();
        if (!tree.isEmpty()) {
            sb.append("traces:\n").append(limit(tree, 20_000));
        }
        List<String> violations = schemaViolations();
        if (!violations.isEmpty()) {
            sb.append(violations.size()).append(" violations:\n");
            violations.stream().limit(20).forEach(v -> sb.append("  ").append(v).append('\n'));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- faults

    /**
     * {@code true}: closes the listening socket, so new connections are refused, and resets every open connection
     * (an agent's kept-alive connections must not hide the outage) and waits (briefly) until their handlers have
     * ended, so that nothing sent after this call returns is recorded. {@code false}: listens again on the same port.
     */
    public synchronized void refuseConnections(boolean refuse) {
        if (closed) {
            return;
        }
        if (refuse && serverSocket != null) {
            closeQuietly(serverSocket);
            serverSocket = null;
            connections.forEach(MockApmServer::resetQuietly);
            // a socket closed while a thread is in accept() is only released when that thread has left it
            joinQuietly(acceptor);
            // and a connection closed while its thread reads may still deliver what arrives until the thread
            // notices: nothing sent after this call returns may be recorded
            signalFaultChange();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_DEADLINE_MILLIS);
            for (Thread thread : threads) {
                joinQuietly(thread, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } else if (!refuse && serverSocket == null) {
            serverSocket = bind(port, certificate == null ? null : certificate.serverContext());
            startAccepting();
        }
        signalFaultChange();
    }

    /**
     * {@code true}: intake requests get their head read, then nothing: the body is not read and no answer is sent
     * until the stall is switched off (or {@link #reset()}), when the connection is closed without answer.
     */
    public void stallAfterHeaders(boolean stall) {
        updateFaults(faults.withStall(stall));
    }

    /** Intake requests currently held by {@link #stallAfterHeaders(boolean)}: their head was read, nothing more. */
    public int stalledRequests() {
        return stalled.get();
    }

    /**
     * Answers intake requests with {@code status} and {@code body} (sent as {@code application/json}) after reading
     * the whole body, e.g. {@code respondWith(503, "{\"error\":\"queue is full\"}")}. With a non-2xx status the
     * events are only counted in {@link #rejectedEvents()}, not added to the accepted lists; schema violations are
     * still recorded.
     */
    public void respondWith(int status, String body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        updateFaults(faults.withResponse(status, Objects.requireNonNull(body, "body")));
    }

    /**
     * {@code true}: intake requests get their head and a first piece of their body read, then the connection is
     * reset (TCP RST) without answer. The request is recorded with status -1 and no events.
     */
    public void dropConnectionMidRequest(boolean drop) {
        updateFaults(faults.withDrop(drop));
    }

    /** Waits this long after an intake body has been read before answering ({@link Duration#ZERO}: no delay). */
    public void responseDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        updateFaults(faults.withDelay(delay));
    }

    /** Back to a healthy server: accepting connections, answering 202 at once, nothing stalled or dropped. */
    public void reset() {
        updateFaults(IntakeFaults.HEALTHY);
        refuseConnections(false);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops listening, closes every connection and waits (briefly) for the server's threads to end. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (serverSocket != null) {
                closeQuietly(serverSocket);
                serverSocket = null;
            }
        }
        connections.forEach(MockApmServer::closeQuietly);
        signalFaultChange();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_DEADLINE_MILLIS);
        for (Thread thread : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                thread.join(Math.max(1, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "thread {0} did not end", thread.getName());
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- used by the connections

    IntakeFaults faults() {
        return faults;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    IntakeSchemaValidator validator() {
        return ValidatorHolder.VALIDATOR;
    }

    ReceivedEvents store() {
        return store;
    }

    int nextRequestNumber() {
        return requestNumbers.incrementAndGet();
    }

    void record(IntakeRequest request) {
        store.request(request);
    }

    void connectionEnded(Socket socket) {
        connections.remove(socket);
        threads.remove(Thread.currentThread());
    }

    /** Blocks the calling connection while stalling is on, the socket open and the server running. */
    void holdStalled(Socket socket) {
        stalled.incrementAndGet();
        faultLock.lock();
        try {
            while (faults.stallAfterHeaders() && !closed && !socket.isClosed()) {
                faultChanged.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            faultLock.unlock();
            stalled.decrementAndGet();
        }
    }

    /** Waits {@code delay}, or less if the server or the connection closes. */
    void delayResponse(Duration delay, Socket socket) {
        if (delay.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + delay.toNanos();
        faultLock.lock();
        try {
            for (long left = delay.toNanos(); left > 0 && !closed && !socket.isClosed();
                 left = deadline - System.nanoTime()) {
                faultChanged.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            faultLock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private void updateFaults(IntakeFaults newFaults) {
        faults = newFaults;
        signalFaultChange();
    }

    private void signalFaultChange() {
        faultLock.lock();
        try {
            faultChanged.signalAll();
        } finally {
            faultLock.unlock();
        }
    }

    /** Starts the accept loop on the current server socket; called with this monitor held. */
    private void startAccepting() {
        ServerSocket listening = serverSocket;
        acceptor = new Thread(() -> acceptLoop(listening), "mock-apm-accept-" + port);
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket listening) {
        try {
            while (!closed) {
                Socket socket = listening.accept();
                socket.setTcpNoDelay(true);
                connections.add(socket);
                if (closed || listening.isClosed()) {
                    connections.remove(socket);
                    resetQuietly(socket);
                    continue;
                }
                Thread thread = new Thread(new MockApmConnection(this, socket),
                        "mock-apm-conn-" + port + "-" + threadNumbers.incrementAndGet());
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        } catch (SocketException e) {
            // the listening socket was closed: refuseConnections(true) or close()
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "accept failed on port " + port, e);
        } finally {
            threads.remove(Thread.currentThread());
        }
    }

    private static ServerSocket bind(int port, SSLContext tls) {
        try {
            ServerSocket socket = tls == null ? new ServerSocket()
                    : tls.getServerSocketFactory().createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 128);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private static void joinQuietly(Thread thread) {
        joinQuietly(thread, JOIN_DEADLINE_MILLIS);
    }

    private static void joinQuietly(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(socket);
    }

    private static String limit(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "\n...(" + (s.length() - max) + " more chars)\n";
    }

    /** Loads the schemas once per JVM, on first use. */
    private static final class ValidatorHolder {
        static final IntakeSchemaValidator VALIDATOR = IntakeSchemaValidator.load();
    }
}
