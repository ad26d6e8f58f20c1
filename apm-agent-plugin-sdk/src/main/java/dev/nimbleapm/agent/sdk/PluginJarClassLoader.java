package dev.nimbleapm.agent.sdk;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Loads an external plugin jar from {@code plugins_dir}. Plugin authors compile against the SDK and plain Byte Buddy;
 * inside the agent jar Byte Buddy is relocated under the agent's package. This loader rewrites the plugin's
 * references to Byte Buddy while defining its classes (and serves the same rewritten bytes for advice inlining), so
 * a third-party plugin works unchanged and never needs to know about the relocation.
 *
 * <p>Its parent is the loader of the SDK (the bootstrap loader inside the agent), so plugins see the agent core, the
 * SDK and the JDK - and nothing of the application.
 */
public final class PluginJarClassLoader extends ClassLoader {

    private static final String SOURCE_PREFIX = String.join("/", "net", "bytebuddy", "");
    private static final String TARGET_PREFIX = targetPrefix();

    private final JarFile jar;
    private final File file;

    public PluginJarClassLoader(File file) throws IOException {
        super(ElasticApmInstrumentation.class.getClassLoader());
        this.file = file;
        this.jar = new JarFile(file);
    }

    private static String targetPrefix() {
        String matcher = ElementMatcher.class.getName().replace('.', '/');
        return matcher.substring(0, matcher.length() - "matcher/ElementMatcher".length());
    }

    static boolean needsRemapping() {
        return !SOURCE_PREFIX.equals(TARGET_PREFIX);
    }

    /** The class file of {@code className} as this loader defines it (rewritten), or null. */
    public byte[] classBytes(String className) {
        JarEntry entry = jar.getJarEntry(className.replace('.', '/') + ".class");
        if (entry == null) {
            return null;
        }
        try {
            InputStream in = jar.getInputStream(entry);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
                return remap(out.toByteArray());
            } finally {
                in.close();
            }
        } catch (IOException e) {
            return null;
        }
    }

    static byte[] remap(byte[] classFile) {
        if (!needsRemapping()) {
            return classFile;
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new Remapper() {
            @Override
            public String map(String internalName) {
                return internalName.startsWith(SOURCE_PREFIX)
                    ? TARGET_PREFIX + internalName.substring(SOURCE_PREFIX.length()) : internalName;
            }
        }), 0);
        return writer.toByteArray();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classBytes(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }

    @Override
    protected URL findResource(String name) {
        if (jar.getJarEntry(name) == null) {
            return null;
        }
        try {
            return new URL("jar:" + file.toURI().toURL() + "!/" + name);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.<URL>emptyEnumeration() : Collections.enumeration(Collections.singleton(url));
    }

    @Override
    public String toString() {
        return "PluginJarClassLoader(" + file.getName() + ")";
    }
}
