package dev.nimbleapm.agent.attach;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code java -jar apm-agent-attach-cli.jar}: lists the JVMs of this machine and attaches the agent to the selected
 * ones, once or continuously. Exit codes are documented in {@link #usage}.
 */
public final class AttachCli {

    static final int OK = 0;
    static final int USAGE = 1;
    static final int NO_SUCH_PID = 2;
    static final int PERMISSION_DENIED = 3;
    static final int ALREADY_ATTACHED = 4;
    static final int TOO_OLD = 5;
    static final int FAILED = 6;
    static final int NOTHING_MATCHED = 7;

    static final String ACTIVATION_METHOD = "apm-agent-attach-cli";

    private final PrintStream out;
    private final PrintStream err;
    private final Jvms jvms;

    AttachCli(PrintStream out, PrintStream err, Jvms jvms) {
        this.out = out;
        this.err = err;
        this.jvms = jvms;
    }

    public static void main(String[] args) {
        System.exit(new AttachCli(System.out, System.err, new Jvms()).run(args));
    }

    static String usage() {
        return "Usage: java -jar apm-agent-attach-cli.jar [options]\n"
            + "\n"
            + "Lists the JVMs on this machine, or attaches the Nimble APM agent to the selected ones.\n"
            + "\n"
            + "Selection (without any, the JVMs are listed):\n"
            + "  --list                    list the JVMs (pid, user, main class or jar and arguments) and exit\n"
            + "  --pid <pid>               attach to this process (repeatable)\n"
            + "  --include-main <regex>    attach to JVMs whose main class or jar matches (repeatable)\n"
            + "  --exclude-main <regex>    never attach to JVMs whose main class, jar or arguments match\n"
            + "                            (repeatable; applies to --include-main and --include-all)\n"
            + "  --include-all             attach to every JVM except excluded ones and this one\n"
            + "  --continuous              keep running and attach to matching JVMs as they start\n"
            + "                            (with --include-main or --include-all); stop with Ctrl-C\n"
            + "\n"
            + "Configuration of the agent (lower precedence than the target's own -Delastic.apm.*, ELASTIC_APM_*\n"
            + "and elasticapm.properties):\n"
            + "  --config <key>=<value>    an option, e.g. --config server_url=http://apm:8200 (repeatable)\n"
            + "  --config-file <path>      options from a properties file (--config entries win)\n"
            + "\n"
            + "  --help                    this text\n"
            + "\n"
            + "Exit codes: 0 attached (or listed), 1 bad usage, 2 no such process, 3 permission denied (the JVM\n"
            + "runs as another user: run the CLI as that user), 4 the JVM already runs the agent, 5 the JVM is\n"
            + "too old (Java 8 or later is needed), 6 attaching failed, 7 no JVM matched.\n";
    }

    int run(String[] args) {
        JvmSelection selection = new JvmSelection();
        Map<String, String> config = new LinkedHashMap<String, String>();
        Map<String, String> fromFile = new LinkedHashMap<String, String>();
        boolean continuous = false;
        boolean list = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    out.print(usage());
                    return OK;
                } else if (arg.equals("--list")) {
                    list = true;
                } else if (arg.equals("--pid")) {
                    selection.pid(value(args, ++i, arg));
                } else if (arg.equals("--include-main")) {
                    selection.include(value(args, ++i, arg));
                } else if (arg.equals("--exclude-main")) {
                    selection.exclude(value(args, ++i, arg));
                } else if (arg.equals("--include-all")) {
                    selection.all();
                } else if (arg.equals("--continuous")) {
                    continuous = true;
                } else if (arg.equals("--config")) {
                    String entry = value(args, ++i, arg);
                    int eq = entry.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--config expects key=value, got '" + entry + "'");
                    }
                    config.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
                } else if (arg.equals("--config-file")) {
                    fromFile.putAll(readProperties(value(args, ++i, arg)));
                } else {
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (continuous && !selection.byPattern()) {
                throw new IllegalArgumentException("--continuous needs --include-main or --include-all");
            }
            fromFile.putAll(config);
            AgentArguments.encode(ACTIVATION_METHOD, fromFile);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help for the options.");
            return USAGE;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        if (list || selection.isEmpty()) {
            return list();
        }
        return continuous ? watch(selection, fromFile) : attachOnce(selection, fromFile);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static Map<String, String> readProperties(String path) throws IOException {
        Properties properties = new Properties();
        FileInputStream in;
        try {
            in = new FileInputStream(path);
        } catch (IOException e) {
            throw new IOException("cannot read the configuration file " + path + ": " + e.getMessage());
        }
        try {
            properties.load(in);
        } finally {
            in.close();
        }
        Map<String, String> map = new LinkedHashMap<String, String>();
        for (String key : properties.stringPropertyNames()) {
            map.put(key, properties.getProperty(key));
        }
        return map;
    }

    private int list() {
        List<JvmDescriptor> all;
        try {
            all = jvms.list();
        } catch (Jvms.AttachUnavailableException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
        out.println(String.format("%-8s %-12s %s", "PID", "USER", "MAIN"));
        String own = ApmAttacher.currentPid();
        for (JvmDescriptor jvm : all) {
            if (!jvm.pid.equals(own)) {
                out.println(jvm);
            }
        }
        return OK;
    }

    private int attachOnce(JvmSelection selection, Map<String, String> config) {
        List<JvmDescriptor> all;
        try {
            all = jvms.list();
        } catch (Jvms.AttachUnavailableException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
        String own = ApmAttacher.currentPid();
        int result = OK;
        int attached = 0;
        for (String pid : selection.pids()) {
            if (find(all, pid) == null) {
                err.println("error: no JVM with pid " + pid + " on this machine (or not visible to user "
                    + System.getProperty("user.name") + ")");
                result = worst(result, NO_SUCH_PID);
            }
        }
        for (JvmDescriptor jvm : all) {
            if (!selection.matches(jvm, own)) {
                continue;
            }
            int outcome = attach(jvm, config);
            if (outcome == OK) {
                attached++;
            } else if (outcome != ALREADY_ATTACHED || selection.pids().contains(jvm.pid)) {
                result = worst(result, outcome);
            }
        }
        if (attached == 0 && result == OK) {
            err.println("No JVM matched the selection.");
            return NOTHING_MATCHED;
        }
        return result;
    }

    private int watch(JvmSelection selection, Map<String, String> config) {
        out.println("Watching for JVMs to attach to; stop with Ctrl-C.");
        Set<String> seen = new HashSet<String>();
        String own = ApmAttacher.currentPid();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (JvmDescriptor jvm : jvms.list()) {
                    if (seen.add(jvm.pid) && selection.matches(jvm, own)) {
                        attach(jvm, config);
                    }
                }
            } catch (Jvms.AttachUnavailableException e) {
                err.println("error: " + e.getMessage());
                return FAILED;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return OK;
            }
        }
        return OK;
    }

    private int attach(JvmDescriptor jvm, Map<String, String> config) {
        String me = System.getProperty("user.name");
        if (!jvm.user.equals("?") && !jvm.user.equals(me)) {
            err.println("error: permission denied for pid " + jvm.pid + ": it runs as user " + jvm.user
                + ", this CLI as " + me + "; run it as that user (e.g. sudo -u " + jvm.user + " java -jar "
                + "apm-agent-attach-cli.jar --pid " + jvm.pid + ")");
            return PERMISSION_DENIED;
        }
        try {
            Properties target = jvms.systemProperties(jvm.pid);
            if (AgentPresence.in(target)) {
                err.println("pid " + jvm.pid + " already runs the agent ("
                    + target.getProperty(AgentPresence.PROPERTY) + "); not attached again");
                return ALREADY_ATTACHED;
            }
            String version = target.getProperty("java.specification.version", "");
            if (version.startsWith("1.") && !version.equals("1.8")) {
                err.println("error: pid " + jvm.pid + " runs Java " + version + "; the agent needs Java 8 or later");
                return TOO_OLD;
            }
            File agent = EmbeddedAgent.extract();
            jvms.loadAgent(jvm.pid, agent.getAbsolutePath(), AgentArguments.encode(ACTIVATION_METHOD, config));
            out.println("Attached the agent to pid " + jvm.pid + " (" + jvm.main() + ")");
            return OK;
        } catch (Exception e) {
            err.println("error: attaching to pid " + jvm.pid + " failed: " + e);
            return FAILED;
        }
    }

    private static JvmDescriptor find(List<JvmDescriptor> all, String pid) {
        for (JvmDescriptor jvm : all) {
            if (jvm.pid.equals(pid)) {
                return jvm;
            }
        }
        return null;
    }

    private static int worst(int a, int b) {
        return a == OK ? b : a;
    }
}
