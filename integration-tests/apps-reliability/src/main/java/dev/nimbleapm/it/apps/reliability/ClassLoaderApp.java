package dev.nimbleapm.it.apps.reliability;

import java.io.File;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * Elasticsearch clients that live in class loaders of their own, as in application servers and plugin systems. The
 * application's class path has no client; each loader gets one client version's jars.
 *
 * <ul>
 *   <li>{@code collect <es url> <client jars>}: a client in a throwaway loader makes traced requests (sync and
 *   async), then the client, the loader and everything loaded from it are dropped; prints whether the loader was
 *   garbage-collected.</li>
 *   <li>{@code side-by-side <es url> <client jars> <other client jars>}: two versions in two loaders, both used
 *   alternately, each request in a transaction named after its version and kind.</li>
 * </ul>
 * Jar lists are separated by {@link File#pathSeparator}.
 */
public final class ClassLoaderApp {

    private static final long GC_DEADLINE_MILLIS = 30_000;

    public static void main(String[] args) throws Exception {
        if ("collect".equals(args[0])) {
            ReferenceQueue<ClassLoader> queue = new ReferenceQueue<ClassLoader>();
            Reference<ClassLoader> loader = useAndDrop(args[1], args[2], queue);
            long start = System.currentTimeMillis();
            boolean collected = false;
            while (!collected && System.currentTimeMillis() - start < GC_DEADLINE_MILLIS) {
                System.gc();
                collected = queue.remove(200) == loader;
            }
            System.out.println("LOADER collected=" + collected + " after_ms=" + (System.currentTimeMillis() - start));
        } else {
            sideBySide(args[1], args[2], args[3]);
        }
        System.out.println("DONE");
    }

    /** Everything from the loader lives only in this frame. */
    private static Reference<ClassLoader> useAndDrop(String esUrl, String jars, ReferenceQueue<ClassLoader> queue)
        throws Exception {
        URLClassLoader loader = new URLClassLoader(urls(jars), ClassLoaderApp.class.getClassLoader());
        ReflectiveClient client = new ReflectiveClient(loader, esUrl);
        try {
            System.out.println("RESULT throwaway-sync " + traced("throwaway sync", client, false));
            System.out.println("RESULT throwaway-async " + traced("throwaway async", client, true));
        } finally {
            client.close();
            loader.close();
        }
        return new WeakReference<ClassLoader>(loader, queue);
    }

    private static void sideBySide(String esUrl, String jarsA, String jarsB) throws Exception {
        URLClassLoader loaderA = new URLClassLoader(urls(jarsA), ClassLoaderApp.class.getClassLoader());
        URLClassLoader loaderB = new URLClassLoader(urls(jarsB), ClassLoaderApp.class.getClassLoader());
        ReflectiveClient a = new ReflectiveClient(loaderA, esUrl);
        ReflectiveClient b = new ReflectiveClient(loaderB, esUrl);
        try {
            for (int round = 1; round <= 2; round++) {
                for (ReflectiveClient client : new ReflectiveClient[] {a, b}) {
                    String name = client.hasRequestApi() ? "request-api" : "string-api";
                    System.out.println("RESULT " + name + "-sync-" + round + " "
                        + traced(name + " sync " + round, client, false));
                    System.out.println("RESULT " + name + "-async-" + round + " "
                        + traced(name + " async " + round, client, true));
                }
            }
        } finally {
            a.close();
            b.close();
            loaderA.close();
            loaderB.close();
        }
    }

    private static String traced(String name, ReflectiveClient client, boolean async) {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName(name);
        try (Scope scope = tx.activate()) {
            int status = async ? client.performAsync("GET", "/") : client.perform("GET", "/");
            return String.valueOf(status);
        } catch (Exception e) {
            return "EXCEPTION " + e;
        } finally {
            tx.end();
        }
    }

    private static URL[] urls(String jars) throws Exception {
        List<URL> urls = new ArrayList<URL>();
        for (String jar : jars.split(File.pathSeparator)) {
            urls.add(new File(jar).toURI().toURL());
        }
        return urls.toArray(new URL[0]);
    }
}
