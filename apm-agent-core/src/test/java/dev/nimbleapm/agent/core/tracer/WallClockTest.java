package dev.nimbleapm.agent.core.tracer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class WallClockTest {

    private static long instantMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Test
    void agreesWithTheSystemClock() {
        long before = instantMicros();
        long clock = WallClock.epochMicros(System.nanoTime());
        long after = instantMicros();
        // a calibration is at most a second old; nanoTime and the wall clock drift far less than 5 ms in that time
        assertThat(clock).isBetween(before - 5_000, after + 5_000);
    }

    @Test
    void measuresElapsedTimeWithNanoTime() {
        long nanos = System.nanoTime();
        long first = WallClock.epochMicros(nanos);
        assertThat(WallClock.epochMicros(nanos + 250_000)).isEqualTo(first + 250);
        assertThat(WallClock.epochMicros(nanos + 999_000)).isEqualTo(first + 999);
    }

    @Test
    void readsTheWallClockAgainWhenTheCalibrationIsOld() {
        long nanos = System.nanoTime() + 3 * WallClock.RECALIBRATE_NANOS;
        long future = WallClock.epochMicros(nanos);
        long expected = instantMicros() + 3_000_000L;
        assertThat(future).isBetween(expected - 1_000_000L, expected + 5_000);
        // and an instant before the (new) calibration is still on the same clock
        long past = WallClock.epochMicros(System.nanoTime() - 2 * WallClock.RECALIBRATE_NANOS);
        assertThat(past).isBetween(instantMicros() - 2_000_000L - 5_000, instantMicros() - 2_000_000L + 5_000);
    }

    @Test
    void allocatesNothingOncePastTheCalibration() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += WallClock.epochMicros(System.nanoTime());
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            sink += WallClock.epochMicros(System.nanoTime());
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(sink).isNotZero();
        // at most a recalibration or two (one small object per second), never one per call
        assertThat(allocated).isLessThan(1_000);
    }
}
