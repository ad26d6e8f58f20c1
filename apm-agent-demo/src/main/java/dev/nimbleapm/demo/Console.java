package dev.nimbleapm.demo;

import java.io.PrintStream;

/** Where the demo talks to the person who started it: standard output, flushed line by line. */
final class Console {

    private final PrintStream out;

    Console(PrintStream out) {
        this.out = out;
    }

    synchronized void line(String text) {
        out.println(text);
        out.flush();
    }

    synchronized void blank() {
        line("");
    }

    /** A section title: a blank line, the title, and a rule under it. */
    synchronized void heading(String title) {
        blank();
        line(title);
        line("-".repeat(title.length()));
    }

    /** Each line of {@code block} (newline-terminated lines) indented by {@code indent}. */
    synchronized void block(String block, String indent) {
        for (String l : block.split("\n")) {
            if (!l.isEmpty()) {
                line(indent + l);
            }
        }
    }
}
