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
