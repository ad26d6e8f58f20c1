package dev.nimbleapm.agent.premain;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.util.jar.JarFile;

/**
 * The agent jar's entry point ({@code Premain-Class} and {@code Agent-Class}). The agent's runtime must be on the
 * bootstrap class path, where inlined advice in any class loader can reach it. With {@code -javaagent} the manifest's
 * {@code Boot-Class-Path} puts it there before the JVM starts (quietly: appending later makes the JVM print a
 * warning about class data sharing); when the jar was renamed, or on late attach, this class appends it. It then
 * hands over to {@code AgentStarter}, loaded from the bootstrap class path, and refers to no other agent class
 * directly, so nothing of the agent is ever loaded twice.
 */
public final class AgentMain {

    private static final String STARTER = "dev.nimbleapm.agent.sdk.AgentStarter";
    /** Agent arguments may start with {@code @activation=<method>;} when the attacher passes them. */
    private static final String ACTIVATION_PREFIX = "@activation=";

    private AgentMain() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, "javaagent-flag");
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, "apm-agent-attach-cli");
    }

    private static synchronized void start(String arguments, Instrumentation instrumentation, String activation) {
        try {
            String args = arguments;
            if (args != null && args.startsWith(ACTIVATION_PREFIX)) {
                int end = args.indexOf(';');
                activation = args.substring(ACTIVATION_PREFIX.length(), end < 0 ? args.length() : end);
                args = end < 0 ? "" : args.substring(end + 1);
            }
            File jar = agentJar();
            if (!alreadyOnBootstrap()) {
                instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            }
            Class<?> starter = Class.forName(STARTER, true, null);
            starter.getMethod("start", String.class, Instrumentation.class, File.class, String.class,
                java.util.Map.class).invoke(null, args, instrumentation, jar, activation, null);
        } catch (Throwable t) {
            // the agent's logger lives in the part that failed to load: one line, then the application goes on
            System.err.println("[nimble-apm] ERROR The agent could not start and is inactive: " + t);
        }
    }

    private static boolean alreadyOnBootstrap() {
        try {
            Class.forName(STARTER, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The agent jar, found through the entry point's own class file: with {@code Boot-Class-Path} this class is
     * defined by the bootstrap loader, which has no code source, so the resource URL is the reliable way.
     */
    private static File agentJar() throws Exception {
        java.net.URL url = ClassLoader.getSystemResource(AgentMain.class.getName().replace('.', '/') + ".class");
        if (url == null || !"jar".equals(url.getProtocol())) {
            throw new IllegalStateException("cannot locate the agent jar (" + url + ")");
        }
        String spec = url.getPath();
        URI uri = new URI(spec.substring(0, spec.lastIndexOf("!/")));
        return new File(uri);
    }
}
