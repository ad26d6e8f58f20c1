package dev.nimbleapm.agent.plugin.api;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.invoke.MethodHandle;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.Span;

/**
 * Instrumentations of {@code co.elastic.apm.api.AbstractSpanImpl}, the base of the API's transaction and span
 * wrappers: every method that both share.
 */
public final class SpanApi {

    private SpanApi() {
    }

    /** {@code startSpan()}, {@code startSpan(type, subtype, action)}, {@code createSpan()}. */
    public static final class CreateSpan extends ApiInstrumentation {
        public CreateSpan() {
            super("AbstractSpanImpl", "doCreateSpan");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object parent,
                                      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object span) {
                span = ApiBridge.createSpan(parent, false);
            }
        }
    }

    /** {@code startExitSpan(type, subtype, action)}. */
    public static final class CreateExitSpan extends ApiInstrumentation {
        public CreateExitSpan() {
            super("AbstractSpanImpl", "doCreateExitSpan");
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object parent,
                                      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object span) {
                span = ApiBridge.createSpan(parent, true);
            }
        }
    }

    /** {@code setName(String)}. */
    public static final class SetName extends ApiInstrumentation {
        public SetName() {
            super("AbstractSpanImpl", "doSetName");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) String name) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.setName(name);
                }
            }
        }
    }

    /** {@code setType(String)}. */
    public static final class SetType extends ApiInstrumentation {
        public SetType() {
            super("AbstractSpanImpl", "doSetType");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) String type) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.setType(type);
                }
            }
        }
    }

    /** The type, subtype and action given to {@code startSpan(type, subtype, action)}. */
    public static final class SetTypes extends ApiInstrumentation {
        public SetTypes() {
            super("AbstractSpanImpl", "doSetTypes");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.Argument(0) Object span, @Advice.Argument(1) String type,
                                       @Advice.Argument(2) String subtype, @Advice.Argument(3) String action) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.setTypes(type, subtype, action);
                }
            }
        }
    }

    /** {@code setLabel}/{@code addLabel}/{@code addTag} with string, number and boolean values. */
    public static final class SetLabel extends ApiInstrumentation {
        public SetLabel() {
            super("AbstractSpanImpl", named("doAddTag").or(named("doAddStringLabel")).or(named("doAddNumberLabel"))
                .or(named("doAddBooleanLabel")));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) String key,
                                       @Advice.Argument(value = 1, typing = Assigner.Typing.DYNAMIC) Object value) {
                ApiBridge.setLabel(span, key, value);
            }
        }
    }

    /** {@code setStartTimestamp(long epochMicros)}. */
    public static final class SetStartTimestamp extends ApiInstrumentation {
        public SetStartTimestamp() {
            super("AbstractSpanImpl", "doSetStartTimestamp");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) long epochMicros) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.setStartTimestamp(epochMicros);
                }
            }
        }
    }

    /** {@code setOutcome(Outcome)}. */
    public static final class SetOutcome extends ApiInstrumentation {
        public SetOutcome() {
            super("AbstractSpanImpl", "doSetOutcome");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span,
                                       @Advice.Argument(value = 0, typing = Assigner.Typing.DYNAMIC) Object outcome) {
                ApiBridge.setOutcome(span, outcome);
            }
        }
    }

    /** {@code end()} and {@code end(long epochMicros)}. */
    public static final class End extends ApiInstrumentation {
        public End() {
            super("AbstractSpanImpl", named("end").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.end();
                }
            }
        }
    }

    /** {@code end(long epochMicros)}. */
    public static final class EndWithTimestamp extends ApiInstrumentation {
        public EndWithTimestamp() {
            super("AbstractSpanImpl", named("end").and(takesArguments(long.class)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) long epochMicros) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.end(epochMicros);
                }
            }
        }
    }

    /** {@code captureException(Throwable)}: returns the error's id. */
    public static final class CaptureException extends ApiInstrumentation {
        public CaptureException() {
            super("AbstractSpanImpl", named("captureException").and(takesArguments(Throwable.class)));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object span, @Advice.Argument(0) Throwable t,
                                      @Advice.Return(readOnly = false) String errorId) {
                errorId = ApiBridge.captureException(t, span);
            }
        }
    }

    /** {@code getId()}. */
    public static final class GetId extends ApiInstrumentation {
        public GetId() {
            super("AbstractSpanImpl", named("getId").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object span,
                                      @Advice.Return(readOnly = false) String id) {
                id = ApiBridge.id(span);
            }
        }
    }

    /** {@code getTraceId()}. */
    public static final class GetTraceId extends ApiInstrumentation {
        public GetTraceId() {
            super("AbstractSpanImpl", named("getTraceId").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object span,
                                      @Advice.Return(readOnly = false) String traceId) {
                traceId = ApiBridge.traceId(span);
            }
        }
    }

    /** {@code isSampled()}. */
    public static final class IsSampled extends ApiInstrumentation {
        public IsSampled() {
            super("AbstractSpanImpl", named("isSampled").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object span,
                                      @Advice.Return(readOnly = false) boolean sampled) {
                AbstractSpan target = ApiHandle.current(span);
                sampled = target != null && target.isSampled();
            }
        }
    }

    /** {@code activate()}: the returned Scope deactivates on close (see {@link ScopeApi}). */
    public static final class Activate extends ApiInstrumentation {
        public Activate() {
            super("AbstractSpanImpl", named("activate").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span) {
                AbstractSpan target = ApiHandle.live(span);
                if (target != null) {
                    target.activate();
                }
            }
        }
    }

    /** {@code injectTraceHeaders(HeaderInjector)}: W3C traceparent and tracestate. */
    public static final class InjectTraceHeaders extends ApiInstrumentation {
        public InjectTraceHeaders() {
            super("AbstractSpanImpl", "doInjectTraceHeaders");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span,
                                       @Advice.Argument(0) MethodHandle addHeader,
                                       @Advice.Argument(1) Object injector) throws Throwable {
                ApiBridge.injectTraceHeaders(span, addHeader, injector);
            }
        }
    }

    /** {@code setDestinationAddress(address, port)} on exit spans. */
    public static final class SetDestinationAddress extends ApiInstrumentation {
        public SetDestinationAddress() {
            super("AbstractSpanImpl", "doSetDestinationAddress");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) String address,
                                       @Advice.Argument(1) int port) {
                Span target = ApiHandle.liveSpan(span);
                if (target != null) {
                    target.destination().withAddress(address, port);
                }
            }
        }
    }

    /** {@code setServiceTarget(type, name)} on exit spans. */
    public static final class SetServiceTarget extends ApiInstrumentation {
        public SetServiceTarget() {
            super("AbstractSpanImpl", "doSetServiceTarget");
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object span, @Advice.Argument(0) String type,
                                       @Advice.Argument(1) String name) {
                Span target = ApiHandle.liveSpan(span);
                if (target != null) {
                    target.destination().withTarget(type, name);
                }
            }
        }
    }
}
