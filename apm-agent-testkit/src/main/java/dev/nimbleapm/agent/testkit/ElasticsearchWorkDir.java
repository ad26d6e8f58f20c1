package dev.nimbleapm.agent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private copy of an Elasticsearch distribution with its own configuration, data, logs and temp directory.
 *
 * <p>Exists so that a test node never writes into the distribution it was given (which may be shared by parallel
 * builds) and leaves nothing behind: everything lives in one temp directory that is deleted when the node stops.
 * It also knows how the node must be launched: Elasticsearch refuses to run as root, so when this JVM is root the
 * directory is handed to uid/gid 65534 and the start script runs under {@code setpriv}.
 */
final class ElasticsearchWorkDir {

    static final String CLUSTER_NAME = "nimble-test";
    static final String HEAP_OPTIONS = "-Xms256m -Xmx512m";
    static final int UNPRIVILEGED_ID = 65534;

    private static final System.Logger LOG = System.getLogger(ElasticsearchWorkDir.class.getName());

    private final Path root;
    private final Path home;
    private final Path javaHome;
    private final boolean asRoot;

    private ElasticsearchWorkDir(Path root, Path javaHome, boolean asRoot) {
        this.root = root;
        this.home = root.resolve("elasticsearch");
        this.javaHome = javaHome;
        this.asRoot = asRoot;
    }

    /** Copies {@code distributionHome} into a fresh temp directory. */
    static ElasticsearchWorkDir create(Path distributionHome) {
        if (!Files.isRegularFile(distributionHome.resolve("bin").resolve("elasticsearch"))
                || !Files.isDirectory(distributionHome.resolve("lib"))) {
            throw new IllegalArgumentException("not an unpacked Elasticsearch distribution (no bin/elasticsearch "
                    + "or lib/): " + distributionHome);
        }
        try {
            Path root = Files.createTempDirectory("nimble-es-");
            ElasticsearchWorkDir dir = new ElasticsearchWorkDir(root, Path.of(System.getProperty("java.home")),
                    runningAsRoot());
            copyTree(distributionHome, dir.home);
            makeScriptsExecutable(dir.home.resolve("bin"));
            Files.createDirectories(dir.data());
            Files.createDirectories(dir.logs());
            Files.createDirectories(dir.tmp());
            dir.writeJvmOptions();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a work directory for " + distributionHome, e);
        }
    }

    Path root() {
        return root;
    }

    Path home() {
        return home;
    }

    Path data() {
        return root.resolve("data");
    }

    Path logs() {
        return root.resolve("logs");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    /** Where the process's stdout and stderr go. */
    Path processLog() {
        return root.resolve("process.log");
    }

    boolean asRoot() {
        return asRoot;
    }

    /**
     * Writes {@code elasticsearch.yml} for the given ports and makes everything ready for the process's user. Only
     * settings the minimal distribution knows: it refuses to start on any unknown one.
     */
    void configure(int httpPort, int transportPort) {
        String yml = "# written by " + ElasticsearchNode.class.getName() + "\n"
                + "cluster.name: " + CLUSTER_NAME + "\n"
                + "node.name: " + CLUSTER_NAME + "-node\n"
                + "discovery.type: single-node\n"
                + "network.host: 127.0.0.1\n"
                + "http.port: " + httpPort + "\n"
                + "transport.port: " + transportPort + "\n"
                + "path.data: " + data() + "\n"
                + "path.logs: " + logs() + "\n"
                // a nearly full disk of a build machine must not make the test index read-only
                + "cluster.routing.allocation.disk.threshold_enabled: false\n"
                // security is off in these distributions anyway; saying so silences a warning header on every answer
                + (Files.isDirectory(home.resolve("modules").resolve("x-pack-security"))
                    ? "xpack.security.enabled: false\n" : "");
        try {
            Files.writeString(home.resolve("config").resolve("elasticsearch.yml"), yml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write elasticsearch.yml", e);
        }
        if (asRoot) {
            handToUnprivilegedUser();
        }
    }

    /** Empties the data directory, e.g. before another start attempt. */
    void resetData() {
        deleteTree(data());
        try {
            Files.createDirectories(data());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recreate " + data(), e);
        }
    }

    /** The command starting the node in the foreground. */
    List<String> command() {
        String script = home.resolve("bin").resolve("elasticsearch").toString();
        if (!asRoot) {
            return List.of(script);
        }
        return List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID, "--clear-groups",
                script);
    }

    /** Environment changes for the process: {@code null} values are removed from the inherited environment. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ES_JAVA_HOME", javaHome.toString());
        env.put("ES_TMPDIR", tmp().toString());
        env.put("ES_JAVA_OPTS", HEAP_OPTIONS);
        env.put("ES_PATH_CONF", home.resolve("config").toString());
        // the start script refuses to run with CLASSPATH set; the others would leak agents or options of this JVM
        env.put("CLASSPATH", null);
        env.put("JAVA_TOOL_OPTIONS", null);
        env.put("_JAVA_OPTIONS", null);
        env.put("JDK_JAVA_OPTIONS", null);
        env.put("JAVA_HOME", null);
        if (asRoot) {
            env.put("HOME", root.toString());
        }
        return env;
    }

    /** Deletes the whole work directory. */
    void delete() {
        deleteTree(root);
    }

    /** Replaces the distribution's jvm.options: G1, temp dir, exit on OOM, no GC log, no heap dumps. */
    private void writeJvmOptions() throws IOException {
        String options = "# written by " + ElasticsearchNode.class.getName() + "; heap comes from ES_JAVA_OPTS\n"
                + "-XX:+UseG1GC\n"
                + "-Djava.io.tmpdir=${ES_TMPDIR}\n"
                + "-XX:+ExitOnOutOfMemoryError\n"
                + "-XX:-HeapDumpOnOutOfMemoryError\n"
                + "-XX:ErrorFile=" + logs().resolve("hs_err_pid%p.log") + "\n";
        Files.writeString(home.resolve("config").resolve("jvm.options"), options, StandardCharsets.UTF_8);
    }

    /** chown to 65534:65534, and make the directories above the work dir and the JDK traversable for that user. */
    private void handToUnprivilegedUser() {
        run(List.of("chown", "-R", UNPRIVILEGED_ID + ":" + UNPRIVILEGED_ID, root.toString()));
        makeTraversable(root.getParent());
        makeTraversable(javaHome);
        Path java = javaHome.resolve("bin").resolve("java");
        try {
            if (!Files.getPosixFilePermissions(java).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException(java + " is not executable by uid " + UNPRIVILEGED_ID
                        + ": Elasticsearch cannot run on this JDK as an unprivileged user");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds o+x to {@code dir} and each of its parents that lacks it. */
    private static void makeTraversable(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
                if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    permissions.add(PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(p, permissions);
                    LOG.log(System.Logger.Level.INFO, "made {0} traversable for uid {1}", p, UNPRIVILEGED_ID);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make " + p + " traversable", e);
            }
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Unpacking may lose the executable bits: restore them on the scripts (not on the Windows ones). */
    private static void makeScriptsExecutable(Path bin) throws IOException {
        Set<PosixFilePermission> executable = PosixFilePermissions.fromString("rwxr-xr-x");
        try (Stream<Path> scripts = Files.list(bin)) {
            for (Path script : (Iterable<Path>) scripts::iterator) {
                if (Files.isRegularFile(script) && !script.toString().endsWith(".bat")) {
                    Files.setPosixFilePermissions(script, executable);
                }
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> failed = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    failed.add(p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + dir, e);
        }
        if (!failed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "could not delete {0} paths under {1}, e.g. {2}", failed.size(),
                    dir, failed.get(0));
        }
    }

    /** Whether this JVM runs as root ({@code id -u} is 0; {@code user.name} root when {@code id} cannot run). */
    static boolean runningAsRoot() {
        try {
            Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (id.waitFor(10, TimeUnit.SECONDS) && id.exitValue() == 0) {
                return "0".equals(out);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "id -u failed: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code "
                        + process.exitValue() + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
