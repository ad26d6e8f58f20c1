package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Everything {@link MockApmServer} has recorded, behind one lock, plus the deadline-bound waits on it.
 *
 * <p>Exists to keep the recording and the waiting consistent: every change is made under the lock and signals the
 * condition the waiters sleep on, so a test wakes as soon as what it waits for has arrived, and never sleeps for a
 * fixed time.
 */
final class ReceivedEvents {

    /** Longest single wait between two checks, in case a condition depends on something that does not signal. */
    private static final long MAX_WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, List<JsonNode>> accepted = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<IntakeRequest> requests = new ArrayList<>();
    private int rejectedEvents;
    private long lastLineNanos = System.nanoTime();
    private long changes; // incremented on every change: lets waiters test conditions without holding the lock

    ReceivedEvents() {
        for (String type : IntakeSchemaValidator.EVENT_TYPES) {
            accepted.put(type, new ArrayList<>());
        }
    }

    /** Records one event (or metadata) line; {@code accepted == false} only counts it. */
    void event(String type, JsonNode inner, boolean isAccepted) {
        lock.lock();
        try {
            if (isAccepted) {
                accepted.get(type).add(inner);
            } else if (!"metadata".equals(type)) {
                rejectedEvents++;
            }
            lastLineNanos = System.nanoTime();
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Notes that a line arrived, whatever became of it. */
    void lineArrived() {
        lock.lock();
        try {
            lastLineNanos = System.nanoTime();
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void violation(String violation) {
        lock.lock();
        try {
            violations.add(violation);
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void request(IntakeRequest request) {
        lock.lock();
        try {
            requests.add(request);
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            accepted.values().forEach(List::clear);
            violations.clear();
            requests.clear();
            rejectedEvents = 0;
            lastLineNanos = System.nanoTime();
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<JsonNode> events(String type) {
        lock.lock();
        try {
            return List.copyOf(accepted.get(type));
        } finally {
            lock.unlock();
        }
    }

    List<String> violations() {
        lock.lock();
        try {
            return List.copyOf(violations);
        } finally {
            lock.unlock();
        }
    }

    List<IntakeRequest> requests() {
        lock.lock();
        try {
            return List.copyOf(requests);
        } finally {
            lock.unlock();
        }
    }

    int rejectedEvents() {
        lock.lock();
        try {
            return rejectedEvents;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code condition} holds, checking it after every change. The condition is evaluated without holding
     * the lock, so it may call anything, including the server it is about.
     *
     * @throws AssertionError with {@code describe}'s text when the timeout passes first
     */
    void await(BooleanSupplier condition, Duration timeout, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = changeCount();
            if (condition.getAsBoolean()) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("condition not met within " + timeout + "\n" + describe.get());
            }
            lock.lock();
            try {
                if (changes == seen) {
                    changed.awaitNanos(Math.min(left, MAX_WAIT_SLICE_NANOS));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            } finally {
                lock.unlock();
            }
        }
    }

    private long changeCount() {
        lock.lock();
        try {
            return changes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no line has arrived for {@code quietFor}.
     *
     * @throws AssertionError with {@code describe}'s text when lines keep arriving until the timeout
     */
    void awaitQuiet(Duration quietFor, Duration timeout, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long quietNanos = quietFor.toNanos();
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                long quietAt = lastLineNanos + quietNanos;
                if (now - quietAt >= 0) {
                    return;
                }
                if (now - deadline >= 0) {
                    throw new AssertionError("events kept arriving: no quiet period of " + quietFor + " within "
                            + timeout + "\n" + describe.get());
                }
                changed.awaitNanos(Math.min(quietAt - now, deadline - now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        } finally {
            lock.unlock();
        }
    }
}
