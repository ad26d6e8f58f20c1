package dev.nimbleapm.agent.plugin.api;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.asm.Advice;

import dev.nimbleapm.agent.core.model.AbstractSpan;

/** {@code co.elastic.apm.api.ScopeImpl.close()}: ends the activation that {@code activate()} began. */
public final class ScopeApi {

    private ScopeApi() {
    }

    public static final class Close extends ApiInstrumentation {
        public Close() {
            super("ScopeImpl", named("close").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span) {
                AbstractSpan target = ApiHandle.current(span);
                if (target != null) {
                    target.deactivate();
                }
            }
        }
    }
}
