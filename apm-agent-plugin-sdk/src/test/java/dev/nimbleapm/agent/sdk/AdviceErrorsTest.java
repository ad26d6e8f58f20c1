package dev.nimbleapm.agent.sdk;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.example.advicetest.Calculator;
import com.example.advicetest.ThrowingAdvice;

import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.logging.LogLevel;

/**
 * An unexpected exception inside advice, installed the way the agent installs every plugin: the instrumented method
 * completes normally with its result unchanged (or throws exactly its own exception), the exception is counted in
 * {@link AdviceErrors} and logged once per exception type, however often it happens.
 */
class AdviceErrorsTest {

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private Instrumentation instrumentation;
    private ResettableClassFileTransformer transformer;

    /** Instruments {@link Calculator}'s methods with {@link ThrowingAdvice}. */
    static final class ThrowingInstrumentation extends ElasticApmInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named("com.example.advicetest.Calculator");
        }

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return ElementMatchers.isMethod().and(named("add").or(named("greet")).or(named("fail")));
        }

        @Override
        public Collection<String> getInstrumentationGroupNames() {
            return List.of("advice-errors-test");
        }

        @Override
        public String getAdviceClassName() {
            return "com.example.advicetest.ThrowingAdvice";
        }
    }

    @BeforeEach
    void install() {
        originalErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        AgentLogger.configure(LogLevel.DEBUG, "System.err");
        AgentLogger.resetOnceKeys();
        instrumentation = ByteBuddyAgent.install();
        transformer = AgentInstaller.install(instrumentation,
            List.of(new InstrumentationDiscovery.Found(new ThrowingInstrumentation(), null)),
            ClassFileLocator.ForClassLoader.of(AdviceErrorsTest.class.getClassLoader()));
    }

    @AfterEach
    void uninstall() {
        try {
            if (transformer != null) {
                transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
            }
        } finally {
            System.setErr(originalErr);
            AgentLogger.configure(LogLevel.INFO, "System.err");
        }
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theInstrumentedMethodCompletesNormallyWithItsResultAndTheErrorIsCountedAndLoggedOnce() {
        assertThat(transformer).isNotNull();
        long before = AdviceErrors.count();
        Calculator calculator = new Calculator();

        for (int i = 0; i < 3; i++) {
            assertThat(calculator.add(2, i)).isEqualTo(2 + i);
        }
        assertThat(calculator.greet("world")).isEqualTo("hello world");
        Calculator.CalculatorException own = new Calculator.CalculatorException("placeholder");
        assertThatThrownBy(() -> calculator.fail("the application's own failure"))
            .isExactlyInstanceOf(own.getClass()).hasMessage("the application's own failure").hasNoCause();
        assertThat(calculator.calls()).isEqualTo(5);

        assertThat(log()).as("the advice was applied").contains("Instrumented com.example.advicetest.Calculator");
        // enter and exit advice of every one of the five calls threw
        assertThat(AdviceErrors.count() - before).isEqualTo(10);
        List<String> warnings = log().lines().filter(l -> l.contains("[nimble-apm] WARN")).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("IllegalStateException")
            .contains("bug in enter advice"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("UnsupportedOperationException")
            .contains("bug in exit advice"));
        assertThat(ThrowingAdvice.class.getName()).isEqualTo(new ThrowingInstrumentation().getAdviceClassName());
    }
}
