package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One real Elasticsearch node for a test run, started from an unpacked distribution (e.g. the
 * {@code org.elasticsearch.distribution.integ-test-zip:elasticsearch:7.17.10:zip}), or an existing cluster.
 *
 * <p>Exists because the agent instruments the real Elasticsearch REST client, whose behaviour against a real server
 * (status codes, bulk responses, retries) no stub reproduces, and Docker is not available. {@link #shared(Path)} starts
 * one node per JVM and stops it at JVM exit; when {@value #URL_PROPERTY} (system property) or
 * {@value #URL_ENV} (environment) is set, nothing is started and that cluster is used instead.
 *
 * <p>The node runs from a private copy of the distribution in a temp directory (config, data, logs, temp files),
 * single-node, on 127.0.0.1 with free HTTP and transport ports, heap {@code -Xms256m -Xmx512m}, on the JDK running the
 * tests. When this JVM is root it runs as uid/gid 65534 (Elasticsearch refuses root). Its output goes to a file in the
 * work directory, never to the test's output. Start-up takes 5-30 s.
 */
public final class ElasticsearchNode {

    public static final String URL_PROPERTY = "elasticsearch.url";
    public static final String URL_ENV = "ELASTICSEARCH_URL";

    private static final System.Logger LOG = System.getLogger(ElasticsearchNode.class.getName());
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final int MAX_START_ATTEMPTS = 3;
    private static final int FAILURE_TAIL_LINES = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ElasticsearchNode shared; // guarded by ElasticsearchNode.class

    private final String httpUrl;
    private final String host;
    private final int port;
    private final String version;
    private final Process process; // null for an external cluster
    private final ElasticsearchWorkDir workDir; // null for an external cluster
    private final Thread shutdownHook;
    private boolean stopped; // guarded by this

    private ElasticsearchNode(URI url, String version, Process process, ElasticsearchWorkDir workDir) {
        this.httpUrl = url.getScheme() + "://" + url.getHost() + ":" + url.getPort();
        this.host = url.getHost();
        this.port = url.getPort();
        this.version = version;
        this.process = process;
        this.workDir = workDir;
        this.shutdownHook = process == null ? null : new Thread(this::stopQuietly, "elasticsearch-node-stop");
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * The node of this JVM: started from {@code distributionHome} on first call (the configured external cluster
     * instead, if any), the same one afterwards, and again if it was stopped. Stopped by a shutdown hook.
     */
    public static synchronized ElasticsearchNode shared(Path distributionHome) {
        if (shared == null || shared.isStopped()) {
            Optional<String> external = externalUrl();
            shared = external.isPresent() ? connect(external.get()) : start(distributionHome);
        }
        return shared;
    }

    /** The cluster URL configured by {@value #URL_PROPERTY} or {@value #URL_ENV}, if any. */
    public static Optional<String> externalUrl() {
        String url = System.getProperty(URL_PROPERTY);
        if (url == null || url.isBlank()) {
            url = System.getenv(URL_ENV);
        }
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
    }

    /**
     * Uses a running cluster: checks that {@code GET /} answers 200 (within 30 s) and reads its version. {@link #stop()}
     * leaves it running.
     */
    public static ElasticsearchNode connect(String url) {
        URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("Elasticsearch URL needs a host and a port: " + url);
        }
        HttpClient client = httpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                return new ElasticsearchNode(uri, readVersion(client, uri), null, null);
            } catch (IOException e) {
                last = e;
            }
            pause(null);
        }
        throw new IllegalStateException("Elasticsearch at " + url + " does not answer GET /", last);
    }

    /**
     * Starts a node of its own (not the shared one) from {@code distributionHome}; the caller stops it. Retries with
     * other ports (at most 3 attempts) when a port was taken meanwhile.
     *
     * @throws IllegalStateException when it does not become ready within 120 s; the message has the tail of its log
     */
    public static ElasticsearchNode start(Path distributionHome) {
        long startNanos = System.nanoTime();
        ElasticsearchWorkDir dir = ElasticsearchWorkDir.create(distributionHome);
        try {
            for (int attempt = 1; ; attempt++) {
                int[] ports = freePorts(2);
                if (attempt > 1) {
                    dir.resetData();
                }
                dir.configure(ports[0], ports[1]);
                Process process = launch(dir);
                URI uri = URI.create("http://127.0.0.1:" + ports[0]);
                String failure = awaitReady(process, uri);
                if (failure == null) {
                    String version = readVersion(httpClient(), uri);
                    LOG.log(System.Logger.Level.INFO, "Elasticsearch {0} ready at {1} after {2} ms (work dir {3})",
                            version, uri, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), dir.root());
                    return new ElasticsearchNode(uri, version, process, dir);
                }
                ProcessTrees.destroy(process.toHandle(), STOP_GRACE);
                String tail = tail(dir.processLog(), FAILURE_TAIL_LINES);
                if (attempt < MAX_START_ATTEMPTS && portWasTaken(tail)) {
                    LOG.log(System.Logger.Level.INFO, "Elasticsearch port taken, retrying with other ports");
                    continue;
                }
                throw new IllegalStateException("Elasticsearch did not start (attempt " + attempt + "): " + failure
                        + "\n--- last " + FAILURE_TAIL_LINES + " lines of " + dir.processLog() + " ---\n" + tail);
            }
        } catch (RuntimeException | IOException e) {
            dir.delete();
            if (e instanceof IOException) {
                throw new UncheckedIOException("cannot start Elasticsearch", (IOException) e);
            }
            throw (RuntimeException) e;
        }
    }

    /** e.g. {@code http://127.0.0.1:9215} */
    public String httpUrl() {
        return httpUrl;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The version number {@code GET /} reported, e.g. {@code 7.17.10}. */
    public String version() {
        return version;
    }

    /** The work directory of a node started here; empty for an external cluster. */
    public Optional<Path> workDir() {
        return Optional.ofNullable(workDir).map(ElasticsearchWorkDir::root);
    }

    /** Whether {@link #stop()} was called. */
    public synchronized boolean isStopped() {
        return stopped;
    }

    /**
     * Stops a node started here: terminates it and every process it started, waits for them (forcibly after 20 s),
     * and deletes the work directory. Does nothing for an external cluster, or the second time.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (process == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        if (!ProcessTrees.destroy(process.toHandle(), STOP_GRACE)) {
            LOG.log(System.Logger.Level.WARNING, "Elasticsearch (pid {0}) did not exit", process.pid());
        }
        workDir.delete();
    }

    @Override
    public String toString() {
        return "Elasticsearch " + version + " at " + httpUrl + (process == null ? " (external)" : "");
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "stopping Elasticsearch failed", e);
        }
    }

    private static Process launch(ElasticsearchWorkDir dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(dir.command())
                .directory(dir.home().toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.processLog().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        dir.environment().forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        return builder.start();
    }

    /** Polls the cluster health until yellow; returns null when ready, else why not. */
    private static String awaitReady(Process process, URI uri) {
        HttpClient client = httpClient();
        HttpRequest health = HttpRequest.newBuilder(uri.resolve("/_cluster/health?wait_for_status=yellow&timeout=1s"))
                .timeout(Duration.ofSeconds(3))
                .build();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                return "the process exited with code " + process.exitValue();
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return null;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            pause(process);
        }
        return "no yellow cluster health within " + START_DEADLINE.toSeconds() + " s";
    }

    /** Waits one poll interval, returning early if {@code process} (when given) exits. */
    private static void pause(Process process) {
        CompletableFuture<?> end = process != null ? process.onExit() : new CompletableFuture<>();
        try {
            end.get(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the interval passed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The version from {@code GET /}, or - for the minimal 8.x distributions, which leave out the root endpoint -
     * from the local node's info.
     */
    private static String readVersion(HttpClient client, URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve("/")).timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 405) {
                HttpRequest nodes = HttpRequest.newBuilder(uri.resolve("/_nodes/_local")).timeout(Duration.ofSeconds(5))
                    .build();
                HttpResponse<String> info = client.send(nodes, HttpResponse.BodyHandlers.ofString());
                for (JsonNode node : MAPPER.readTree(info.body()).path("nodes")) {
                    if (node.path("version").isTextual()) {
                        return node.path("version").asText();
                    }
                }
                throw new IOException("GET " + uri + "/_nodes/_local has no version: " + info.body());
            }
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + "/ answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode number = MAPPER.readTree(response.body()).path("version").path("number");
            if (!number.isTextual()) {
                throw new IOException("GET " + uri + "/ has no version.number: " + response.body());
            }
            return number.asText();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static HttpClient httpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500))
                .build();
    }

    /** Distinct ports free on 127.0.0.1 right now (they may be taken before Elasticsearch binds them). */
    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }

    /** Whether a start failed because a port was taken between choosing and binding it. */
    static boolean portWasTaken(String log) {
        return log.contains("BindHttpException") || log.contains("BindTransportException")
                || log.contains("Address already in use");
    }

    /** The last {@code lines} lines of a text file, or a note why there are none. */
    static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        Deque<String> last = new ArrayDeque<>(lines);
        try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
            all.forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
        return String.join("\n", List.copyOf(last));
    }
}
