package dev.nimbleapm.agent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger checks = new AtomicInteger();
        Await.until("third check", () -> checks.incrementAndGet() >= 3, Duration.ofSeconds(10));
        assertThat(checks).hasValue(3);
    }

    @Test
    void failsWithWhatWasAwaitedAndTheStateAtTheDeadline() {
        assertThatThrownBy(() -> Await.until("never", () -> false, Duration.ofMillis(50), () -> "state=42"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("never").hasMessageContaining("state=42");
    }
}
