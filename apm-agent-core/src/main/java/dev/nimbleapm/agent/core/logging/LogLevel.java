package dev.nimbleapm.agent.core.logging;

import java.util.Locale;

/** Severity of an agent log line; the configured level is the lowest one written. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    /**
     * Parses a level name the way the official agent accepts it (case-insensitive, WARNING and CRITICAL as
     * aliases). Returns {@code null} for anything else so the caller can warn and fall back.
     */
    public static LogLevel parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.equals("WARNING")) {
            return WARN;
        }
        if (v.equals("CRITICAL")) {
            return ERROR;
        }
        for (LogLevel level : values()) {
            if (level.name().equals(v)) {
                return level;
            }
        }
        return null;
    }
}
