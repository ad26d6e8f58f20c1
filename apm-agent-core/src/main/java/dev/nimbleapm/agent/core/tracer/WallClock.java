package dev.nimbleapm.agent.core.tracer;

/**
 * The wall clock in epoch microseconds, read without allocating: {@code Instant.now()} returns a new object, and the
 * JIT does not always remove it (it is several calls deep under the public API's {@code startTransaction}). The
 * wall clock is read once per second at most, and in between the time is that reading plus the
 * {@link System#nanoTime()} elapsed since, which the caller has read anyway. A step of the system clock (NTP) shows
 * within a second.
 */
final class WallClock {

    /** How long a calibration is used before the wall clock is read again. */
    static final long RECALIBRATE_NANOS = 1_000_000_000L;

    private static volatile Calibration calibration = Calibration.now();

    private WallClock() {
    }

    /** Epoch microseconds at {@code nanoTime}, a value of {@link System#nanoTime()} read just now. */
    static long epochMicros(long nanoTime) {
        Calibration c = calibration;
        long elapsed = nanoTime - c.nanoTime;
        if (elapsed < 0 || elapsed >= RECALIBRATE_NANOS) {
            c = Calibration.now();
            calibration = c;
            elapsed = nanoTime - c.nanoTime;
        }
        return c.epochMicros + elapsed / 1000L;
    }

    /** One reading of both clocks; immutable, so a reader never sees half of a new one. */
    private static final class Calibration {
        final long epochMicros;
        final long nanoTime;

        private Calibration(long epochMicros, long nanoTime) {
            this.epochMicros = epochMicros;
            this.nanoTime = nanoTime;
        }

        static Calibration now() {
            // Java 9+ clocks have microsecond resolution; on Java 8 this is milliseconds
            java.time.Instant wall = java.time.Instant.now();
            return new Calibration(wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1000, System.nanoTime());
        }
    }
}
