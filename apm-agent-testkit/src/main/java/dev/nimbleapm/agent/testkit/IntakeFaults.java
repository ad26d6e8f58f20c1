package dev.nimbleapm.agent.testkit;

import java.time.Duration;

/**
 * The faults {@link MockApmServer} injects into intake requests, as one immutable value.
 *
 * <p>Exists so that each request takes one consistent snapshot of the settings when its head has been read, however
 * the test changes them meanwhile.
 */
record IntakeFaults(boolean stallAfterHeaders, boolean dropMidRequest, int status, String body, Duration delay) {

    static final IntakeFaults HEALTHY = new IntakeFaults(false, false, 202, "", Duration.ZERO);

    IntakeFaults withStall(boolean on) {
        return new IntakeFaults(on, dropMidRequest, status, body, delay);
    }

    IntakeFaults withDrop(boolean on) {
        return new IntakeFaults(stallAfterHeaders, on, status, body, delay);
    }

    IntakeFaults withResponse(int newStatus, String newBody) {
        return new IntakeFaults(stallAfterHeaders, dropMidRequest, newStatus, newBody, delay);
    }

    IntakeFaults withDelay(Duration newDelay) {
        return new IntakeFaults(stallAfterHeaders, dropMidRequest, status, body, newDelay);
    }

    /** Whether the events of a request answered with this status count as accepted. */
    boolean accepts() {
        return status >= 200 && status < 300;
    }
}
