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
 *
 * <p>As in {@link EsResponseAccess}, the first class loader's handles are also held in static final fields
 * ({@link Primary}), so that C2 inlines them like direct calls.
 */
final class HttpEntityAccess {

    private static final ClassValue<HttpEntityAccess> BY_INTERFACE = new ClassValue<HttpEntityAccess>() {
        @Override
        protected HttpEntityAccess computeValue(Class<?> httpEntityInterface) {
            boolean primary = FIRST.claim(httpEntityInterface.getClassLoader());
            HttpEntityAccess access = new HttpEntityAccess(httpEntityInterface, primary);
            if (primary) {
                FIRST.publish(access);
            }
            return access;
        }
    };

    /** The first access created for a permanent class loader; {@link Primary} copies its handles. */
    private static final PermanentLoaders.First<HttpEntityAccess> FIRST =
        new PermanentLoaders.First<HttpEntityAccess>();

    /**
     * The first client's handles as constants. Only the {@link #primary} access touches this class, so it is
     * initialized after the election.
     */
    private static final class Primary {
        static final HttpEntityAccess ACCESS = FIRST.get();
        static final MethodHandle IS_REPEATABLE = ACCESS.isRepeatable;
        static final MethodHandle GET_CONTENT_LENGTH = ACCESS.getContentLength;
        static final MethodHandle GET_CONTENT_TYPE = ACCESS.getContentType;
        static final MethodHandle GET_CONTENT_ENCODING = ACCESS.getContentEncoding;
        static final MethodHandle HEADER_VALUE = ACCESS.headerValue;
        static final MethodHandle GET_CONTENT = ACCESS.getContent;
        static final MethodHandle WRITE_TO = ACCESS.writeTo;
    }

    private final Class<?> entityInterface;
    /** This access's handles are the constants in {@link Primary} (set before it is published). */
    private final boolean primary;

    private final MethodHandle isRepeatable;
    private final MethodHandle getContentLength;
    private final MethodHandle getContentType;
    private final MethodHandle getContentEncoding;
    private final MethodHandle headerValue;
    private final MethodHandle getContent;
    private final MethodHandle writeTo;

    private HttpEntityAccess(Class<?> entity, boolean primary) {
        this.primary = primary;
        this.entityInterface = entity;
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
        HttpEntityAccess cached = FIRST.get();
        if (cached != null && cached.entityInterface == httpEntityInterface) {
            return cached;
        }
        return BY_INTERFACE.get(httpEntityInterface);
    }

    boolean isRepeatable(Object entity) throws Throwable {
        if (primary) {
            return (boolean) Primary.IS_REPEATABLE.invokeExact(entity);
        }
        return (boolean) isRepeatable.invokeExact(entity);
    }

    /** Bytes of content, or a negative number when unknown. */
    long contentLength(Object entity) throws Throwable {
        if (primary) {
            return (long) Primary.GET_CONTENT_LENGTH.invokeExact(entity);
        }
        return (long) getContentLength.invokeExact(entity);
    }

    String contentType(Object entity) throws Throwable {
        if (primary) {
            Object header = (Object) Primary.GET_CONTENT_TYPE.invokeExact(entity);
            return header == null ? null : (String) Primary.HEADER_VALUE.invokeExact(header);
        }
        Object header = (Object) getContentType.invokeExact(entity);
        return header == null ? null : (String) headerValue.invokeExact(header);
    }

    String contentEncoding(Object entity) throws Throwable {
        if (primary) {
            Object header = (Object) Primary.GET_CONTENT_ENCODING.invokeExact(entity);
            return header == null ? null : (String) Primary.HEADER_VALUE.invokeExact(header);
        }
        Object header = (Object) getContentEncoding.invokeExact(entity);
        return header == null ? null : (String) headerValue.invokeExact(header);
    }

    InputStream content(Object entity) throws Throwable {
        if (primary) {
            return (InputStream) Primary.GET_CONTENT.invokeExact(entity);
        }
        return (InputStream) getContent.invokeExact(entity);
    }

    void writeTo(Object entity, OutputStream out) throws Throwable {
        if (primary) {
            Primary.WRITE_TO.invokeExact(entity, out);
            return;
        }
        writeTo.invokeExact(entity, out);
    }
}
