package dev.nimbleapm.agent.attach;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's rules and messages, against a fake set of JVMs (the real attach is tested in the integration tests). */
class AttachCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final FakeJvms jvms = new FakeJvms();

    private int run(String... args) {
        return new AttachCli(new PrintStream(out, true), new PrintStream(err, true), jvms).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpDocumentsEveryFlagAndTheExitCodes() {
        assertThat(run("--help")).isEqualTo(AttachCli.OK);
        assertThat(out()).contains("--list", "--pid", "--include-main", "--exclude-main", "--include-all",
            "--continuous", "--config", "--config-file", "--help", "Exit codes");
    }

    @Test
    void withoutSelectionItListsTheJvms() {
        jvms.add("101", "com.example.Shop", System.getProperty("user.name"));
        assertThat(run()).isEqualTo(AttachCli.OK);
        assertThat(out()).contains("PID", "101", "com.example.Shop");
        assertThat(jvms.loaded).isEmpty();
    }

    @Test
    void attachesByPidWithTheGivenConfiguration() throws Exception {
        jvms.add("101", "com.example.Shop", System.getProperty("user.name"));
        Path file = dir.resolve("apm.properties");
        Files.writeString(file, "service_name=from-file\nenvironment=prod\n");
        assertThat(run("--pid", "101", "--config-file", file.toString(), "--config", "service_name=shop"))
            .isEqualTo(AttachCli.OK);
        assertThat(jvms.loaded).hasSize(1);
        assertThat(jvms.loaded.get(0)).startsWith("101 ").contains("nimble-apm-agent.jar @activation=apm-agent-attach-cli;")
            .contains(";service_name=shop").contains(";environment=prod").doesNotContain("from-file");
    }

    @Test
    void anUnknownPidIsReportedWithItsExitCode() {
        assertThat(run("--pid", "4242")).isEqualTo(AttachCli.NO_SUCH_PID);
        assertThat(err()).contains("no JVM with pid 4242");
    }

    @Test
    void aJvmOfAnotherUserIsPermissionDenied() {
        jvms.add("101", "com.example.Shop", "somebody-else");
        assertThat(run("--pid", "101")).isEqualTo(AttachCli.PERMISSION_DENIED);
        assertThat(err()).contains("runs as user somebody-else", "sudo -u somebody-else");
    }

    @Test
    void aJvmThatRunsTheAgentIsNotAttachedAgain() {
        jvms.add("101", "com.example.Shop", System.getProperty("user.name"));
        jvms.properties.setProperty(AgentPresence.PROPERTY, "javaagent-flag");
        assertThat(run("--pid", "101")).isEqualTo(AttachCli.ALREADY_ATTACHED);
        assertThat(err()).contains("already runs the agent");
        assertThat(jvms.loaded).isEmpty();
    }

    @Test
    void aJavaSevenJvmIsTooOld() {
        jvms.add("101", "com.example.Legacy", System.getProperty("user.name"));
        jvms.properties.setProperty("java.specification.version", "1.7");
        assertThat(run("--pid", "101")).isEqualTo(AttachCli.TOO_OLD);
        assertThat(err()).contains("Java 1.7", "Java 8 or later");
    }

    @Test
    void patternsSelectAndExcludesWin() {
        String me = System.getProperty("user.name");
        jvms.add("101", "com.example.Shop", me);
        jvms.add("102", "com.example.Billing", me);
        assertThat(run("--include-main", "com\\.example\\.", "--exclude-main", "Billing")).isEqualTo(AttachCli.OK);
        assertThat(jvms.loaded).hasSize(1).allMatch(l -> l.startsWith("101 "));
    }

    @Test
    void nothingMatchingHasItsExitCode() {
        jvms.add("101", "com.example.Shop", System.getProperty("user.name"));
        assertThat(run("--include-main", "NoSuchApp")).isEqualTo(AttachCli.NOTHING_MATCHED);
    }

    @Test
    void badUsageIsExplained() {
        assertThat(run("--frobnicate")).isEqualTo(AttachCli.USAGE);
        assertThat(err()).contains("unknown option '--frobnicate'", "--help");
        assertThat(run("--config", "no-equals-sign")).isEqualTo(AttachCli.USAGE);
        assertThat(run("--continuous")).isEqualTo(AttachCli.USAGE);
        assertThat(run("--pid")).isEqualTo(AttachCli.USAGE);
        assertThat(run("--config", "server_url=a;b")).isEqualTo(AttachCli.USAGE);
    }

    private static final class FakeJvms extends Jvms {
        final List<JvmDescriptor> all = new ArrayList<>();
        final Properties properties = new Properties();
        final List<String> loaded = new ArrayList<>();

        FakeJvms() {
            properties.setProperty("java.specification.version", "17");
        }

        void add(String pid, String command, String user) {
            all.add(new JvmDescriptor(pid, command, user));
        }

        @Override
        List<JvmDescriptor> list() {
            return all;
        }

        @Override
        Properties systemProperties(String pid) {
            return properties;
        }

        @Override
        void loadAgent(String pid, String agentJar, String arguments) {
            loaded.add(pid + " " + agentJar + " " + arguments);
        }
    }
}
