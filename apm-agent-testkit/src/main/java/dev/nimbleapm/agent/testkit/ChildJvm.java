package dev.nimbleapm.agent.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Describes and starts a real child JVM for a test: which JDK, JVM options, java agent, class path, main class.
 *
 * <p>Exists because an agent must be tested the way it is used, attached to a separate JVM by {@code -javaagent}
 * (possibly on another JDK than the build's), with its output captured for assertions. Use it as a builder:
 * <pre>{@code
 * try (RunningJvm app = ChildJvm.builder()
 *         .javaAgent(agentJar, "server_url=" + apm.url())
 *         .classpath(appClasses)
 *         .mainClass("com.example.App")
 *         .start()) {
 *     assertThat(app.awaitExit(Duration.ofSeconds(30))).isZero();
 * }
 * }</pre>
 * Output goes to memory and to files under {@code target/child-jvm/} (or {@link #outputDir(Path)}).
 */
public final class ChildJvm {

    /** System property naming the second JDK to test on; the default is {@link #DEFAULT_JDK25}. */
    public static final String EXTRA_JDK_PROPERTY = "extra.test.jdk";
    public static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Path javaHome = Path.of(System.getProperty("java.home"));
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<Path> classpath = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private String mainClass;
    private Path workingDir;
    private Path outputDir = Path.of("target", "child-jvm");
    private String name;

    private ChildJvm() {
    }

    public static ChildJvm builder() {
        return new ChildJvm();
    }

    /**
     * The JDK 25 to run tests on as well: the directory named by system property {@value #EXTRA_JDK_PROPERTY}, else
     * {@value #DEFAULT_JDK25}, when it has an executable {@code bin/java}; otherwise empty.
     */
    public static Optional<Path> jdk25() {
        Path home = Path.of(System.getProperty(EXTRA_JDK_PROPERTY, DEFAULT_JDK25));
        return Files.isExecutable(home.resolve("bin").resolve("java")) ? Optional.of(home) : Optional.empty();
    }

    /** The JDK to run; default: the one running this JVM. */
    public ChildJvm javaHome(Path home) {
        this.javaHome = Objects.requireNonNull(home);
        return this;
    }

    /** JVM options, e.g. {@code -Xmx64m}, placed before the class path. */
    public ChildJvm jvmArg(String... options) {
        Collections.addAll(jvmArgs, options);
        return this;
    }

    /** Adds {@code -javaagent:jar} or, with non-empty {@code options}, {@code -javaagent:jar=options}. */
    public ChildJvm javaAgent(Path jar, String options) {
        String arg = "-javaagent:" + jar.toAbsolutePath();
        jvmArgs.add(options == null || options.isEmpty() ? arg : arg + "=" + options);
        return this;
    }

    /** Class path entries (directories or jars), in order. */
    public ChildJvm classpath(Path... entries) {
        Collections.addAll(classpath, entries);
        return this;
    }

    /** A {@code -Dkey=value} option. */
    public ChildJvm systemProperty(String key, String value) {
        systemProperties.put(key, value);
        return this;
    }

    /** An environment variable, on top of this JVM's environment. */
    public ChildJvm env(String key, String value) {
        env.put(key, value);
        return this;
    }

    public ChildJvm mainClass(String className) {
        this.mainClass = className;
        return this;
    }

    /** Program arguments. */
    public ChildJvm args(String... arguments) {
        Collections.addAll(args, arguments);
        return this;
    }

    /** The child's working directory; default: this JVM's. */
    public ChildJvm workingDir(Path dir) {
        this.workingDir = dir;
        return this;
    }

    /** Where the output files go; default {@code target/child-jvm}. */
    public ChildJvm outputDir(Path dir) {
        this.outputDir = Objects.requireNonNull(dir);
        return this;
    }

    /** The name in the output file names and thread names; default: the main class's simple name. */
    public ChildJvm name(String processName) {
        this.name = processName;
        return this;
    }

    /** The command line {@link #start()} runs. */
    public List<String> command() {
        if (mainClass == null) {
            throw new IllegalStateException("no main class given");
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(jvmArgs);
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (!classpath.isEmpty()) {
            List<String> entries = new ArrayList<>();
            classpath.forEach(p -> entries.add(p.toAbsolutePath().toString()));
            command.add("-cp");
            command.add(String.join(File.pathSeparator, entries));
        }
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Starts the JVM; its output is captured from the first byte. */
    public RunningJvm start() {
        List<String> command = command();
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        String label = (name != null ? name : mainClass.substring(mainClass.lastIndexOf('.') + 1))
                + "-" + COUNTER.incrementAndGet();
        try {
            Process process = builder.start();
            return new RunningJvm(process, command, label, outputDir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }
}
