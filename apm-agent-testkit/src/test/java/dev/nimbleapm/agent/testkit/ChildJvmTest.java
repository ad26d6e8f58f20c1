package dev.nimbleapm.agent.testkit;

import dev.nimbleapm.agent.testkit.fixture.ChildAgent;
import dev.nimbleapm.agent.testkit.fixture.ChildMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ChildJvmTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Path testClasses() throws Exception {
        return Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ChildJvm child(String... args) throws Exception {
        return ChildJvm.builder()
                .classpath(testClasses())
                .jvmArg("-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
                .mainClass(ChildMain.class.getName())
                .args(args);
    }

    @Test
    void runsMainWithArgumentsPropertiesEnvironmentAndWorkingDir(@TempDir Path dir) throws Exception {
        try (RunningJvm jvm = child("echo", "3", "a", "b c")
                .systemProperty("child.prop", "value 1")
                .env("CHILD_ENV", "from-env")
                .workingDir(dir)
                .start()) {
            assertThat(jvm.awaitExit(TIMEOUT)).isEqualTo(3);
            assertThat(jvm.pid()).isPositive();
            assertThat(jvm.isAlive()).isFalse();
            assertThat(jvm.stdout()).contains("args=a,b c\n", "prop=value 1\n", "env=from-env\n",
                    "java.version=" + System.getProperty("java.version") + "\n",
                    "cwd=" + dir.toRealPath() + "\n");
            assertThat(jvm.stderr()).contains("this goes to stderr");
            // the output is in files as well
            assertThat(Files.readString(jvm.stdoutFile())).isEqualTo(jvm.stdout());
            assertThat(Files.readString(jvm.stderrFile())).isEqualTo(jvm.stderr());
            assertThat(jvm.stdoutFile().toString()).contains("target").contains("child-jvm")
                    .endsWith(jvm.pid() + ".stdout.log");
        }
    }

    @Test
    void commandLineHasTheDocumentedShape() throws Exception {
        assertThat(ChildJvm.builder()
                .javaHome(Path.of("/opt/jdk"))
                .jvmArg("-Xmx1g")
                .javaAgent(Path.of("/a/agent.jar"), "k=v")
                .javaAgent(Path.of("/a/other.jar"), null)
                .systemProperty("p", "1")
                .classpath(Path.of("/x"), Path.of("/y.jar"))
                .mainClass("m.Main")
                .args("one")
                .command())
                .containsExactly("/opt/jdk/bin/java", "-Xmx1g", "-javaagent:/a/agent.jar=k=v",
                        "-javaagent:/a/other.jar", "-Dp=1", "-cp", "/x:/y.jar", "m.Main", "one");
        assertThatThrownBy(() -> ChildJvm.builder().command()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void loadsAJavaAgentWithOptions(@TempDir Path dir) throws Exception {
        Path agentJar = dir.resolve("agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", ChildAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(agentJar); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        try (RunningJvm jvm = child("echo", "0").javaAgent(agentJar, "server_url=http://127.0.0.1:1").start()) {
            assertThat(jvm.awaitExit(TIMEOUT)).isZero();
            assertThat(jvm.stdout()).startsWith("agent loaded, options=server_url=http://127.0.0.1:1");
        }
    }

    @Test
    void awaitOutputWaitsForTextAndFailsWhenTheChildEndsWithoutIt() throws Exception {
        try (RunningJvm jvm = child("block").start()) {
            jvm.awaitOutput("ready", TIMEOUT);
            assertThat(jvm.isAlive()).isTrue();
            assertThatThrownBy(() -> jvm.awaitOutput("never printed", Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("did not print \"never printed\"")
                    .hasMessageContaining("ready");
        }
        try (RunningJvm jvm = child("echo", "0").start()) {
            assertThatThrownBy(() -> jvm.awaitOutput("never printed", TIMEOUT))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("ended its output");
        }
    }

    @Test
    void awaitExitDestroysAChildThatDoesNotExit() throws Exception {
        try (RunningJvm jvm = child("block").start()) {
            jvm.awaitOutput("ready", TIMEOUT);
            assertThatThrownBy(() -> jvm.awaitExit(Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("did not exit within")
                    .hasMessageContaining("ready");
            assertThat(jvm.isAlive()).isFalse();
        }
    }

    @Test
    void destroyEndsTheWholeProcessTree() throws Exception {
        ProcessHandle grandchild;
        try (RunningJvm jvm = child("spawn").start()) {
            jvm.awaitOutput("grandchild=", TIMEOUT);
            String pid = jvm.stdout().lines().filter(l -> l.startsWith("grandchild=")).findFirst().orElseThrow()
                    .substring("grandchild=".length());
            grandchild = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
            assertThat(grandchild.isAlive()).isTrue();
        }
        grandchild.onExit().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(grandchild.isAlive()).isFalse();
    }

    @Test
    void jdk25IsFoundOnlyWhereItHasAJavaLauncher(@TempDir Path dir) {
        String previous = System.getProperty(ChildJvm.EXTRA_JDK_PROPERTY);
        try {
            System.setProperty(ChildJvm.EXTRA_JDK_PROPERTY, dir.toString());
            assertThat(ChildJvm.jdk25()).isEmpty();
        } finally {
            if (previous == null) {
                System.clearProperty(ChildJvm.EXTRA_JDK_PROPERTY);
            } else {
                System.setProperty(ChildJvm.EXTRA_JDK_PROPERTY, previous);
            }
        }
    }

    @Test
    void runsOnJdk25WhenPresent() throws Exception {
        Optional<Path> jdk25 = ChildJvm.jdk25();
        assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        try (RunningJvm jvm = child("echo", "0").javaHome(jdk25.get()).start()) {
            assertThat(jvm.awaitExit(TIMEOUT)).isZero();
            assertThat(jvm.stdout()).contains("java.version=25");
        }
    }
}
