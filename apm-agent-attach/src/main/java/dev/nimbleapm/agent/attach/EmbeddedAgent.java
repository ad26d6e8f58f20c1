package dev.nimbleapm.agent.attach;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * The agent jar this artifact carries as a resource, written once to a file the JVM can load: a directory per jar
 * content (so different agent versions never overwrite each other) holding {@code nimble-apm-agent.jar} - the name
 * the agent's manifest expects on the boot class path.
 */
final class EmbeddedAgent {

    static final String RESOURCE = "nimble-apm-agent.jar.bin";
    static final String FILE_NAME = "nimble-apm-agent.jar";

    private EmbeddedAgent() {
    }

    static byte[] bytes() throws IOException {
        InputStream in = EmbeddedAgent.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException("the agent jar is not embedded in this artifact (" + RESOURCE + " is missing)");
        }
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(8 * 1024 * 1024);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }

    /** The agent jar on disk, written now if needed. */
    static File extract() throws IOException {
        byte[] jar = bytes();
        File dir = new File(System.getProperty("java.io.tmpdir"), "nimble-apm-agent-" + shortHash(jar));
        File file = new File(dir, FILE_NAME);
        if (file.isFile() && file.length() == jar.length) {
            return file;
        }
        if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) {
            throw new IOException("cannot create " + dir);
        }
        File temp = File.createTempFile("agent", ".tmp", dir);
        OutputStream out = new FileOutputStream(temp);
        try {
            out.write(jar);
        } finally {
            out.close();
        }
        if (!temp.renameTo(file) && !(file.isFile() && file.length() == jar.length)) {
            temp.delete();
            throw new IOException("cannot write " + file);
        }
        temp.delete();
        file.setReadable(true, false);
        dir.setReadable(true, false);
        dir.setExecutable(true, false);
        return file;
    }

    private static String shortHash(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                sb.append(String.format("%02x", digest[i]));
            }
            return sb.toString();
        } catch (Exception e) {
            return Integer.toHexString(bytes.length);
        }
    }
}
