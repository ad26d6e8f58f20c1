package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsTheSquareOfPreviousFailuresCappedAtThirtySixSecondsWithTenPercentJitter() {
        Backoff backoff = new Backoff();
        long[] expectedSeconds = {0, 1, 4, 9, 16, 25, 36, 36, 36};
        for (long seconds : expectedSeconds) {
            long millis = backoff.onFailure();
            assertThat(millis).isBetween((long) (seconds * 900), (long) (seconds * 1100));
        }
    }

    @Test
    void successStartsOver() {
        Backoff backoff = new Backoff();
        backoff.onFailure();
        backoff.onFailure();
        backoff.onFailure();
        backoff.onSuccess();
        assertThat(backoff.onFailure()).isZero();
        assertThat(backoff.onFailure()).isBetween(900L, 1100L);
    }
}
