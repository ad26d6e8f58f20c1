package dev.nimbleapm.agent.core.logging;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own logger. It exists because the agent must never log through the application's logging
 * framework (which may not be initialised yet, may be instrumented, or may be reconfigured by the application),
 * and must write to the application's console only when asked to.
 *
 * <p>One instance per class, obtained with {@link #getLogger(Class)}. Level and destination are global and set
 * once the configuration is known ({@link #configure(LogLevel, String)}); until then WARN and above go to
 * {@code System.err}, so configuration warnings are never lost. {@link #warnOnce} keeps repeated problems (a
 * failing server, a misbehaving plugin) to one line per kind.
 *
 * <p>Thread-safe. Writing formats a line (allocation) and takes a lock on the stream: never call it on a hot path
 * except behind {@link #isDebugEnabled()} or for genuinely exceptional situations.
 */
public final class AgentLogger {

    public static final String SYSTEM_OUT = "System.out";
    public static final String SYSTEM_ERR = "System.err";

    private static volatile LogLevel level = LogLevel.INFO;
    private static volatile PrintStream out = System.err;
    private static final ConcurrentHashMap<String, Boolean> ONCE_KEYS = new ConcurrentHashMap<String, Boolean>();
    private static final ConcurrentHashMap<String, AgentLogger> LOGGERS = new ConcurrentHashMap<String, AgentLogger>();
    private static final ThreadLocal<SimpleDateFormat> DATE_FORMAT = new ThreadLocal<SimpleDateFormat>() {
        @Override
        protected SimpleDateFormat initialValue() {
            SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS");
            format.setTimeZone(TimeZone.getTimeZone("UTC"));
            return format;
        }
    };

    private final String name;

    private AgentLogger(String name) {
        this.name = name;
    }

    public static AgentLogger getLogger(Class<?> type) {
        String simple = type.getSimpleName();
        AgentLogger logger = LOGGERS.get(simple);
        if (logger == null) {
            LOGGERS.putIfAbsent(simple, new AgentLogger(simple));
            logger = LOGGERS.get(simple);
        }
        return logger;
    }

    /**
     * Sets the level and destination: {@code System.err}, {@code System.out} or a file path (appended to). A file
     * that cannot be opened falls back to {@code System.err} with one warning.
     */
    public static synchronized void configure(LogLevel newLevel, String logFile) {
        level = newLevel == null ? LogLevel.INFO : newLevel;
        PrintStream previous = out;
        if (logFile == null || logFile.trim().isEmpty() || SYSTEM_ERR.equalsIgnoreCase(logFile.trim())) {
            out = System.err;
        } else if (SYSTEM_OUT.equalsIgnoreCase(logFile.trim())) {
            out = System.out;
        } else {
            try {
                OutputStream file = new FileOutputStream(logFile.trim(), true);
                out = new PrintStream(file, true, "UTF-8");
            } catch (IOException e) {
                out = System.err;
                getLogger(AgentLogger.class).warn("log_file '{}' cannot be written ({}), logging to System.err instead",
                    logFile, e.getMessage());
            }
        }
        if (previous != out && previous != System.err && previous != System.out) {
            previous.close();
        }
    }

    public static LogLevel level() {
        return level;
    }

    /** Test hook: forget which once-only messages were written. */
    public static void resetOnceKeys() {
        ONCE_KEYS.clear();
    }

    public boolean isDebugEnabled() {
        return level.compareTo(LogLevel.DEBUG) <= 0;
    }

    public boolean isTraceEnabled() {
        return level.compareTo(LogLevel.TRACE) <= 0;
    }

    public void trace(String message, Object... args) {
        log(LogLevel.TRACE, message, args);
    }

    public void debug(String message, Object... args) {
        log(LogLevel.DEBUG, message, args);
    }

    public void info(String message, Object... args) {
        log(LogLevel.INFO, message, args);
    }

    public void warn(String message, Object... args) {
        log(LogLevel.WARN, message, args);
    }

    public void error(String message, Object... args) {
        log(LogLevel.ERROR, message, args);
    }

    /**
     * Logs at most once per {@code key} for the life of the agent; further occurrences go to DEBUG. Use it for
     * anything that could otherwise repeat for every event.
     */
    public void warnOnce(String key, String message, Object... args) {
        if (ONCE_KEYS.putIfAbsent(key, Boolean.TRUE) == null) {
            log(LogLevel.WARN, message, args);
        } else {
            log(LogLevel.DEBUG, message, args);
        }
    }

    public boolean isEnabled(LogLevel candidate) {
        return candidate != LogLevel.OFF && level.compareTo(candidate) <= 0;
    }

    public void log(LogLevel lineLevel, String message, Object... args) {
        if (!isEnabled(lineLevel)) {
            return;
        }
        try {
            Throwable thrown = null;
            if (args != null && args.length > 0 && args[args.length - 1] instanceof Throwable) {
                thrown = (Throwable) args[args.length - 1];
            }
            StringBuilder line = new StringBuilder(128);
            line.append(DATE_FORMAT.get().format(new Date())).append(" [nimble-apm] ")
                .append(lineLevel.name()).append(' ').append(name).append(" - ");
            format(line, message, args);
            PrintStream target = out;
            synchronized (target) {
                target.println(line);
                if (thrown != null && isDebugEnabled()) {
                    thrown.printStackTrace(target);
                }
            }
        } catch (Throwable ignored) {
            // logging must never fail the caller
        }
    }

    /** SLF4J-style '{}' placeholders; a trailing Throwable without placeholder is appended as type: message. */
    static void format(StringBuilder line, String message, Object[] args) {
        int argIndex = 0;
        int i = 0;
        while (i < message.length()) {
            char c = message.charAt(i);
            if (c == '{' && i + 1 < message.length() && message.charAt(i + 1) == '}' && args != null
                && argIndex < args.length) {
                line.append(String.valueOf(args[argIndex++]));
                i += 2;
            } else {
                line.append(c);
                i++;
            }
        }
        if (args != null && argIndex < args.length && args[args.length - 1] instanceof Throwable) {
            Throwable t = (Throwable) args[args.length - 1];
            line.append(" (").append(t.getClass().getName()).append(": ").append(t.getMessage()).append(')');
        }
    }

}
