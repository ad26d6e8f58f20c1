package dev.nimbleapm.agent.plugin.api;

import java.lang.invoke.MethodHandle;

import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.Outcome;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.IdHex;
import dev.nimbleapm.agent.core.tracer.TraceParent;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * What the public API's advice does, kept out of the advice so that the inlined code is a single call. Lives on the
 * bootstrap class path; never refers to API types (they are in the application's class loader), only to
 * {@code Object} and JDK types.
 */
public final class ApiBridge {

    private ApiBridge() {
    }

    public static Object startTransaction() {
        Tracer tracer = Tracer.get();
        return tracer == null ? null : ApiHandle.wrap(tracer.startRootTransaction());
    }

    public static Object startTransactionWithRemoteParent(MethodHandle getFirstHeader, Object headerExtractor,
                                                          MethodHandle getAllHeaders, Object headersExtractor)
        throws Throwable {
        Tracer tracer = Tracer.get();
        if (tracer == null) {
            return null;
        }
        String traceparent = null;
        String tracestate = null;
        if (headerExtractor != null) {
            traceparent = (String) getFirstHeader.invoke(headerExtractor, TraceParent.HEADER);
            if (traceparent == null) {
                traceparent = (String) getFirstHeader.invoke(headerExtractor, TraceParent.LEGACY_HEADER);
            }
            tracestate = (String) getFirstHeader.invoke(headerExtractor, TraceParent.TRACESTATE_HEADER);
        } else if (headersExtractor != null) {
            traceparent = first((Iterable<?>) getAllHeaders.invoke(headersExtractor, TraceParent.HEADER));
            if (traceparent == null) {
                traceparent = first((Iterable<?>) getAllHeaders.invoke(headersExtractor, TraceParent.LEGACY_HEADER));
            }
            tracestate = first((Iterable<?>) getAllHeaders.invoke(headersExtractor, TraceParent.TRACESTATE_HEADER));
        }
        return ApiHandle.wrap(tracer.startChildTransaction(traceparent, tracestate));
    }

    private static String first(Iterable<?> values) {
        if (values == null) {
            return null;
        }
        for (Object value : values) {
            if (value != null) {
                return value.toString();
            }
        }
        return null;
    }

    public static Object currentTransaction() {
        Tracer tracer = Tracer.get();
        return tracer == null ? null : ApiHandle.wrap(tracer.currentTransaction());
    }

    public static Object currentSpan() {
        Tracer tracer = Tracer.get();
        return tracer == null ? null : ApiHandle.wrap(tracer.getActive());
    }

    public static Object createSpan(Object parent, boolean exit) {
        AbstractSpan p = ApiHandle.live(parent);
        if (p == null) {
            return null;
        }
        Span span = p.tracer().startSpan(p);
        if (span != null && exit) {
            span.asExit();
        }
        return ApiHandle.wrap(span);
    }

    public static String captureException(Throwable t, Object parent) {
        Tracer tracer = Tracer.get();
        if (tracer == null || t == null) {
            return "";
        }
        AbstractSpan p = parent != null ? ApiHandle.current(parent) : tracer.getActive();
        dev.nimbleapm.agent.core.model.ErrorCapture error = tracer.captureException(t, p);
        if (error == null) {
            return "";
        }
        String id = IdHex.toHex(error.idHigh(), error.idLow());
        tracer.report(error);
        return id;
    }

    public static void setOutcome(Object span, Object outcome) {
        AbstractSpan target = ApiHandle.live(span);
        if (target != null && outcome instanceof Enum) {
            String name = ((Enum<?>) outcome).name();
            target.setOutcome(name.equals("SUCCESS") ? Outcome.SUCCESS
                : name.equals("FAILURE") ? Outcome.FAILURE : Outcome.UNKNOWN);
        }
    }

    public static void setLabel(Object span, String key, Object value) {
        AbstractSpan target = ApiHandle.live(span);
        if (target != null && key != null && value != null) {
            target.labels().put(key, value);
        }
    }

    public static String id(Object span) {
        AbstractSpan s = ApiHandle.current(span);
        return s == null ? "" : IdHex.toHex(s.id());
    }

    public static String traceId(Object span) {
        AbstractSpan s = ApiHandle.current(span);
        return s == null ? "" : IdHex.toHex(s.traceIdHigh(), s.traceIdLow());
    }

    public static void injectTraceHeaders(Object span, MethodHandle addHeader, Object injector) throws Throwable {
        AbstractSpan s = ApiHandle.current(span);
        if (s == null || injector == null) {
            return;
        }
        addHeader.invoke(injector, TraceParent.HEADER,
            TraceParent.format(s.traceIdHigh(), s.traceIdLow(), s.id(), s.isSampled()));
        double rate = s.sampleRate();
        if (!Double.isNaN(rate)) {
            addHeader.invoke(injector, TraceParent.TRACESTATE_HEADER, "es=s:" + rate);
        }
    }

    public static String ensureParentId(Object transaction) {
        Transaction t = ApiHandle.liveTransaction(transaction);
        return t == null ? "" : IdHex.toHex(t.ensureParentId());
    }
}
