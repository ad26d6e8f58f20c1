package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reads an Elasticsearch low-level client {@code Response} (status, the node that answered, headers) and a
 * {@code ResponseException}'s response through method handles, resolved once per client class loader, so the same
 * bootstrap-resident code serves every client version. Exact-typed invocations: no boxing, no allocation.
 */
final class EsResponseAccess {

    private static final ClassValue<EsResponseAccess> BY_RESPONSE_CLASS = new ClassValue<EsResponseAccess>() {
        @Override
        protected EsResponseAccess computeValue(Class<?> responseClass) {
            return new EsResponseAccess(responseClass);
        }
    };

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

    private final MethodHandle statusCode;
    private final MethodHandle getHost;
    private final MethodHandle hostName;
    private final MethodHandle port;
    private final MethodHandle scheme;
    private final MethodHandle header;

    private EsResponseAccess(Class<?> response) {
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
        return BY_RESPONSE_CLASS.get(response.getClass());
    }

    /** The response carried by a {@code ResponseException}, or null for any other exception. */
    static Object responseOf(Throwable t) throws Throwable {
        MethodHandle getResponse = GET_RESPONSE.get(t.getClass());
        return getResponse == NONE ? null : (Object) getResponse.invokeExact((Object) t);
    }

    int statusCode(Object response) throws Throwable {
        return (int) statusCode.invokeExact(response);
    }

    Object host(Object response) throws Throwable {
        return (Object) getHost.invokeExact(response);
    }

    String hostName(Object host) throws Throwable {
        return (String) hostName.invokeExact(host);
    }

    int port(Object host) throws Throwable {
        return (int) port.invokeExact(host);
    }

    String scheme(Object host) throws Throwable {
        return (String) scheme.invokeExact(host);
    }

    String header(Object response, String name) throws Throwable {
        return (String) header.invokeExact(response, name);
    }
}
