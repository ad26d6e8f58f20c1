package dev.nimbleapm.agent.plugin.api;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.invoke.MethodHandle;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Instrumentations of the static entry points of {@code co.elastic.apm.api.ElasticApm}. */
public final class ElasticApmApi {

    private ElasticApmApi() {
    }

    /** {@code ElasticApm.startTransaction()}. */
    public static final class StartTransaction extends ApiInstrumentation {
        public StartTransaction() {
            super("ElasticApm", "doStartTransaction");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(
                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object transaction) {
                transaction = ApiBridge.startTransaction();
            }
        }
    }

    /** {@code ElasticApm.startTransactionWithRemoteParent(...)}: continues the trace of incoming headers. */
    public static final class StartTransactionWithRemoteParent extends ApiInstrumentation {
        public StartTransactionWithRemoteParent() {
            super("ElasticApm", "doStartTransactionWithRemoteParentFunction");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.Argument(0) MethodHandle getFirstHeader,
                                      @Advice.Argument(1) Object headerExtractor,
                                      @Advice.Argument(2) MethodHandle getAllHeaders,
                                      @Advice.Argument(3) Object headersExtractor,
                                      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC)
                                      Object transaction) throws Throwable {
                transaction = ApiBridge.startTransactionWithRemoteParent(getFirstHeader, headerExtractor,
                    getAllHeaders, headersExtractor);
            }
        }
    }

    /** {@code ElasticApm.currentTransaction()}. */
    public static final class CurrentTransaction extends ApiInstrumentation {
        public CurrentTransaction() {
            super("ElasticApm", "doGetCurrentTransaction");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(
                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object transaction) {
                transaction = ApiBridge.currentTransaction();
            }
        }
    }

    /** {@code ElasticApm.currentSpan()}: the innermost active span or transaction. */
    public static final class CurrentSpan extends ApiInstrumentation {
        public CurrentSpan() {
            super("ElasticApm", "doGetCurrentSpan");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object span) {
                span = ApiBridge.currentSpan();
            }
        }
    }

    /** {@code ElasticApm.captureException(Throwable)}: an error linked to whatever is active. */
    public static final class CaptureException extends ApiInstrumentation {
        public CaptureException() {
            super("ElasticApm", named("captureException").and(takesArguments(Throwable.class)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.Argument(0) Throwable t) {
                ApiBridge.captureException(t, null);
            }
        }
    }
}
