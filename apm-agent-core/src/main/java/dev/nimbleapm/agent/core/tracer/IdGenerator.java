package dev.nimbleapm.agent.core.tracer;

import java.util.concurrent.ThreadLocalRandom;

/** Random non-zero 64-bit ids (W3C trace context forbids all-zero ids); no allocation, no contention. */
public final class IdGenerator {

    private IdGenerator() {
    }

    public static long nextId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }
}
