package dev.nimbleapm.it.apps;

/** A piece of the sample application that only a third-party plugin instruments. */
public final class Inventory {

    public boolean reserve(String item) {
        return !item.isEmpty();
    }
}
