package dev.nimbleapm.it.apps.reliability;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A low-level REST client of whatever version a class loader holds, driven by reflection so that nothing of it is
 * visible to the application's own class loader: the Request API ({@code performRequest(Request)}, 6.4+) when the
 * loader has it, the String API otherwise.
 */
final class ReflectiveClient implements AutoCloseable {

    private final ClassLoader loader;
    private final Object client;
    private final boolean requestApi;

    ReflectiveClient(ClassLoader loader, String esUrl) throws Exception {
        this.loader = loader;
        Class<?> hostClass = loader.loadClass("org.apache.http.HttpHost");
        Object host = hostClass.getMethod("create", String.class).invoke(null, esUrl);
        Object hosts = Array.newInstance(hostClass, 1);
        Array.set(hosts, 0, host);
        Class<?> restClient = loader.loadClass("org.elasticsearch.client.RestClient");
        Object builder = restClient.getMethod("builder", hosts.getClass()).invoke(null, hosts);
        this.client = builder.getClass().getMethod("build").invoke(builder);
        boolean hasRequest;
        try {
            loader.loadClass("org.elasticsearch.client.Request");
            hasRequest = true;
        } catch (ClassNotFoundException e) {
            hasRequest = false;
        }
        this.requestApi = hasRequest;
    }

    boolean hasRequestApi() {
        return requestApi;
    }

    /** A synchronous request; returns the status code. */
    int perform(String method, String endpoint) throws Exception {
        Object response;
        try {
            if (requestApi) {
                response = client.getClass().getMethod("performRequest", loader.loadClass(
                    "org.elasticsearch.client.Request")).invoke(client, newRequest(method, endpoint));
            } else {
                Class<?> headers = Array.newInstance(loader.loadClass("org.apache.http.Header"), 0).getClass();
                response = client.getClass().getMethod("performRequest", String.class, String.class, headers)
                    .invoke(client, method, endpoint, Array.newInstance(headers.getComponentType(), 0));
            }
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
        return consume(response);
    }

    /** An asynchronous request; waits for its listener and returns the status code. */
    int performAsync(String method, String endpoint) throws Exception {
        Class<?> listenerType = loader.loadClass("org.elasticsearch.client.ResponseListener");
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Object> outcome = new AtomicReference<Object>();
        Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {listenerType}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] args) {
                if (m.getName().equals("onSuccess") || m.getName().equals("onFailure")) {
                    outcome.set(args[0]);
                    done.countDown();
                    return null;
                }
                if (m.getName().equals("hashCode")) {
                    return System.identityHashCode(proxy);
                }
                if (m.getName().equals("equals")) {
                    return proxy == args[0];
                }
                return "listener";
            }
        });
        try {
            if (requestApi) {
                client.getClass().getMethod("performRequestAsync", loader.loadClass(
                    "org.elasticsearch.client.Request"), listenerType)
                    .invoke(client, newRequest(method, endpoint), listener);
            } else {
                Class<?> headers = Array.newInstance(loader.loadClass("org.apache.http.Header"), 0).getClass();
                client.getClass().getMethod("performRequestAsync", String.class, String.class, listenerType,
                    headers).invoke(client, method, endpoint, listener, Array.newInstance(headers.getComponentType(),
                    0));
            }
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no answer within 60 s");
        }
        Object result = outcome.get();
        if (result instanceof Exception) {
            throw (Exception) result;
        }
        return consume(result);
    }

    private Object newRequest(String method, String endpoint) throws Exception {
        return loader.loadClass("org.elasticsearch.client.Request").getConstructor(String.class, String.class)
            .newInstance(method, endpoint);
    }

    private int consume(Object response) throws Exception {
        Object entity = response.getClass().getMethod("getEntity").invoke(response);
        if (entity != null) {
            loader.loadClass("org.apache.http.util.EntityUtils")
                .getMethod("consume", loader.loadClass("org.apache.http.HttpEntity")).invoke(null, entity);
        }
        Object statusLine = response.getClass().getMethod("getStatusLine").invoke(response);
        return (Integer) statusLine.getClass().getMethod("getStatusCode").invoke(statusLine);
    }

    private static Exception rethrow(InvocationTargetException e) {
        Throwable cause = e.getCause();
        return cause instanceof Exception ? (Exception) cause : e;
    }

    @Override
    public void close() throws Exception {
        client.getClass().getMethod("close").invoke(client);
    }
}
