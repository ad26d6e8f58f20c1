package dev.nimbleapm.demo.app;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The bookstore's catalog: 50 made-up books, the same on every run, and the index they live in. */
final class Catalog {

    static final String INDEX_DEFINITION = "{"
        + "\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
        + "\"mappings\":{\"properties\":{"
        + "\"title\":{\"type\":\"text\",\"fields\":{\"raw\":{\"type\":\"keyword\"}}},"
        + "\"author\":{\"type\":\"keyword\"},"
        + "\"genre\":{\"type\":\"keyword\"},"
        + "\"year\":{\"type\":\"integer\"},"
        + "\"price\":{\"type\":\"double\"},"
        + "\"rating\":{\"type\":\"float\"},"
        + "\"stock\":{\"type\":\"integer\"}"
        + "}}}";

    private static final String[][] TOPICS = {
        {"Java", "programming"},
        {"Elasticsearch", "search"},
        {"Distributed Systems", "architecture"},
        {"Kotlin", "programming"},
        {"Observability", "observability"},
        {"Databases", "databases"},
        {"Algorithms", "computer-science"},
        {"Networking", "infrastructure"},
        {"Security", "security"},
        {"Cloud Native Java", "architecture"},
    };
    private static final String[] TITLE_PATTERNS = {
        "Learning %s", "%s in Action", "Effective %s", "%s: The Definitive Guide", "Mastering %s",
    };
    private static final String[] AUTHORS = {
        "Ada Lindqvist", "Bram Okafor", "Chen Wei", "Dana Moreau", "Emil Nowak",
        "Farah Haddad", "Goran Petrov", "Hana Sato", "Ines Carvalho", "Jonas Berg",
    };

    private Catalog() {
    }

    static final class Book {
        final String id;
        final String title;
        final String author;
        final String genre;
        final int year;
        final double price;
        final double rating;
        final int stock;

        Book(String id, String title, String author, String genre, int year, double price, double rating,
             int stock) {
            this.id = id;
            this.title = title;
            this.author = author;
            this.genre = genre;
            this.year = year;
            this.price = price;
            this.rating = rating;
            this.stock = stock;
        }

        String toJson() {
            return String.format(Locale.ROOT, "{\"title\":\"%s\",\"author\":\"%s\",\"genre\":\"%s\",\"year\":%d,"
                + "\"price\":%.2f,\"rating\":%.1f,\"stock\":%d}", title, author, genre, year, price, rating, stock);
        }
    }

    /** book-1 .. book-50, derived from their number only. */
    static List<Book> books() {
        List<Book> books = new ArrayList<Book>();
        for (int i = 0; i < TOPICS.length * TITLE_PATTERNS.length; i++) {
            String[] topic = TOPICS[i % TOPICS.length];
            String title = String.format(Locale.ROOT, TITLE_PATTERNS[i / TOPICS.length], topic[0]);
            books.add(new Book("book-" + (i + 1), title, AUTHORS[(i * 7) % AUTHORS.length], topic[1],
                1998 + (i * 13) % 27, 14.99 + (i * 37) % 45, 3.0 + ((i * 11) % 21) / 10.0, (i * 3) % 7));
        }
        return Collections.unmodifiableList(books);
    }
}
