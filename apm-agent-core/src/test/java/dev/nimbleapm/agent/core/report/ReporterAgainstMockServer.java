package dev.nimbleapm.agent.core.report;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.testkit.MockApmServer;

/** A fresh intake server and reporter harness (agent log at INFO, captured) for each test; both closed after it. */
abstract class ReporterAgainstMockServer {

    protected MockApmServer apm;
    protected ReporterHarness harness;

    @BeforeEach
    final void startServerAndHarness() {
        apm = MockApmServer.start();
        harness = new ReporterHarness(LogLevel.INFO);
    }

    @AfterEach
    final void closeHarnessAndServer() {
        try {
            harness.close();
        } finally {
            apm.close();
        }
    }
}
