package dev.nimbleapm.agent.core.report;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The official agents' grace period after failed intake requests: 0, 1, 4, 9, 16, 25, 36 seconds (the square of
 * the number of consecutive failures so far, capped at 6), each with up to ±10% jitter so that many agents do not
 * retry in lock step.
 */
public final class Backoff {

    private int consecutiveFailures;

    /** Records a failure and returns how long to wait before the next attempt, in milliseconds. */
    public long onFailure() {
        long base = delaySeconds(consecutiveFailures) * 1000L;
        consecutiveFailures++;
        if (base == 0) {
            return 0;
        }
        long jitter = (long) (base * 0.1);
        return base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
    }

    public void onSuccess() {
        consecutiveFailures = 0;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    static long delaySeconds(int previousFailures) {
        long n = Math.min(previousFailures, 6);
        return n * n;
    }
}
