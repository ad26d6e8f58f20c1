package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reads an Elasticsearch low-level client {@code Response} (status, the node that answered, headers) and a
 * {@code ResponseException}'s response through method handles, resolved once per client class loader, so the same
 * bootstrap-resident code serves every client version. Exact-typed invocations: no boxing, no allocation.
 *
 * <p>The first client seen (almost always the only one) gets the fast path, when its class loader lives as long as
 * the JVM (see {@link PermanentLoaders}): its handles are copied into the static final fields of {@link Primary},
 * which C2 treats as constants and inlines like direct calls. (Static fields pin what they reference: a client in a
 * class loader that may be discarded, such as a web application's, keeps the generic path and stays collectable.) Handles in instance
 * fields are not constants: each call would go through the generic method handle dispatch (type check, lambda form,
 * invoker), which the async-profiler showed as a third of the agent's share of the application thread.
 */
final class EsResponseAccess {

    private static final ClassValue<EsResponseAccess> BY_RESPONSE_CLASS = new ClassValue<EsResponseAccess>() {
        @Override
        protected EsResponseAccess computeValue(Class<?> responseClass) {
            boolean primary = FIRST.claim(responseClass.getClassLoader());
            EsResponseAccess access = new EsResponseAccess(responseClass, primary);
            if (primary) {
                FIRST.publish(access);
            }
            return access;
        }
    };

    /** The first access created for a permanent class loader; {@link Primary} copies its handles. */
    private static final PermanentLoaders.First<EsResponseAccess> FIRST =
        new PermanentLoaders.First<EsResponseAccess>();

    /**
     * The first client's handles as constants. Only the {@link #primary} access touches this class, so it is
     * initialized after the election.
     */
    private static final class Primary {
        static final EsResponseAccess ACCESS = FIRST.get();
        static final MethodHandle STATUS_CODE = ACCESS.statusCode;
        static final MethodHandle GET_HOST = ACCESS.getHost;
        static final MethodHandle HOST_NAME = ACCESS.hostName;
        static final MethodHandle PORT = ACCESS.port;
        static final MethodHandle SCHEME = ACCESS.scheme;
        static final MethodHandle HEADER = ACCESS.header;
    }

    private static final String RESPONSE_EXCEPTION = "org.elasticsearch.client.ResponseException";
    private static final MethodHandle NONE = MethodHandles.constant(Object.class, null);

    private static final ClassValue<MethodHandle> GET_RESPONSE = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> exceptionClass) {
            if (!exceptionClass.getName().equals(RESPONSE_EXCEPTION)) {
                return NONE;
            }
            try {
                Class<?> response = exceptionClass.getMethod("getResponse").getReturnType();
                return MethodHandles.publicLookup().findVirtual(exceptionClass, "getResponse",
                    MethodType.methodType(response)).asType(MethodType.methodType(Object.class, Object.class));
            } catch (Exception e) {
                return NONE;
            }
        }
    };

    private final Class<?> responseClass;
    /** This access's handles are the constants in {@link Primary} (set before it is published). */
    private final boolean primary;
    private final MethodHandle statusCode;
    private final MethodHandle getHost;
    private final MethodHandle hostName;
    private final MethodHandle port;
    private final MethodHandle scheme;
    private final MethodHandle header;

    private EsResponseAccess(Class<?> response, boolean primary) {
        this.primary = primary;
        this.responseClass = response;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> statusLine = response.getMethod("getStatusLine").getReturnType();
            Class<?> httpHost = response.getMethod("getHost").getReturnType();
            MethodHandle getStatusLine = lookup.findVirtual(response, "getStatusLine",
                MethodType.methodType(statusLine));
            MethodHandle getStatusCode = lookup.findVirtual(statusLine, "getStatusCode",
                MethodType.methodType(int.class));
            statusCode = MethodHandles.filterReturnValue(getStatusLine, getStatusCode)
                .asType(MethodType.methodType(int.class, Object.class));
            getHost = lookup.findVirtual(response, "getHost", MethodType.methodType(httpHost))
                .asType(MethodType.methodType(Object.class, Object.class));
            hostName = lookup.findVirtual(httpHost, "getHostName", MethodType.methodType(String.class))
                .asType(MethodType.methodType(String.class, Object.class));
            port = lookup.findVirtual(httpHost, "getPort", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, Object.class));
            scheme = lookup.findVirtual(httpHost, "getSchemeName", MethodType.methodType(String.class))
                .asType(MethodType.methodType(String.class, Object.class));
            header = lookup.findVirtual(response, "getHeader", MethodType.methodType(String.class, String.class))
                .asType(MethodType.methodType(String.class, Object.class, String.class));
        } catch (Exception e) {
            throw new IllegalStateException("Not an Elasticsearch client Response: " + response.getName(), e);
        }
    }

    static EsResponseAccess of(Object response) {
        EsResponseAccess cached = FIRST.get();
        if (cached != null && cached.responseClass == response.getClass()) {
            return cached;
        }
        return BY_RESPONSE_CLASS.get(response.getClass());
    }

    /** The response carried by a {@code ResponseException}, or null for any other exception. */
    static Object responseOf(Throwable t) throws Throwable {
        MethodHandle getResponse = GET_RESPONSE.get(t.getClass());
        return getResponse == NONE ? null : (Object) getResponse.invokeExact((Object) t);
    }

    int statusCode(Object response) throws Throwable {
        if (primary) {
            return (int) Primary.STATUS_CODE.invokeExact(response);
        }
        return (int) statusCode.invokeExact(response);
    }

    Object host(Object response) throws Throwable {
        if (primary) {
            return (Object) Primary.GET_HOST.invokeExact(response);
        }
        return (Object) getHost.invokeExact(response);
    }

    String hostName(Object host) throws Throwable {
        if (primary) {
            return (String) Primary.HOST_NAME.invokeExact(host);
        }
        return (String) hostName.invokeExact(host);
    }

    int port(Object host) throws Throwable {
        if (primary) {
            return (int) Primary.PORT.invokeExact(host);
        }
        return (int) port.invokeExact(host);
    }

    String scheme(Object host) throws Throwable {
        if (primary) {
            return (String) Primary.SCHEME.invokeExact(host);
        }
        return (String) scheme.invokeExact(host);
    }

    String header(Object response, String name) throws Throwable {
        if (primary) {
            return (String) Primary.HEADER.invokeExact(response, name);
        }
        return (String) header.invokeExact(response, name);
    }
}
