package dev.nimbleapm.agent.benchmarks.overhead;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.nimbleapm.agent.benchmarks.DiscardingIntakeServer;
import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.MockApmServer;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * The end-to-end overhead benchmark: the same Elasticsearch workload ({@link SearchWorkload}) run without and with
 * the agent, alternating, against a real local node, and a trivial {@code main} ({@link StartupProbe}) started
 * without and with the agent. Prints a table of the medians and of agent minus no agent. Not a test: it judges
 * nothing, it measures.
 *
 * <p>System properties: {@code benchmark.agent.jar}, {@code benchmark.app.classpath}, {@code elasticsearch.home}
 * (or env ELASTICSEARCH_URL), and optionally {@code benchmark.rounds} (3), {@code benchmark.warmup} (20000),
 * {@code benchmark.requests} (20000), {@code benchmark.starts} (10); diagnostics: {@code workload.threads}
 * (CPU per thread), {@code benchmark.jfr} (a directory for JFR recordings), {@code benchmark.jvmArgs} (more options
 * for the workload JVMs, space-separated, e.g. a profiler's {@code -agentpath}).
 */
public final class OverheadBenchmark {

    private final Path agentJar = Paths.get(required("benchmark.agent.jar"));
    private final Path[] appClasspath = classpath(required("benchmark.app.classpath"));
    private final int rounds = Integer.getInteger("benchmark.rounds", 3);
    private final int warmup = Integer.getInteger("benchmark.warmup", 20000);
    private final int requests = Integer.getInteger("benchmark.requests", 20000);
    private final int starts = Integer.getInteger("benchmark.starts", 10);

    public static void main(String[] args) throws Exception {
        new OverheadBenchmark().run();
    }

    private void run() throws Exception {
        ElasticsearchNode es = ElasticsearchNode.externalUrl().isPresent()
            ? ElasticsearchNode.connect(ElasticsearchNode.externalUrl().get())
            : ElasticsearchNode.start(Paths.get(required("elasticsearch.home")));
        // the workload reports to a server that only inflates and counts (a real APM Server would run elsewhere;
        // one that parses and validates every event would take CPU from the measured process on this machine)
        try (MockApmServer apm = MockApmServer.start();
             DiscardingIntakeServer intake = DiscardingIntakeServer.startCounting()) {
            String index = "overhead-books";
            Map<String, List<Map<String, Long>>> results = new LinkedHashMap<>();
            results.put("without", new ArrayList<>());
            results.put("with", new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                for (boolean agent : new boolean[]{false, true}) {
                    intake.resetCounters();
                    Map<String, Long> r = workload(es, intake.url(), index, agent);
                    results.get(agent ? "with" : "without").add(r);
                    System.out.println("round " + round + (agent ? " with agent:    " : " without agent: ") + r);
                    if (agent) {
                        // the reporter kept up: everything recorded was shipped by the time the JVM exited
                        long recorded = warmup + requests;
                        System.out.println(String.format(Locale.ROOT, "  shipped: %d transactions and %d spans of %d"
                                + " recorded each, %d errors, in %d intake requests; %.0f bytes of NDJSON and %.0f"
                                + " bytes on the wire per traced request", intake.transactions(), intake.spans(),
                            recorded, intake.errors(), intake.requests(), intake.inflatedBytes() / (double) recorded,
                            intake.bodyBytes() / (double) recorded));
                        if (intake.transactions() != recorded || intake.spans() != recorded) {
                            System.out.println("  WARNING: events were lost (dropped by a full queue, or not flushed at"
                                + " exit)");
                        }
                    }
                }
            }
            Map<String, List<Long>> startup = new LinkedHashMap<>();
            for (String mode : List.of("without-start", "with-start", "without-exit", "with-exit")) {
                startup.put(mode, new ArrayList<>());
            }
            for (int i = 0; i < starts; i++) {
                for (boolean agent : new boolean[]{false, true}) {
                    long[] startExit = startAndExit(apm, agent);
                    startup.get(agent ? "with-start" : "without-start").add(startExit[0]);
                    startup.get(agent ? "with-exit" : "without-exit").add(startExit[1]);
                }
            }
            double[] apiBytes = {apiAllocation(intake.url(), false), apiAllocation(intake.url(), true)};
            print(results, startup, apiBytes, es);
        } finally {
            es.stop();
        }
    }

    private Map<String, Long> workload(ElasticsearchNode es, String intakeUrl, String index, boolean agent) {
        ChildJvm jvm = ChildJvm.builder()
            .name("overhead-" + (agent ? "agent" : "baseline"))
            .jvmArg("-Xms256m", "-Xmx256m")
            .classpath(appClasspath)
            .mainClass(SearchWorkload.class.getName())
            .args(es.httpUrl(), index, String.valueOf(warmup), String.valueOf(requests));
        if (Boolean.getBoolean("workload.threads")) {
            jvm.systemProperty("workload.threads", "true");
        }
        String jfr = System.getProperty("benchmark.jfr", "");
        if (!jfr.isEmpty()) {
            // profiler evidence: a JFR recording per run, e.g. -Dbenchmark.jfr=target/overhead/jfr
            jvm.jvmArg("-XX:StartFlightRecording=settings=profile,filename=" + Paths.get(jfr).toAbsolutePath()
                .resolve((agent ? "with-agent-" : "without-agent-") + System.nanoTime() + ".jfr"));
        }
        for (String arg : System.getProperty("benchmark.jvmArgs", "").trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                // e.g. a native profiler: -Dbenchmark.jvmArgs=-agentpath:/path/libasyncProfiler.so=start,...
                jvm.jvmArg(arg);
            }
        }
        if (agent) {
            jvm.javaAgent(agentJar, null)
                .systemProperty("elastic.apm.server_url", intakeUrl)
                .systemProperty("elastic.apm.service_name", "overhead-benchmark")
                .systemProperty("elastic.apm.log_level", "warn");
        }
        RunningJvm run = jvm.start();
        int exit = run.awaitExit(Duration.ofMinutes(10));
        if (exit != 0) {
            throw new IllegalStateException("workload failed (" + exit + "): " + run.stderr());
        }
        run.stdout().lines().filter(l -> l.startsWith("THREAD ")).forEach(l -> System.out.println(
            (agent ? "  with agent    " : "  without agent ") + l));
        String line = run.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no result: " + run.stdout()));
        Map<String, Long> values = new LinkedHashMap<>();
        for (String pair : line.substring(7).split(" ")) {
            String[] kv = pair.split("=");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    /** Wall-clock milliseconds from process start to main, and from main's return to process exit. */
    private long[] startAndExit(MockApmServer apm, boolean agent) {
        ChildJvm jvm = ChildJvm.builder()
            .name("startup-" + (agent ? "agent" : "baseline"))
            .classpath(appClasspath)
            .mainClass(StartupProbe.class.getName());
        if (agent) {
            jvm.javaAgent(agentJar, null)
                .systemProperty("elastic.apm.server_url", apm.url())
                .systemProperty("elastic.apm.log_level", "warn");
        }
        long spawned = System.currentTimeMillis();
        RunningJvm run = jvm.start();
        run.awaitExit(Duration.ofMinutes(1));
        long exited = System.currentTimeMillis();
        long mainStarts = value(run.stdout(), "MAIN_STARTS_AT_MS ");
        long mainReturns = value(run.stdout(), "MAIN_RETURNS_AT_MS ");
        return new long[]{mainStarts - spawned, exited - mainReturns};
    }

    private static long value(String stdout, String prefix) {
        return stdout.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(
            prefix.length()).trim())).findFirst().orElseThrow(() -> new IllegalStateException(stdout));
    }

    /** Bytes the calling thread allocates per transaction of the public API alone, no request involved. */
    private double apiAllocation(String intakeUrl, boolean agent) {
        ChildJvm jvm = ChildJvm.builder()
            .name("api-allocation-" + (agent ? "agent" : "baseline"))
            .jvmArg("-Xms256m", "-Xmx256m")
            .classpath(appClasspath)
            .mainClass(ApiAllocationProbe.class.getName());
        if (agent) {
            jvm.javaAgent(agentJar, null)
                .systemProperty("elastic.apm.server_url", intakeUrl)
                .systemProperty("elastic.apm.log_level", "error");
        }
        RunningJvm run = jvm.start();
        int exit = run.awaitExit(Duration.ofMinutes(5));
        if (exit != 0) {
            throw new IllegalStateException("API allocation probe failed (" + exit + "): " + run.stderr());
        }
        String prefix = "API_BYTES_PER_TRANSACTION ";
        return run.stdout().lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(
            l.substring(prefix.length()).trim())).findFirst().orElseThrow(() -> new IllegalStateException(
            run.stdout()));
    }

    private void print(Map<String, List<Map<String, Long>>> results, Map<String, List<Long>> startup,
                       double[] apiBytes, ElasticsearchNode es) {
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "Overhead per request: %d rounds of %d requests after %d "
                + "warm-up requests; Elasticsearch %s on this machine (%d cores), %s", rounds, requests, warmup,
            es.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version")));
        System.out.println();
        System.out.println("| Measure (median of rounds) | Without agent | With agent "
            + "| Agent adds: median of the rounds (range) | Target |");
        System.out.println("|---|---|---|---|---|");
        row(results, "meanNanos", "latency, mean (µs)", 1000.0, null);
        row(results, "p50Nanos", "latency, p50 (µs)", 1000.0, null);
        row(results, "p99Nanos", "latency, p99 (µs)", 1000.0, null);
        row(results, "cpuNanosPerRequest", "CPU time of the process per request (µs)", 1000.0, "≤ 10 µs");
        row(results, "threadBytesPerRequest", "allocated by the calling thread per request (bytes)", 1.0,
            "≤ 256 B");
        row(results, "allBytesPerRequest", "allocated by all threads per request (bytes)", 1.0, null);
        System.out.println(String.format(Locale.ROOT, "| of which the public API alone, per transaction, no request"
            + " (bytes, ApiAllocationProbe) | %.1f | %.1f | %+.1f | |", apiBytes[0], apiBytes[1],
            apiBytes[1] - apiBytes[0]));
        row(results, "liveHeapBytes", "heap live after full GC, after the run (MB)", 1024.0 * 1024.0,
            "a few MB, bounded");
        row(results, "metaspaceBytes", "metaspace in use (MB)", 1024.0 * 1024.0, null);
        startRow(startup, "start", "JVM start to main (ms)", "≤ 250 ms");
        startRow(startup, "exit", "main returns to exit (ms)", "≤ 100 ms");
    }

    private static void row(Map<String, List<Map<String, Long>>> results, String key, String label, double unit,
                            String target) {
        long[] without = results.get("without").stream().mapToLong(r -> r.get(key)).toArray();
        long[] with = results.get("with").stream().mapToLong(r -> r.get(key)).toArray();
        // the runs of one round follow each other, so a round's difference is free of the drift between rounds
        // (the Elasticsearch node warms up and ages): the agent's share is the median of the rounds' differences
        long[] added = new long[with.length];
        for (int i = 0; i < added.length; i++) {
            added[i] = with[i] - without[i];
        }
        long[] sortedAdded = added.clone();
        Arrays.sort(sortedAdded);
        String range = added.length < 2 ? "" : String.format(Locale.ROOT, " (%+.1f to %+.1f)",
            sortedAdded[0] / unit, sortedAdded[sortedAdded.length - 1] / unit);
        System.out.println(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %+.1f%s | %s |", label,
            median(without) / unit, median(with) / unit, median(added) / unit, range, target == null ? "" : target));
    }

    private static void startRow(Map<String, List<Long>> startup, String key, String label, String target) {
        long[] without = startup.get("without-" + key).stream().mapToLong(Long::longValue).toArray();
        long[] with = startup.get("with-" + key).stream().mapToLong(Long::longValue).toArray();
        long[] added = new long[with.length];
        for (int i = 0; i < added.length; i++) {
            added[i] = with[i] - without[i];
        }
        long[] sortedAdded = added.clone();
        Arrays.sort(sortedAdded);
        System.out.println(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %+.0f (%+d to %+d) | %s |", label,
            median(without), median(with), median(added), sortedAdded[0], sortedAdded[sortedAdded.length - 1],
            target));
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is required (run through Maven: see "
                + "README, Performance)");
        }
        return value;
    }

    private static Path[] classpath(String value) {
        return Arrays.stream(value.split(java.io.File.pathSeparator)).filter(s -> !s.isEmpty()).map(Paths::get)
            .toArray(Path[]::new);
    }
}
