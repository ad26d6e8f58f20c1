package dev.nimbleapm.agent.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that nothing signals (a thread ending, a reference being cleared, a counter growing), with a
 * deadline.
 *
 * <p>Exists so that tests never sleep for a fixed time: the condition is re-checked every few milliseconds and the
 * wait ends as soon as it holds; when the deadline passes first, the test fails with a description of what was
 * awaited and of the state at that moment. For what {@link MockApmServer} or {@link RunningJvm} record, prefer their
 * own waits, which wake on every change.
 */
public final class Await {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await() {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} when {@code timeout} passes first
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        until(what, condition, timeout, () -> "");
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param state describes the current state for the failure message
     * @throws AssertionError naming {@code what} and {@code state} when {@code timeout} passes first
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String now = state.get();
                throw new AssertionError("not within " + timeout + ": " + what + (now.isEmpty() ? "" : "\n" + now));
            }
            LockSupport.parkNanos(Math.min(left, SLICE_NANOS));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what);
            }
        }
    }
}
