package dev.nimbleapm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.nimbleapm.agent.testkit.ChildJvm;

/** Where the build put the agent jar, the test applications and the client jars; the JVMs to run them on. */
public final class ItEnvironment {

    private ItEnvironment() {
    }

    public static Path work() {
        String work = System.getProperty("it.work");
        if (work == null) {
            throw new IllegalStateException("it.work is not set: run the integration tests through Maven");
        }
        return Paths.get(work);
    }

    public static Path agentJar() {
        Path jar = work().resolve("agent/nimble-apm-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The agent jar is missing at " + jar + ": build apm-agent first");
        }
        return jar;
    }

    /** All jars of a directory under it/apps or it/classpaths, as a class path. */
    public static List<Path> jars(String relativeDir) {
        Path dir = work().resolve(relativeDir);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            if (jars.isEmpty()) {
                throw new IllegalStateException("no jars in " + dir);
            }
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    /** The class path of one client version, as copied by its module under integration-tests/classpaths. */
    public static List<Path> clientClasspath(String clientId) {
        String base = System.getProperty("it.classpaths");
        Path dir = Paths.get(base, clientId, "target", "classpath");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("no class path for " + clientId + " at " + dir, e);
        }
    }

    /**
     * Whether a client version is selected: all, unless the system property {@code it.clients} lists some (a
     * developer's shortcut, e.g. {@code -Dit.clients=rest-7.17.10}).
     */
    public static boolean selected(String clientId) {
        String only = System.getProperty("it.clients", "").trim();
        if (only.isEmpty()) {
            return true;
        }
        for (String c : only.split(",")) {
            if (c.trim().equals(clientId)) {
                return true;
            }
        }
        return false;
    }

    /** A port nothing listens on. */
    public static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JVMs the agent is tested on: the build JDK, and JDK 25 where present. */
    public static List<Path> javaHomes() {
        List<Path> homes = new ArrayList<>();
        homes.add(Paths.get(System.getProperty("java.home")));
        Optional<Path> jdk25 = ChildJvm.jdk25();
        jdk25.ifPresent(homes::add);
        return homes;
    }

    public static String describe(Path javaHome) {
        return javaHome.getFileName().toString();
    }
}
