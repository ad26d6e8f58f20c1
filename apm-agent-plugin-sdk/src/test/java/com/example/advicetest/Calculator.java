package com.example.advicetest;

/** An application class for the advice tests: instrumented with advice that throws. */
public class Calculator {

    private int calls;

    public int add(int a, int b) {
        calls++;
        return a + b;
    }

    public String greet(String name) {
        calls++;
        return "hello " + name;
    }

    public void fail(String message) {
        calls++;
        throw new CalculatorException(message);
    }

    public int calls() {
        return calls;
    }

    /** The application's own exception, which must reach the caller unchanged. */
    public static final class CalculatorException extends RuntimeException {
        public CalculatorException(String message) {
            super(message);
        }
    }
}
