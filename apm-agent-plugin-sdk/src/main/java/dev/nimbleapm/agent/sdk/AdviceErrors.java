package dev.nimbleapm.agent.sdk;

import java.util.concurrent.atomic.AtomicLong;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Where exceptions thrown inside inlined advice end up: counted and logged once per exception type. The installer
 * wires every advice's suppression handler to {@link #onAdviceError(Throwable)}, so a plugin bug costs a log line,
 * never the application's call.
 */
public final class AdviceErrors {

    private static final AgentLogger logger = AgentLogger.getLogger(AdviceErrors.class);
    private static final AtomicLong COUNT = new AtomicLong();

    private AdviceErrors() {
    }

    public static void onAdviceError(Throwable t) {
        try {
            COUNT.incrementAndGet();
            logger.warnOnce("advice:" + t.getClass().getName(), "An exception in agent advice was suppressed (the "
                + "application's call is unaffected): {}", t);
        } catch (Throwable ignored) {
            // never propagate
        }
    }

    public static long count() {
        return COUNT.get();
    }
}
