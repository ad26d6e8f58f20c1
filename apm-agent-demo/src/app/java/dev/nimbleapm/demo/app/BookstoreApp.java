package dev.nimbleapm.demo.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Outcome;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Span;
import co.elastic.apm.api.Transaction;

/**
 * A small online bookstore backend that keeps its catalog in Elasticsearch and talks to it with the low-level REST
 * client. It knows nothing about Nimble APM: it only uses the public Elastic APM API to mark where each "request" it
 * serves begins and ends, and to add a few spans of its own; the Elasticsearch spans come from the agent.
 *
 * <p>It serves a fixed, scripted sequence of requests (so every run shows the same traces): reset and import the
 * catalog, searches, a count, book pages (one of them for a book that does not exist), a search with broken syntax, an
 * asynchronous recommendation lookup, a purchase and a sales report. Argument: the Elasticsearch URL.
 */
@SuppressWarnings("try") // try (Scope ignored = span.activate()) is how the API is meant to be used
public final class BookstoreApp {

    static final String INDEX = "demo-books";

    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);
    private static final Pattern TOTAL_HITS = Pattern.compile("\"total\":\\{\"value\":(\\d+)");
    private static final Pattern TITLE = Pattern.compile("\"title\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern COUNT = Pattern.compile("\"count\":(\\d+)");
    private static final Pattern STOCK = Pattern.compile("\"stock\":(-?\\d+)");
    private static final Pattern SEQ_NO = Pattern.compile("\"_seq_no\":(\\d+)");
    private static final Pattern PRIMARY_TERM = Pattern.compile("\"_primary_term\":(\\d+)");
    private static final Pattern SOURCE = Pattern.compile("\"_source\":\\{([^}]*)\\}");
    private static final Pattern RATING = Pattern.compile("\"rating\":([0-9.]+)");
    private static final Pattern GENRE_BUCKET = Pattern.compile(
        "\\{\"key\":\"([^\"]+)\",\"doc_count\":(\\d+),\"avg_price\":\\{\"value\":([0-9.]+)\\}");
    private static final Pattern ERROR_REASON = Pattern.compile("\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final RestClient client;
    private int requestsServed;
    private int unexpectedFailures;

    private BookstoreApp(RestClient client) {
        this.client = client;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BookstoreApp <elasticsearch-url>");
            System.exit(2);
        }
        int failures;
        try (RestClient client = RestClient.builder(HttpHost.create(args[0])).build()) {
            BookstoreApp app = new BookstoreApp(client);
            app.serveScriptedTraffic();
            failures = app.unexpectedFailures;
            say("served %d requests, %d unexpected failure(s)", app.requestsServed, failures);
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private void serveScriptedTraffic() {
        if (serve("POST /admin/catalog/reset", this::resetCatalog) != 200
            || serve("POST /admin/catalog/import", this::importCatalog) != 200) {
            say("the catalog could not be set up: not serving anything else");
            return;
        }
        serve("GET /books/search", tx -> search(tx, "java"));
        serve("GET /books/search", tx -> searchByAuthor(tx, "Ada Lindqvist"));
        serve("GET /books/search", tx -> browseBargains(tx, 30.0));
        serve("GET /books/count", tx -> countGenre(tx, "databases"));
        serve("GET /books/{id}", tx -> showBook(tx, "book-7"));
        serve("GET /books/{id}", tx -> showBook(tx, "book-999"));
        serve("GET /books/search", tx -> advancedSearch(tx, "title:(java AND"));
        serve("GET /books/recommendations", tx -> recommendations(tx, "observability"));
        serve("POST /books/{id}/purchase", tx -> purchase(tx, "book-12"));
        serve("GET /reports/sales-summary", this::summary);
    }

    // ------------------------------------------------------------------ the "endpoints"

    /** Drops the catalog index if there is one and creates it again with its mapping. */
    private int resetCatalog(Transaction tx) throws IOException {
        Response exists = client.performRequest(new Request("HEAD", "/" + INDEX));
        boolean existed = exists.getStatusLine().getStatusCode() == 200;
        if (existed) {
            consume(client.performRequest(new Request("DELETE", "/" + INDEX)));
        }
        Request create = new Request("PUT", "/" + INDEX);
        create.setEntity(json(Catalog.INDEX_DEFINITION));
        consume(client.performRequest(create));
        tx.setLabel("index_recreated", existed);
        say("POST /admin/catalog/reset -> 200  index %s %s", INDEX, existed ? "dropped and re-created" : "created");
        return 200;
    }

    /** Builds the catalog feed and loads it with one bulk request. */
    private int importCatalog(Transaction tx) throws IOException {
        String ndjson;
        int books;
        Span prepare = ElasticApm.currentSpan().startSpan("app", "catalog", "prepare");
        prepare.setName("prepare bulk payload");
        try (Scope ignored = prepare.activate()) {
            List<Catalog.Book> catalog = Catalog.books();
            books = catalog.size();
            StringBuilder sb = new StringBuilder();
            for (Catalog.Book book : catalog) {
                sb.append("{\"index\":{\"_index\":\"").append(INDEX).append("\",\"_id\":\"").append(book.id)
                    .append("\"}}\n").append(book.toJson()).append('\n');
            }
            ndjson = sb.toString();
        } finally {
            prepare.end();
        }
        Request bulk = new Request("POST", "/_bulk");
        bulk.addParameter("refresh", "wait_for");
        bulk.setEntity(new NStringEntity(ndjson, NDJSON));
        String body = body(client.performRequest(bulk));
        if (!body.contains("\"errors\":false")) {
            throw new IllegalStateException("bulk import reported errors: " + abbreviate(body, 300));
        }
        tx.setLabel("books_imported", books);
        say("POST /admin/catalog/import -> 200  %d books indexed", books);
        return 200;
    }

    /** Full-text search on the title. */
    private int search(Transaction tx, String terms) throws IOException {
        tx.setLabel("search_terms", terms);
        String body = searchBooks("{\"query\":{\"match\":{\"title\":\"" + terms + "\"}},"
            + "\"sort\":[{\"year\":\"desc\"},{\"title.raw\":\"asc\"}],\"size\":5,\"_source\":[\"title\",\"year\"]}");
        return render(tx, "GET /books/search?q=" + terms, body);
    }

    /** The books of one author, newest first, only those in stock. */
    private int searchByAuthor(Transaction tx, String author) throws IOException {
        tx.setLabel("author", author);
        String body = searchBooks("{\"query\":{\"bool\":{\"must\":[{\"term\":{\"author\":\"" + author + "\"}}],"
            + "\"filter\":[{\"range\":{\"stock\":{\"gt\":0}}}]}},"
            + "\"sort\":[{\"year\":\"desc\"},{\"title.raw\":\"asc\"}],\"size\":5,\"_source\":[\"title\"]}");
        return render(tx, "GET /books/search?author=" + author.replace(' ', '+'), body);
    }

    /** Cheap books, with the genres as facets. */
    private int browseBargains(Transaction tx, double maxPrice) throws IOException {
        tx.setLabel("max_price", maxPrice);
        String body = searchBooks("{\"query\":{\"range\":{\"price\":{\"lte\":" + maxPrice + "}}},"
            + "\"sort\":[{\"price\":\"asc\"},{\"title.raw\":\"asc\"}],\"size\":3,\"_source\":[\"title\",\"price\"],"
            + "\"aggs\":{\"genres\":{\"terms\":{\"field\":\"genre\",\"size\":10}}}}");
        return render(tx, String.format(Locale.ROOT, "GET /books/search?max_price=%.0f", maxPrice), body);
    }

    private int countGenre(Transaction tx, String genre) throws IOException {
        tx.setLabel("genre", genre);
        Request count = new Request("POST", "/" + INDEX + "/_count");
        count.setEntity(json("{\"query\":{\"term\":{\"genre\":\"" + genre + "\"}}}"));
        String body = body(client.performRequest(count));
        say("GET /books/count?genre=%s -> 200  %s books", genre, first(COUNT, body, "?"));
        return 200;
    }

    /** A book page: the book itself, then "readers also liked". A missing book is a 404 for the user. */
    private int showBook(Transaction tx, String id) throws IOException {
        tx.setLabel("book_id", id);
        String book;
        Span load = ElasticApm.currentSpan().startSpan("app", "catalog", "load");
        load.setName("load book");
        try (Scope ignored = load.activate()) {
            book = body(client.performRequest(new Request("GET", "/" + INDEX + "/_doc/" + id)));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 404) {
                throw e;
            }
            // an ordinary outcome for a shop: the page says "not found", nothing is broken
            load.setOutcome(Outcome.SUCCESS);
            say("GET /books/%s -> 404  no such book", id);
            return 404;
        } finally {
            load.end();
        }
        String title = unescape(first(TITLE, book, "?"));
        Span similar = ElasticApm.currentSpan().startSpan("app", "recommendation", null);
        similar.setName("find similar books");
        String similarBody;
        try (Scope ignored = similar.activate()) {
            Request mlt = new Request("POST", "/" + INDEX + "/_search");
            mlt.setEntity(json("{\"query\":{\"more_like_this\":{\"fields\":[\"title\",\"genre\"],"
                + "\"like\":[{\"_index\":\"" + INDEX + "\",\"_id\":\"" + id + "\"}],"
                + "\"min_term_freq\":1,\"min_doc_freq\":1}},\"size\":3,\"_source\":[\"title\"]}"));
            similarBody = body(client.performRequest(mlt));
        } finally {
            similar.end();
        }
        say("GET /books/%s -> 200  \"%s\", readers also liked: %s", id, title, titles(similarBody));
        return 200;
    }

    /** The power-user search box: Lucene syntax, which users get wrong. */
    private int advancedSearch(Transaction tx, String userQuery) throws IOException {
        tx.setLabel("search_terms", userQuery);
        try {
            String body = searchBooks("{\"query\":{\"query_string\":{\"query\":\"" + userQuery + "\"}}}");
            return render(tx, "GET /books/search?advanced=" + userQuery, body);
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status != 400) {
                throw e;
            }
            String reason = first(ERROR_REASON, body(e.getResponse()), "invalid query");
            say("GET /books/search?advanced=%s -> 400  %s", userQuery, abbreviate(unescape(reason), 60));
            return 400;
        }
    }

    /** Asks Elasticsearch asynchronously and ranks the answer in the response listener. */
    private int recommendations(Transaction tx, String genre) throws IOException {
        tx.setLabel("genre", genre);
        Request request = new Request("POST", "/" + INDEX + "/_search");
        request.setEntity(json("{\"query\":{\"term\":{\"genre\":\"" + genre + "\"}},"
            + "\"sort\":[{\"title.raw\":\"asc\"}],\"size\":10,\"_source\":[\"title\",\"rating\"]}"));
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<String> ranked = new AtomicReference<String>();
        final AtomicReference<Exception> failure = new AtomicReference<Exception>();
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                // runs on an I/O thread of the client; the agent brings the request's context along
                Span rank = ElasticApm.currentSpan().startSpan("app", "ranking", null);
                rank.setName("rank recommendations");
                try {
                    ranked.set(topRated(body(response), 3).toString());
                } catch (IOException | RuntimeException e) {
                    rank.captureException(e);
                    failure.set(e);
                } finally {
                    rank.end();
                    done.countDown();
                }
            }

            @Override
            public void onFailure(Exception exception) {
                failure.set(exception);
                done.countDown();
            }
        });
        try {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no answer from Elasticsearch within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("recommendations failed", failure.get());
        }
        say("GET /books/recommendations?genre=%s -> 200  %s", genre, ranked.get());
        return 200;
    }

    /** Takes one copy out of stock: read the book, then write the new stock unless someone else changed it. */
    private int purchase(Transaction tx, String id) throws IOException {
        tx.setLabel("book_id", id);
        Span reserve = ElasticApm.currentSpan().startSpan("app", "inventory", null);
        reserve.setName("reserve a copy");
        int left;
        try (Scope ignored = reserve.activate()) {
            String book = body(client.performRequest(new Request("GET", "/" + INDEX + "/_doc/" + id)));
            int stock = Integer.parseInt(first(STOCK, book, "0"));
            if (stock == 0) {
                say("POST /books/%s/purchase -> 409  sold out", id);
                return 409;
            }
            left = stock - 1;
            Request update = new Request("POST", "/" + INDEX + "/_update/" + id);
            update.addParameter("if_seq_no", first(SEQ_NO, book, "0"));
            update.addParameter("if_primary_term", first(PRIMARY_TERM, book, "1"));
            update.addParameter("refresh", "wait_for");
            update.setEntity(json("{\"doc\":{\"stock\":" + left + "}}"));
            consume(client.performRequest(update));
        } finally {
            reserve.end();
        }
        tx.setLabel("stock_left", left);
        say("POST /books/%s/purchase -> 200  %d left in stock", id, left);
        return 200;
    }

    /** The numbers the shop owner looks at every morning. */
    private int summary(Transaction tx) throws IOException {
        String body = searchBooks("{\"size\":0,\"track_total_hits\":true,\"aggs\":{\"by_genre\":{\"terms\":"
            + "{\"field\":\"genre\",\"size\":10,\"order\":{\"_key\":\"asc\"}},"
            + "\"aggs\":{\"avg_price\":{\"avg\":{\"field\":\"price\"}}}}}}");
        Span format = ElasticApm.currentSpan().startSpan("app", "report", null);
        format.setName("format sales report");
        StringBuilder report = new StringBuilder();
        try {
            Matcher m = GENRE_BUCKET.matcher(body);
            while (m.find()) {
                report.append(String.format(Locale.ROOT, "%n      %-22s %2s books, avg %6.2f EUR", m.group(1),
                    m.group(2), Double.parseDouble(m.group(3))));
            }
        } finally {
            format.end();
        }
        tx.setLabel("catalog_size", Integer.parseInt(first(TOTAL_HITS, body, "0")));
        say("GET /reports/sales-summary -> 200  %s books in the catalog:%s", first(TOTAL_HITS, body, "?"), report);
        return 200;
    }

    // ------------------------------------------------------------------ plumbing

    /** What a web framework would do for each incoming request: one transaction around the handler. */
    private int serve(String route, Handler handler) {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName(route);
        tx.setType(Transaction.TYPE_REQUEST);
        int status;
        try (Scope ignored = tx.activate()) {
            status = handler.handle(tx);
        } catch (Exception | LinkageError e) {
            tx.captureException(e);
            unexpectedFailures++;
            status = 500;
            say("%s -> 500  %s", route, e);
        }
        tx.setResult("HTTP " + status / 100 + "xx");
        tx.setOutcome(status >= 500 ? Outcome.FAILURE : Outcome.SUCCESS);
        tx.end();
        requestsServed++;
        return status;
    }

    private interface Handler {
        int handle(Transaction tx) throws Exception;
    }

    private String searchBooks(String query) throws IOException {
        Request search = new Request("POST", "/" + INDEX + "/_search");
        search.setEntity(json(query));
        return body(client.performRequest(search));
    }

    private static int render(Transaction tx, String what, String body) {
        Span render = ElasticApm.currentSpan().startSpan("app", "template", null);
        render.setName("render results");
        String line;
        try {
            String hits = first(TOTAL_HITS, body, "0");
            tx.setLabel("hits", Integer.parseInt(hits));
            line = String.format("%s -> 200  %s hits: %s", what, hits, titles(body));
        } finally {
            render.end();
        }
        say("%s", line);
        return 200;
    }

    private static NStringEntity json(String json) {
        return new NStringEntity(json, ContentType.APPLICATION_JSON);
    }

    private static String body(Response response) throws IOException {
        return response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
    }

    private static void consume(Response response) throws IOException {
        EntityUtils.consume(response.getEntity());
    }

    private static String titles(String body) {
        List<String> titles = allTitles(body);
        return titles.isEmpty() ? "(none)" : titles.toString();
    }

    private static List<String> allTitles(String body) {
        List<String> titles = new ArrayList<String>();
        Matcher m = TITLE.matcher(body);
        while (m.find()) {
            titles.add(unescape(m.group(1)));
        }
        return titles;
    }

    /** The titles of the best rated books among the hits, best first. */
    private static List<String> topRated(String body, int count) {
        List<String[]> rated = new ArrayList<String[]>();
        Matcher hit = SOURCE.matcher(body);
        while (hit.find()) {
            String source = hit.group(1);
            rated.add(new String[] {unescape(first(TITLE, source, "?")), first(RATING, source, "0")});
        }
        Collections.sort(rated, new Comparator<String[]>() {
            @Override
            public int compare(String[] a, String[] b) {
                int byRating = Double.compare(Double.parseDouble(b[1]), Double.parseDouble(a[1]));
                return byRating != 0 ? byRating : a[0].compareTo(b[0]);
            }
        });
        List<String> titles = new ArrayList<String>();
        for (String[] book : rated.subList(0, Math.min(count, rated.size()))) {
            titles.add(book[0] + " (" + book[1] + ")");
        }
        return titles;
    }

    private static String first(Pattern pattern, String text, String otherwise) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : otherwise;
    }

    private static String unescape(String json) {
        return json.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
