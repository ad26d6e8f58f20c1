package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Calls {@code org.apache.http.HttpEntity} (HttpCore 4) through method handles. This code lives on the bootstrap
 * class path, where the application's HttpCore is not visible, yet is shared by every client shape: the advice
 * hands over the {@code HttpEntity} interface of the instrumented client's class loader, and the handles are
 * resolved once per such interface (a {@link ClassValue}, so a discarded class loader stays collectable).
 * Invocations are exact-typed: no boxing, no allocation.
 */
final class HttpEntityAccess {

    private static final ClassValue<HttpEntityAccess> BY_INTERFACE = new ClassValue<HttpEntityAccess>() {
        @Override
        protected HttpEntityAccess computeValue(Class<?> httpEntityInterface) {
            return new HttpEntityAccess(httpEntityInterface);
        }
    };

    private final MethodHandle isRepeatable;
    private final MethodHandle getContentLength;
    private final MethodHandle getContentType;
    private final MethodHandle getContentEncoding;
    private final MethodHandle headerValue;
    private final MethodHandle getContent;
    private final MethodHandle writeTo;

    private HttpEntityAccess(Class<?> entity) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> header = entity.getMethod("getContentType").getReturnType();
            isRepeatable = lookup.findVirtual(entity, "isRepeatable", MethodType.methodType(boolean.class))
                .asType(MethodType.methodType(boolean.class, Object.class));
            getContentLength = lookup.findVirtual(entity, "getContentLength", MethodType.methodType(long.class))
                .asType(MethodType.methodType(long.class, Object.class));
            getContentType = lookup.findVirtual(entity, "getContentType", MethodType.methodType(header))
                .asType(MethodType.methodType(Object.class, Object.class));
            getContentEncoding = lookup.findVirtual(entity, "getContentEncoding", MethodType.methodType(header))
                .asType(MethodType.methodType(Object.class, Object.class));
            headerValue = lookup.findVirtual(header, "getValue", MethodType.methodType(String.class))
                .asType(MethodType.methodType(String.class, Object.class));
            getContent = lookup.findVirtual(entity, "getContent", MethodType.methodType(InputStream.class))
                .asType(MethodType.methodType(InputStream.class, Object.class));
            writeTo = lookup.findVirtual(entity, "writeTo", MethodType.methodType(void.class, OutputStream.class))
                .asType(MethodType.methodType(void.class, Object.class, OutputStream.class));
        } catch (Exception e) {
            throw new IllegalStateException("Not an HttpCore 4 HttpEntity: " + entity.getName(), e);
        }
    }

    static HttpEntityAccess of(Class<?> httpEntityInterface) {
        return BY_INTERFACE.get(httpEntityInterface);
    }

    boolean isRepeatable(Object entity) throws Throwable {
        return (boolean) isRepeatable.invokeExact(entity);
    }

    /** Bytes of content, or a negative number when unknown. */
    long contentLength(Object entity) throws Throwable {
        return (long) getContentLength.invokeExact(entity);
    }

    String contentType(Object entity) throws Throwable {
        Object header = (Object) getContentType.invokeExact(entity);
        return header == null ? null : (String) headerValue.invokeExact(header);
    }

    String contentEncoding(Object entity) throws Throwable {
        Object header = (Object) getContentEncoding.invokeExact(entity);
        return header == null ? null : (String) headerValue.invokeExact(header);
    }

    InputStream content(Object entity) throws Throwable {
        return (InputStream) getContent.invokeExact(entity);
    }

    void writeTo(Object entity, OutputStream out) throws Throwable {
        writeTo.invokeExact(entity, out);
    }
}
