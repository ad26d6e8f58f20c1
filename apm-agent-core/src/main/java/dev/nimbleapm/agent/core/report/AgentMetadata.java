package dev.nimbleapm.agent.core.report;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.CoreOptions;

/**
 * The facts of the intake {@code metadata} line: service, agent, language, runtime, process, system, global labels.
 * Gathered once, on the reporter thread (host name lookup and process id may be slow; the application must not
 * wait for them).
 */
public final class AgentMetadata {

    public static final String AGENT_NAME = "java";

    public final String serviceName;
    public final String serviceVersion;
    public final String serviceNodeName;
    public final String environment;
    public final String agentVersion;
    public final String ephemeralId;
    public final String activationMethod;
    public final String javaVersion;
    public final String runtimeName;
    public final long pid;
    public final String processTitle;
    public final String architecture;
    public final String platform;
    public final String detectedHostname;
    public final String configuredHostname;
    public final Map<String, String> globalLabels;

    private AgentMetadata(AgentConfig config, String agentVersion, String activationMethod) {
        String command = System.getProperty("sun.java.command");
        String configuredName = config.get(CoreOptions.SERVICE_NAME);
        this.serviceName = sanitizeServiceName(configuredName != null ? configuredName : detectServiceName(command));
        String version = config.get(CoreOptions.SERVICE_VERSION);
        this.serviceVersion = version != null ? version : detectServiceVersion(command);
        this.serviceNodeName = config.get(CoreOptions.SERVICE_NODE_NAME);
        this.environment = config.get(CoreOptions.ENVIRONMENT);
        this.agentVersion = agentVersion;
        this.ephemeralId = UUID.randomUUID().toString();
        this.activationMethod = activationMethod;
        this.javaVersion = System.getProperty("java.version");
        this.runtimeName = "Java";
        this.pid = currentPid();
        this.processTitle = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        this.architecture = System.getProperty("os.arch");
        this.platform = System.getProperty("os.name");
        this.configuredHostname = config.get(CoreOptions.HOSTNAME);
        this.detectedHostname = configuredHostname != null ? null : detectHostname();
        Map<String, String> labels = config.get(CoreOptions.GLOBAL_LABELS);
        this.globalLabels = labels == null ? Collections.<String, String>emptyMap() : labels;
    }

    public static AgentMetadata gather(AgentConfig config, String agentVersion, String activationMethod) {
        return new AgentMetadata(config, agentVersion, activationMethod);
    }

    /**
     * The official agent's fallback: the main jar's file name without extension and version, or the main class's
     * fully-qualified name.
     */
    static String detectServiceName(String command) {
        if (command == null || command.trim().isEmpty()) {
            return "unknown-java-service";
        }
        String first = command.trim().split("\\s+")[0];
        if (first.endsWith(".jar")) {
            String file = new File(first).getName();
            String base = file.substring(0, file.length() - 4);
            return base.replaceFirst("-\\d+(\\.\\d+)*([-.][A-Za-z0-9]+)*$", "");
        }
        return first;
    }

    static String detectServiceVersion(String command) {
        if (command == null) {
            return null;
        }
        String first = command.trim().split("\\s+")[0];
        if (!first.endsWith(".jar")) {
            return null;
        }
        try {
            JarFile jar = new JarFile(first);
            try {
                Manifest manifest = jar.getManifest();
                return manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
            } finally {
                jar.close();
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The intake protocol allows only a-z, A-Z, 0-9, '_', '-' and space in service names. */
    static String sanitizeServiceName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length() && i < 1024; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                || c == '-' || c == ' ';
            sb.append(ok ? c : '-');
        }
        return sb.length() == 0 ? "unknown-java-service" : sb.toString();
    }

    private static long currentPid() {
        try {
            Class<?> handle = Class.forName("java.lang.ProcessHandle");
            Object current = handle.getMethod("current").invoke(null);
            Method pid = handle.getMethod("pid");
            return ((Long) pid.invoke(current)).longValue();
        } catch (Throwable java8) {
            try {
                String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
                return Long.parseLong(name.substring(0, name.indexOf('@')));
            } catch (Throwable t) {
                return 0;
            }
        }
    }

    private static String detectHostname() {
        String env = System.getenv("HOSTNAME");
        if (env == null) {
            env = System.getenv("COMPUTERNAME");
        }
        if (env != null && !env.trim().isEmpty()) {
            return env.trim();
        }
        File etc = new File("/etc/hostname");
        if (etc.isFile()) {
            try {
                java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.FileReader(etc));
                try {
                    String line = reader.readLine();
                    if (line != null && !line.trim().isEmpty()) {
                        return line.trim();
                    }
                } finally {
                    reader.close();
                }
            } catch (IOException ignored) {
                // fall through
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Throwable t) {
            return null;
        }
    }
}
