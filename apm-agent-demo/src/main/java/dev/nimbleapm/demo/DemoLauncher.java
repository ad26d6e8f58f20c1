package dev.nimbleapm.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.MockApmServer;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Runs the demo: an Elasticsearch node (or the cluster named by {@code ELASTICSEARCH_URL}), an intake receiver (or the
 * APM Server named by {@code ELASTIC_APM_SERVER_URL}), and the {@code BookstoreApp} in a child JVM with the agent
 * attached by {@code -javaagent}. Prints the application's output and, trace by trace, what the agent sent, then a
 * summary. Run by {@code ./mvnw -B -q -Pdemo -DskipTests verify}, which passes where the build put things:
 * <ul>
 *     <li>{@code demo.agent.jar}: the agent jar</li>
 *     <li>{@code demo.app.classes}: the application's classes (Java 8 bytecode, nothing else in that directory)</li>
 *     <li>{@code demo.app.lib}: the application's jars (the REST client and its dependencies, the public API)</li>
 *     <li>{@code demo.elasticsearch.home}: the unpacked Elasticsearch distribution</li>
 *     <li>{@code demo.logs}: where the application's full output is kept</li>
 * </ul>
 * Exit code 0 when the application succeeded, spans arrived and every event matched the intake schema.
 */
public final class DemoLauncher {

    static final String APP_MAIN_CLASS = "dev.nimbleapm.demo.app.BookstoreApp";
    static final String SERVICE_NAME = "bookstore-demo";
    static final String APM_SERVER_URL_ENV = "ELASTIC_APM_SERVER_URL";

    private static final Duration APP_DEADLINE = Duration.ofMinutes(3);
    private static final Duration TRACE_QUIET = Duration.ofMillis(300);
    private static final Duration LATE_EVENTS_DEADLINE = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Console console = new Console(System.out);
    private final Path agentJar;
    private final Path appClasses;
    private final Path appLib;
    private final Path elasticsearchHome;
    private final Path logs;
    /** The last line: set by the summary, printed once Elasticsearch has stopped. */
    private String verdict = "DEMO FAILED: no summary";

    private DemoLauncher(Path agentJar, Path appClasses, Path appLib, Path elasticsearchHome, Path logs) {
        this.agentJar = agentJar;
        this.appClasses = appClasses;
        this.appLib = appLib;
        this.elasticsearchHome = elasticsearchHome;
        this.logs = logs;
    }

    public static void main(String[] args) {
        quietLogging();
        int exitCode;
        try {
            DemoLauncher launcher = new DemoLauncher(path("demo.agent.jar"), path("demo.app.classes"),
                path("demo.app.lib"), path("demo.elasticsearch.home"), path("demo.logs"));
            exitCode = launcher.run();
        } catch (DemoException e) {
            System.out.println();
            System.out.println("DEMO FAILED: " + e.getMessage());
            exitCode = 1;
        } catch (RuntimeException | AssertionError e) {
            System.out.println();
            System.out.println("DEMO FAILED: " + e);
            e.printStackTrace(System.out);
            exitCode = 1;
        }
        System.out.flush();
        System.exit(exitCode);
    }

    private int run() {
        console.line("Nimble APM demo: a bookstore application traced by the agent against a real Elasticsearch");
        checkFile(agentJar, "the agent jar");
        checkFile(appClasses.resolve(APP_MAIN_CLASS.replace('.', '/') + ".class"), "the application");
        ElasticsearchNode es = elasticsearch();
        int exitCode;
        try {
            Optional<String> externalApm = env(APM_SERVER_URL_ENV);
            if (externalApm.isPresent()) {
                console.line("APM Server:    " + externalApm.get() + " (from " + APM_SERVER_URL_ENV
                    + "): the traces go there; this console shows the application only");
                exitCode = runApp(es, externalApm.get(), null);
            } else {
                try (MockApmServer intake = MockApmServer.start()) {
                    console.line("APM intake:    " + intake.url() + " (a local receiver that prints each trace and "
                        + "checks every event against the APM Server's intake schemas)");
                    exitCode = runApp(es, intake.url(), intake);
                }
            }
        } finally {
            if (es.workDir().isPresent()) {
                console.blank();
                console.line("Stopping Elasticsearch ...");
            }
            es.stop();
        }
        console.blank();
        console.line(verdict);
        return exitCode;
    }

    private ElasticsearchNode elasticsearch() {
        Optional<String> external = ElasticsearchNode.externalUrl();
        if (external.isPresent()) {
            console.line("Elasticsearch: checking " + external.get() + " (from " + ElasticsearchNode.URL_ENV + ") ...");
            try {
                ElasticsearchNode node = ElasticsearchNode.connect(external.get());
                console.line("Elasticsearch: " + node.version() + " at " + node.httpUrl() + " answers");
                return node;
            } catch (RuntimeException e) {
                throw new DemoException("Elasticsearch at " + external.get() + " does not answer: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            }
        }
        if (!Files.isDirectory(elasticsearchHome)) {
            throw new DemoException("no Elasticsearch distribution at " + elasticsearchHome
                + ": run the demo with ./mvnw -Pdemo ... (which unpacks it), or set " + ElasticsearchNode.URL_ENV);
        }
        console.line("Elasticsearch: starting a single node from " + relative(elasticsearchHome)
            + " (takes 5-30 s) ...");
        long start = System.nanoTime();
        ElasticsearchNode node;
        try {
            node = ElasticsearchNode.start(elasticsearchHome);
        } catch (RuntimeException e) {
            throw new DemoException("Elasticsearch did not start: " + e.getMessage());
        }
        console.line(String.format(Locale.ROOT, "Elasticsearch: %s ready at %s after %.1f s", node.version(),
            node.httpUrl(), (System.nanoTime() - start) / 1e9));
        return node;
    }

    private int runApp(ElasticsearchNode es, String apmUrl, MockApmServer intake) {
        List<Path> classpath = new ArrayList<>();
        classpath.add(appClasses);
        classpath.addAll(jars(appLib));
        ChildJvm jvm = ChildJvm.builder()
            .name("bookstore")
            .javaAgent(agentJar, null)
            .systemProperty("elastic.apm.server_url", apmUrl)
            .systemProperty("elastic.apm.service_name", SERVICE_NAME)
            .systemProperty("elastic.apm.environment", "demo")
            .systemProperty("elastic.apm.api_request_time", "1s")
            .classpath(classpath.toArray(new Path[0]))
            .mainClass(APP_MAIN_CLASS)
            .args(es.httpUrl())
            .outputDir(logs);
        console.heading("Running the application");
        console.line("java -javaagent:" + relative(agentJar) + " -Delastic.apm.server_url=" + apmUrl
            + " -Delastic.apm.service_name=" + SERVICE_NAME + " -Delastic.apm.environment=demo"
            + " -Delastic.apm.api_request_time=1s -cp " + relative(appClasses) + ":" + relative(appLib) + "/*.jar "
            + APP_MAIN_CLASS + " " + es.httpUrl());
        console.blank();
        if (intake != null) {
            console.line("Below, \"app |\" lines are what the application prints; \"== trace\" blocks are what the agent "
                + "sent, one trace");
            console.line("each, as soon as it has arrived: the transaction, and under it each span (name, type, "
                + "duration, outcome,");
            console.line("HTTP status, the request body Elasticsearch got as \"statement\") and each error, "
                + "nested as the agent linked them.");
            console.blank();
        }
        long start = System.nanoTime();
        RunningJvm app = jvm.start();
        Thread stopApp = new Thread(app::close, "demo-stop-app");
        Runtime.getRuntime().addShutdownHook(stopApp);
        AppOutput output = new AppOutput(app, console);
        TracePrinter traces = intake == null ? null : new TracePrinter(intake, console, TRACE_QUIET);

        int exitCode = awaitApp(app, output, traces, intake);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (intake != null) {
            awaitLateEvents(intake, output, traces);
            writeEvents(intake, logs.resolve("intake-events.ndjson"));
        }
        return summary(es, apmUrl, intake, output, traces, exitCode, seconds);
    }

    /** Shows output and traces while the application runs; returns its exit code (-1: it had to be stopped). */
    private int awaitApp(RunningJvm app, AppOutput output, TracePrinter traces, MockApmServer intake) {
        try {
            if (intake != null) {
                // re-checked on every event the receiver records, and at least every 100 ms
                intake.awaitCondition(s -> {
                    output.drain(false);
                    traces.printReady();
                    return !app.isAlive();
                }, APP_DEADLINE);
            } else {
                awaitExitPrinting(app, output);
            }
        } catch (AssertionError timeout) {
            output.drain(true);
            console.line("The application did not finish within " + APP_DEADLINE.toMinutes() + " min: stopping it");
            app.destroy();
            return -1;
        }
        int exitCode = app.awaitExit(Duration.ofSeconds(30));
        output.drain(true);
        return exitCode;
    }

    private void awaitExitPrinting(RunningJvm app, AppOutput output) {
        CompletableFuture<ProcessHandle> exit = ProcessHandle.of(app.pid()).map(ProcessHandle::onExit)
            .orElse(CompletableFuture.completedFuture(null));
        long deadline = System.nanoTime() + APP_DEADLINE.toNanos();
        while (!exit.isDone()) {
            output.drain(false);
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("deadline");
            }
            try {
                exit.get(POLL.toMillis(), TimeUnit.MILLISECONDS); // returns at once when the application exits
            } catch (TimeoutException e) {
                // poll again
            } catch (ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted");
            }
        }
    }

    /** After the exit: the agent has flushed, but the receiver may still be reading; wait until all is printed. */
    private void awaitLateEvents(MockApmServer intake, AppOutput output, TracePrinter traces) {
        try {
            intake.awaitCondition(s -> {
                traces.printReady();
                return traces.settled();
            }, LATE_EVENTS_DEADLINE);
        } catch (AssertionError stillArriving) {
            console.line("(events were still arriving " + LATE_EVENTS_DEADLINE.toSeconds() + " s after the exit)");
        }
        traces.printRest();
        output.drain(true);
    }

    private int summary(ElasticsearchNode es, String apmUrl, MockApmServer intake, AppOutput output,
                        TracePrinter traces, int appExitCode, double seconds) {
        console.heading("Summary");
        row("Elasticsearch", es.version() + " at " + es.httpUrl()
            + (es.workDir().isPresent() ? " (started for the demo)" : " (external)"));
        row("agent", output.agentStartMessage().orElse("(no start message on the application's stderr)"));
        row("application", APP_MAIN_CLASS + String.format(Locale.ROOT, ", ran %.1f s, exit code %d", seconds,
            appExitCode));
        row("application logs", relative(logs) + (intake != null
            ? " (and every event received: " + relative(logs.resolve("intake-events.ndjson")) + ")" : ""));
        List<String> problems = new ArrayList<>();
        if (appExitCode != 0) {
            problems.add("the application failed (exit code " + appExitCode + ")");
        }
        if (intake == null) {
            row("traces", "sent to " + apmUrl + " (not received here)");
        } else {
            int spans = intake.spans().size();
            List<String> violations = intake.schemaViolations();
            row("traces", String.valueOf(traces.printedTraces()));
            row("transactions", String.valueOf(intake.transactions().size()));
            row("spans", String.valueOf(spans));
            row("errors", String.valueOf(intake.errors().size()));
            row("metricsets", String.valueOf(intake.metricsets().size()));
            row("schema violations", String.valueOf(violations.size()));
            for (String violation : violations.subList(0, Math.min(10, violations.size()))) {
                console.line("    " + abbreviate(violation.replace('\n', ' '), 400));
            }
            if (spans == 0) {
                problems.add("no spans arrived");
            }
            if (!violations.isEmpty()) {
                problems.add(violations.size() + " event(s) violate the intake schema");
            }
        }
        if (problems.isEmpty()) {
            verdict = "Demo OK";
            return 0;
        }
        verdict = "DEMO FAILED: " + String.join("; ", problems);
        return appExitCode > 0 ? appExitCode : 1;
    }

    /** Everything the receiver accepted, one intake line per event, for a closer look than the trees give. */
    private void writeEvents(MockApmServer intake, Path file) {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        Map<String, List<JsonNode>> byType = new LinkedHashMap<>();
        byType.put("metadata", intake.metadata());
        byType.put("transaction", intake.transactions());
        byType.put("span", intake.spans());
        byType.put("error", intake.errors());
        byType.put("metricset", intake.metricsets());
        try {
            for (Map.Entry<String, List<JsonNode>> type : byType.entrySet()) {
                for (JsonNode event : type.getValue()) {
                    lines.add(mapper.writeValueAsString(Map.of(type.getKey(), event)));
                }
            }
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            console.line("(cannot write " + file + ": " + e + ")");
        }
    }

    private void row(String label, String value) {
        console.line(String.format(Locale.ROOT, "  %-18s %s", label, value));
    }

    // ------------------------------------------------------------------ helpers

    /** The test kit logs through System.Logger (java.util.logging here): warnings only, on one line each. */
    private static void quietLogging() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        Logger.getLogger("").setLevel(Level.WARNING);
    }

    private static Path path(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new DemoException("system property " + property + " is not set: run the demo with "
                + "./mvnw -B -q -Pdemo -DskipTests verify");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    private static Optional<String> env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static void checkFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new DemoException(what + " is missing at " + file + ": run the demo with "
                + "./mvnw -B -q -Pdemo -DskipTests verify");
        }
    }

    private static List<Path> jars(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new DemoException("no jars in " + dir);
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** A path relative to the working directory when it is below it, for shorter lines. */
    private static String relative(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** A failure explained in one line; no stack trace needed. */
    static final class DemoException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoException(String message) {
            super(message);
        }
    }
}
