package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

import dev.nimbleapm.agent.core.config.WildcardMatcher;
import dev.nimbleapm.agent.core.io.IOUtils;
import dev.nimbleapm.agent.core.io.TextDecoder;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Outcome;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.core.util.WeakIdentityMap;

/**
 * Everything the Elasticsearch REST client advice does, for every client shape. Advice stays a handful of calls:
 * it hands over what only it can reach (request method and path, the entity, the {@code HttpEntity} interface of the
 * client's class loader, the response or exception) and this class records the span.
 *
 * <p>On the application's thread it records facts only - references, a status code, a bounded copy of the body
 * into a pooled buffer; the span name, URL and resource are derived on the reporter thread. It never throws: every
 * method is called from advice that suppresses exceptions anyway, but also catches its own.
 *
 * <p>Asynchronous requests end when the client's internal listener ({@code RestClient$FailureTrackingResponseListener})
 * completes - there is one per request in every client version - so the application's listener is never wrapped
 * and no argument is ever replaced. The request is tied to that listener through a weak identity map; while the
 * application's listener runs, the context the request was issued in is active again.
 */
public final class EsRequests {

    public static final String TYPE = "db";
    public static final String SUBTYPE = "elasticsearch";
    public static final String ACTION = "request";
    public static final String CLUSTER_HEADER_CLOUD = "x-found-handling-cluster";
    public static final String CLUSTER_HEADER = "Elastic-Cluster-Name";

    private static final AgentLogger logger = AgentLogger.getLogger(EsRequests.class);

    private static final ThreadLocal<AsyncRequest> PENDING = new ThreadLocal<AsyncRequest>();
    private static final WeakIdentityMap<Object, AsyncRequest> BY_INTERNAL_LISTENER =
        new WeakIdentityMap<Object, AsyncRequest>(new WeakIdentityMap.Listener<AsyncRequest>() {
            @Override
            public void onKeyCollected(AsyncRequest request) {
                // the client dropped the request without ever completing it
                if (request.tryEnd()) {
                    request.span.setOutcome(Outcome.UNKNOWN);
                    request.span.end();
                }
                request.releaseParent();
            }
        });
    private static volatile EsSpanNameFormatter formatter;

    private EsRequests() {
    }

    // ------------------------------------------------------------------ synchronous requests

    /**
     * Starts and activates the span of a synchronous request, or returns null when there is nothing to record (no
     * sampled transaction active, or already inside an Elasticsearch request: a client whose synchronous methods
     * go through its public asynchronous one still yields one span).
     */
    public static Span startSync(String method, String endpoint) {
        try {
            Span span = start(method, endpoint, true);
            if (span != null) {
                span.activate();
            }
            return span;
        } catch (Throwable t) {
            return failed("starting a span", t);
        }
    }

    /** Ends a synchronous request's span with its response or the exception the caller receives. */
    public static void endSync(Span span, Object response, Throwable thrown) {
        if (span == null) {
            return;
        }
        try {
            span.deactivate();
            finish(span, response, thrown);
        } catch (Throwable t) {
            failed("ending a span", t);
        }
    }

    // ------------------------------------------------------------------ asynchronous requests

    /**
     * Starts the span of an asynchronous request and remembers it on this thread until {@link #endAsyncCall}, so
     * that the client's internal listener created meanwhile can be tied to it. Returns the previous pending request
     * of this thread (normally null), to hand back to {@link #endAsyncCall}.
     */
    public static Object startAsync(String method, String endpoint, Object userListener) {
        AsyncRequest previous = PENDING.get();
        try {
            Span span = start(method, endpoint, false);
            PENDING.set(span == null ? null : new AsyncRequest(span, span.tracer().getActive(), userListener));
        } catch (Throwable t) {
            failed("starting a span", t);
        }
        return previous;
    }

    /** The span of the asynchronous request started on this thread and not yet returned, or null. */
    public static Span pendingSpan() {
        AsyncRequest pending = PENDING.get();
        return pending == null ? null : pending.span;
    }

    /** The client created its internal listener for the application's listener: tie it to the pending request. */
    public static void onInternalListenerCreated(Object internalListener, Object userListener) {
        try {
            AsyncRequest pending = PENDING.get();
            if (pending != null && pending.internalListener == null && pending.userListener == userListener) {
                pending.internalListener = internalListener;
                BY_INTERNAL_LISTENER.put(internalListener, pending);
            }
        } catch (Throwable t) {
            failed("tracking an asynchronous request", t);
        }
    }

    /**
     * The client's first attempt for {@code internalListener} returned (or threw) on the calling thread: the
     * request was handed to the I/O reactor, or failed before it could be.
     */
    public static void onFirstAttemptReturned(Object internalListener, Throwable thrown) {
        AsyncRequest pending = PENDING.get();
        if (pending != null && pending.internalListener == internalListener) {
            if (thrown == null) {
                pending.dispatched = true;
            } else {
                pending.dispatchFailure = thrown;
            }
        }
    }

    /**
     * The public asynchronous method returns. A request that never reached the I/O reactor (bad endpoint, closed
     * client, no node) has already been reported to the application's listener on this thread: end its span as
     * failed. Otherwise the internal listener ends it.
     */
    public static void endAsyncCall(Object previous, Throwable thrown) {
        AsyncRequest pending = PENDING.get();
        PENDING.set((AsyncRequest) previous);
        if (pending == null) {
            return;
        }
        try {
            if (thrown == null && pending.dispatched) {
                return;
            }
            if (pending.internalListener != null) {
                BY_INTERNAL_LISTENER.remove(pending.internalListener);
            }
            if (pending.tryEnd()) {
                Throwable failure = thrown != null ? thrown : pending.dispatchFailure;
                if (failure != null) {
                    finish(pending.span, null, failure);
                } else {
                    pending.span.setOutcome(Outcome.FAILURE);
                    pending.span.end();
                }
            }
            pending.releaseParent();
        } catch (Throwable t) {
            failed("ending a span", t);
        }
    }

    /**
     * The internal listener completes (response or definitive failure): end the span - once, even if the client
     * calls it again - and make the request's original context current while the application's listener runs.
     * Returns what to hand to {@link #afterInternalListener}.
     */
    public static Object onInternalListenerCompleted(Object internalListener, Object response, Throwable failure) {
        try {
            AsyncRequest request = BY_INTERNAL_LISTENER.remove(internalListener);
            if (request == null || !request.tryEnd()) {
                return null;
            }
            finish(request.span, response, failure);
            AbstractSpan parent = request.parent();
            if (parent != null) {
                parent.activate();
            }
            return request;
        } catch (Throwable t) {
            return failed("ending a span", t);
        }
    }

    /** The application's listener returned: restore the context of the client's thread. */
    public static void afterInternalListener(Object completed) {
        if (completed == null) {
            return;
        }
        try {
            AsyncRequest request = (AsyncRequest) completed;
            AbstractSpan parent = request.parent();
            if (parent != null) {
                parent.deactivate();
            }
            request.releaseParent();
        } catch (Throwable t) {
            failed("restoring the context", t);
        }
    }

    // ------------------------------------------------------------------ request body

    /**
     * Copies the request body into the span's statement when the endpoint is one whose body is worth recording
     * ({@code elasticsearch_capture_body_urls}) and reading it is harmless: only repeatable entities are read, a
     * bounded prefix, into a pooled buffer; gzip content is decompressed; anything that does not decode to text is
     * dropped.
     *
     * @param httpEntityType the {@code org.apache.http.HttpEntity} interface as the client's class loader sees it
     */
    public static void captureBody(Span span, Object entity, Class<?> httpEntityType) {
        if (span == null || entity == null) {
            return;
        }
        Tracer tracer = span.tracer();
        CharBuffer buffer = null;
        try {
            List<WildcardMatcher> urls = tracer.config().get(EsOptions.CAPTURE_BODY_URLS);
            if (urls.isEmpty() || !WildcardMatcher.anyMatch(urls, span.http().path())) {
                return;
            }
            HttpEntityAccess access = HttpEntityAccess.of(httpEntityType);
            if (!access.isRepeatable(entity)) {
                return;
            }
            String contentType = access.contentType(entity);
            if (!ContentTypes.isText(contentType)) {
                return;
            }
            String encoding = access.contentEncoding(entity);
            boolean gzip = encoding != null && ContentTypes.containsIgnoreCase(encoding, "gzip");
            Charset charset = ContentTypes.charset(contentType);
            // decoded text has at most as many chars as the body has bytes (unless it is gzipped)
            buffer = span.db().statementBuffer(tracer.statementBufferPool(gzip ? -1 : access.contentLength(entity)));
            int status;
            if (InMemoryEntities.writesFromMemory(entity.getClass())) {
                status = copyThroughWriteTo(access, entity, buffer, charset, gzip);
            } else {
                InputStream in;
                try {
                    in = access.content(entity);
                } catch (UnsupportedOperationException contentNotAvailable) {
                    in = null;
                }
                if (in == null) {
                    status = copyThroughWriteTo(access, entity, buffer, charset, gzip);
                } else {
                    try {
                        status = IOUtils.readToCharBuffer(in, buffer, charset, gzip);
                    } finally {
                        in.close();
                    }
                }
            }
            if (status == IOUtils.BINARY || status == IOUtils.FAILED) {
                span.db().discardStatementBuffer();
            }
        } catch (Throwable t) {
            if (buffer != null) {
                span.db().discardStatementBuffer();
            }
            logger.debug("Request body not recorded: {}", t);
        }
    }

    private static int copyThroughWriteTo(HttpEntityAccess access, Object entity, CharBuffer buffer,
                                          Charset charset, boolean gzip) throws Throwable {
        TextDecoder sink = IOUtils.openSink(buffer, charset, gzip, true);
        try {
            access.writeTo(entity, sink);
        } catch (IOException e) {
            if (e != TextDecoder.CAPTURE_COMPLETE) {
                return IOUtils.abandon(sink, buffer);
            }
        } catch (Throwable t) {
            IOUtils.abandon(sink, buffer);
            throw t;
        }
        return IOUtils.finish(sink);
    }

    // ------------------------------------------------------------------ shared

    private static Span start(String method, String endpoint, boolean sync) {
        Tracer tracer = Tracer.get();
        if (tracer == null) {
            return null;
        }
        Span span = tracer.startExitSpan();
        if (span == null) {
            return null;
        }
        span.setTypes(TYPE, SUBTYPE, ACTION);
        span.setNameFormatter(formatter(tracer));
        span.setSync(sync);
        span.db().withType(SUBTYPE);
        span.http().withMethod(method).withPath(endpoint);
        span.destination().withTarget(SUBTYPE, null);
        return span;
    }

    private static EsSpanNameFormatter formatter(Tracer tracer) {
        EsSpanNameFormatter f = formatter;
        if (f == null) {
            f = new EsSpanNameFormatter(tracer.config().get(EsOptions.SPAN_NAMING));
            formatter = f;
        }
        return f;
    }

    /** Records the outcome and what the response tells, captures an error for a failure, and ends the span. */
    private static void finish(Span span, Object response, Throwable failure) throws Throwable {
        Object answered = response;
        if (answered == null && failure != null) {
            answered = EsResponseAccess.responseOf(failure);
        }
        int status = 0;
        if (answered != null) {
            EsResponseAccess access = EsResponseAccess.of(answered);
            status = access.statusCode(answered);
            Object host = access.host(answered);
            if (host != null) {
                String hostName = access.hostName(host);
                int port = access.port(host);
                span.http().withUrlParts(access.scheme(host), hostName, port, span.http().path());
                span.destination().withAddress(hostName, port);
            }
            span.http().withStatusCode(status);
            String cluster = access.header(answered, CLUSTER_HEADER_CLOUD);
            if (cluster == null) {
                cluster = access.header(answered, CLUSTER_HEADER);
            }
            if (cluster != null) {
                span.destination().withTargetName(cluster);
            }
        }
        if (failure != null && isCancellation(failure)) {
            span.setOutcome(Outcome.UNKNOWN);
        } else if (failure != null || status >= 400) {
            span.setOutcome(Outcome.FAILURE);
            if (failure != null) {
                ErrorCapture error = span.tracer().captureException(failure, span);
                if (error != null) {
                    span.tracer().report(error.withStatusCode(status));
                }
            }
        } else {
            span.setOutcome(Outcome.SUCCESS);
        }
        span.end();
    }

    /** 7.5+ signals cancellation with a CancellationException; older clients with an ExecutionException. */
    private static boolean isCancellation(Throwable t) {
        if (t instanceof CancellationException) {
            return true;
        }
        return t instanceof ExecutionException && "request was cancelled".equals(t.getMessage());
    }

    private static <T> T failed(String what, Throwable t) {
        logger.warnOnce("es-restclient:" + what, "Elasticsearch instrumentation failed {} (the request is "
            + "unaffected): {}", what, t);
        return null;
    }

    /** Requests in flight that are tied to an internal listener (tests). */
    static int inFlight() {
        return BY_INTERNAL_LISTENER.size();
    }
}
