package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Recognises Elasticsearch REST endpoints from a method and a path: the endpoint id as the Elasticsearch REST API
 * specification names it ({@code search}, {@code index}, {@code indices.create}, ...), the index, and a path
 * template in which per-document parts are replaced ({@code /orders/_doc/{id}}).
 *
 * <p>Used on the reporter thread only. Matching walks the path in place and allocates nothing; the first route
 * that matches wins, so specific routes come before general ones.
 */
public final class EsEndpoints {

    private static final List<Route> ROUTES = new ArrayList<Route>();
    /** Routes by their number of path segments: a path is only compared with routes of its own length. */
    private static final Route[][] BY_SEGMENTS;

    static {
        route("/", "HEAD", "ping", "*", "info");
        route("/_bulk", "*", "bulk");
        route("/{index}/_bulk", "*", "bulk");
        route("/_search/template", "*", "search_template");
        route("/{index}/_search/template", "*", "search_template");
        route("/_msearch/template", "*", "msearch_template");
        route("/{index}/_msearch/template", "*", "msearch_template");
        route("/_search/scroll", "DELETE", "clear_scroll", "*", "scroll");
        route("/_search/scroll/{id}", "DELETE", "clear_scroll", "*", "scroll");
        route("/_search", "*", "search");
        route("/{index}/_search", "*", "search");
        route("/_msearch", "*", "msearch");
        route("/{index}/_msearch", "*", "msearch");
        route("/_count", "*", "count");
        route("/{index}/_count", "*", "count");
        route("/_mget", "*", "mget");
        route("/{index}/_mget", "*", "mget");
        route("/_async_search/status/{id}", "*", "async_search.status");
        route("/_async_search/{id}", "DELETE", "async_search.delete", "*", "async_search.get");
        route("/_async_search", "*", "async_search.submit");
        route("/{index}/_async_search", "*", "async_search.submit");
        route("/_sql/translate", "*", "sql.translate");
        route("/_sql/close", "*", "sql.clear_cursor");
        route("/_sql", "*", "sql.query");
        route("/_eql/search/status/{id}", "*", "eql.get_status");
        route("/_eql/search/{id}", "DELETE", "eql.delete", "*", "eql.get");
        route("/{index}/_eql/search", "*", "eql.search");
        route("/_pit", "DELETE", "close_point_in_time", "*", "close_point_in_time");
        route("/{index}/_pit", "*", "open_point_in_time");
        route("/_field_caps", "*", "field_caps");
        route("/{index}/_field_caps", "*", "field_caps");
        route("/_reindex", "*", "reindex");
        route("/_refresh", "*", "indices.refresh");
        route("/_flush", "*", "indices.flush");
        route("/_forcemerge", "*", "indices.forcemerge");
        route("/_mapping", "GET", "indices.get_mapping", "*", "indices.put_mapping");
        route("/_settings", "GET", "indices.get_settings", "*", "indices.put_settings");
        route("/_aliases", "GET", "indices.get_alias", "*", "indices.update_aliases");
        route("/_alias/{name}", "HEAD", "indices.exists_alias", "*", "indices.get_alias");
        route("/_alias", "*", "indices.get_alias");
        route("/_analyze", "*", "indices.analyze");
        route("/_index_template/{name}", "GET", "indices.get_index_template", "HEAD",
            "indices.exists_index_template", "DELETE", "indices.delete_index_template", "*",
            "indices.put_index_template");
        route("/_index_template", "*", "indices.get_index_template");
        route("/_component_template/{name}", "GET", "cluster.get_component_template", "DELETE",
            "cluster.delete_component_template", "*", "cluster.put_component_template");
        route("/_template/{name}", "GET", "indices.get_template", "HEAD", "indices.exists_template", "DELETE",
            "indices.delete_template", "*", "indices.put_template");
        route("/_cat/{name}", "*", "cat.*");
        route("/_cat/{name}/{name}", "*", "cat.*");
        route("/_cluster/health", "*", "cluster.health");
        route("/_cluster/health/{index}", "*", "cluster.health");
        route("/_cluster/settings", "GET", "cluster.get_settings", "*", "cluster.put_settings");
        route("/_cluster/state", "*", "cluster.state");
        route("/_cluster/state/{name}", "*", "cluster.state");
        route("/_cluster/state/{name}/{index}", "*", "cluster.state");
        route("/_cluster/stats", "*", "cluster.stats");
        route("/_nodes/stats", "*", "nodes.stats");
        route("/_nodes/{name}/stats", "*", "nodes.stats");
        route("/_nodes", "*", "nodes.info");
        route("/_nodes/{name}", "*", "nodes.info");
        route("/_tasks/{id}/_cancel", "*", "tasks.cancel");
        route("/_tasks/{id}", "*", "tasks.get");
        route("/_tasks", "*", "tasks.list");
        route("/_ingest/pipeline/{name}/_simulate", "*", "ingest.simulate");
        route("/_ingest/pipeline/{name}", "GET", "ingest.get_pipeline", "DELETE", "ingest.delete_pipeline", "*",
            "ingest.put_pipeline");
        route("/_ingest/pipeline", "*", "ingest.get_pipeline");
        route("/_snapshot/{name}/{name}/_restore", "*", "snapshot.restore");
        route("/_snapshot/{name}/{name}", "GET", "snapshot.get", "DELETE", "snapshot.delete", "*",
            "snapshot.create");
        route("/_snapshot/{name}", "GET", "snapshot.get_repository", "DELETE", "snapshot.delete_repository", "*",
            "snapshot.create_repository");
        route("/_scripts/{name}", "GET", "get_script", "DELETE", "delete_script", "*", "put_script");
        route("/_license", "GET", "license.get", "*", "license.post");
        route("/_xpack", "*", "xpack.info");
        route("/_security/_authenticate", "*", "security.authenticate");
        route("/{index}/_doc/{id}", "GET", "get", "HEAD", "exists", "DELETE", "delete", "*", "index");
        route("/{index}/{name}/{id}/_update", "*", "update");
        route("/{index}/_doc", "*", "index");
        route("/{index}/_create/{id}", "*", "create");
        route("/{index}/_update/{id}", "*", "update");
        route("/{index}/_source/{id}", "HEAD", "exists_source", "*", "get_source");
        route("/{index}/_explain/{id}", "*", "explain");
        route("/{index}/_termvectors/{id}", "*", "termvectors");
        route("/{index}/_termvectors", "*", "termvectors");
        route("/_mtermvectors", "*", "mtermvectors");
        route("/{index}/_mtermvectors", "*", "mtermvectors");
        route("/{index}/_delete_by_query", "*", "delete_by_query");
        route("/{index}/_update_by_query", "*", "update_by_query");
        route("/{index}/_validate/query", "*", "indices.validate_query");
        route("/{index}/_rank_eval", "*", "rank_eval");
        route("/{index}/_refresh", "*", "indices.refresh");
        route("/{index}/_flush", "*", "indices.flush");
        route("/{index}/_forcemerge", "*", "indices.forcemerge");
        route("/{index}/_mapping", "GET", "indices.get_mapping", "*", "indices.put_mapping");
        route("/{index}/_mappings", "GET", "indices.get_mapping", "*", "indices.put_mapping");
        route("/{index}/_mapping/field/{name}", "*", "indices.get_field_mapping");
        route("/{index}/_settings", "GET", "indices.get_settings", "*", "indices.put_settings");
        route("/{index}/_settings/{name}", "*", "indices.get_settings");
        route("/{index}/_alias/{name}", "GET", "indices.get_alias", "HEAD", "indices.exists_alias", "DELETE",
            "indices.delete_alias", "*", "indices.put_alias");
        route("/{index}/_aliases/{name}", "DELETE", "indices.delete_alias", "*", "indices.put_alias");
        route("/{index}/_alias", "*", "indices.get_alias");
        route("/{index}/_analyze", "*", "indices.analyze");
        route("/{index}/_open", "*", "indices.open");
        route("/{index}/_close", "*", "indices.close");
        route("/{index}/_stats", "*", "indices.stats");
        route("/{index}/_segments", "*", "indices.segments");
        route("/{index}/_recovery", "*", "indices.recovery");
        route("/{index}/_shrink/{index}", "*", "indices.shrink");
        route("/{index}/_rollover", "*", "indices.rollover");
        route("/{index}", "PUT", "indices.create", "DELETE", "indices.delete", "HEAD", "indices.exists", "*",
            "indices.get");
        route("/{index}/{name}/{id}", "GET", "get", "HEAD", "exists", "DELETE", "delete", "*", "index");
        route("/{index}/{name}", "POST", "index", "*", "indices.get");
        int max = 0;
        for (Route route : ROUTES) {
            max = Math.max(max, route.segments.length);
        }
        BY_SEGMENTS = new Route[max + 1][];
        for (int n = 0; n <= max; n++) {
            List<Route> same = new ArrayList<Route>();
            for (Route route : ROUTES) {
                if (route.segments.length == n) {
                    same.add(route);
                }
            }
            BY_SEGMENTS[n] = same.toArray(new Route[0]);
        }
    }

    private EsEndpoints() {
    }

    private static void route(String pattern, String... methodsAndIds) {
        ROUTES.add(new Route(pattern, methodsAndIds));
    }

    /** What a path matched. Mutable and reused by its owner (the reporter thread). */
    public static final class Match {
        String endpointId;
        int indexStart = -1;
        int indexEnd = -1;
        Route route;
        String path;
        int pathEnd;

        public String endpointId() {
            return endpointId;
        }

        public boolean hasIndex() {
            return indexStart >= 0;
        }

        /** Appends the index name (first index segment), if any. */
        public void appendIndex(StringBuilder out) {
            if (indexStart >= 0) {
                out.append(path, indexStart, indexEnd);
            }
        }

        /** Appends the path with per-document segments replaced by {@code {id}}. */
        public void appendTemplate(StringBuilder out) {
            int pos = 0;
            int segment = 0;
            while (true) {
                while (pos < pathEnd && path.charAt(pos) == '/') {
                    pos++;
                }
                if (pos >= pathEnd) {
                    break;
                }
                int end = segmentEnd(path, pos, pathEnd);
                out.append('/');
                if (route.segments[segment].equals("{id}")) {
                    out.append("{id}");
                } else {
                    out.append(path, pos, end);
                }
                segment++;
                pos = end;
            }
            if (segment == 0) {
                out.append('/');
            }
        }
    }

    /** Matches {@code method} and {@code path} into {@code match}; false when no route is known. */
    public static boolean match(String method, String path, Match match) {
        if (path == null || method == null) {
            return false;
        }
        int end = path.indexOf('?');
        if (end < 0) {
            end = path.length();
        }
        int segments = countSegments(path, end);
        if (segments >= BY_SEGMENTS.length) {
            return false;
        }
        for (Route route : BY_SEGMENTS[segments]) {
            if (route.matches(path, end, match)) {
                String id = route.endpointFor(method);
                if (id == null) {
                    continue;
                }
                match.route = route;
                match.path = path;
                match.pathEnd = end;
                match.endpointId = id.equals("cat.*") ? null : id;
                if (match.endpointId == null) {
                    match.endpointId = catId(path, end);
                }
                return true;
            }
        }
        return false;
    }

    private static int countSegments(String path, int end) {
        int count = 0;
        boolean inSegment = false;
        for (int i = 0; i < end; i++) {
            boolean slash = path.charAt(i) == '/';
            if (!slash && !inSegment) {
                count++;
            }
            inSegment = !slash;
        }
        return count;
    }

    private static String catId(String path, int end) {
        int start = path.indexOf("_cat/") + 5;
        int stop = segmentEnd(path, start, end);
        return "cat." + path.substring(start, stop);
    }

    static int segmentEnd(String path, int start, int end) {
        int slash = path.indexOf('/', start);
        return slash < 0 || slash > end ? end : slash;
    }

    static final class Route {
        final String[] segments;
        final String[] methods;
        final String[] ids;

        Route(String pattern, String[] methodsAndIds) {
            List<String> parts = new ArrayList<String>();
            for (String s : pattern.split("/")) {
                if (!s.isEmpty()) {
                    parts.add(s);
                }
            }
            this.segments = parts.toArray(new String[0]);
            this.methods = new String[methodsAndIds.length / 2];
            this.ids = new String[methodsAndIds.length / 2];
            for (int i = 0; i < methods.length; i++) {
                methods[i] = methodsAndIds[2 * i];
                ids[i] = methodsAndIds[2 * i + 1];
            }
        }

        String endpointFor(String method) {
            for (int i = 0; i < methods.length; i++) {
                if (methods[i].equals("*") || methods[i].equalsIgnoreCase(method)) {
                    return ids[i];
                }
            }
            return null;
        }

        boolean matches(String path, int end, Match match) {
            int pos = 0;
            int indexStart = -1;
            int indexEnd = -1;
            for (String expected : segments) {
                while (pos < end && path.charAt(pos) == '/') {
                    pos++;
                }
                if (pos >= end) {
                    return false;
                }
                int segmentEnd = segmentEnd(path, pos, end);
                if (expected.equals("{index}")) {
                    if (path.charAt(pos) == '_') {
                        return false;
                    }
                    if (indexStart < 0) {
                        indexStart = pos;
                        indexEnd = segmentEnd;
                    }
                } else if (expected.charAt(0) != '{') {
                    if (segmentEnd - pos != expected.length() || !path.regionMatches(pos, expected, 0,
                        expected.length())) {
                        return false;
                    }
                }
                pos = segmentEnd;
            }
            while (pos < end && path.charAt(pos) == '/') {
                pos++;
            }
            if (pos < end) {
                return false;
            }
            match.indexStart = indexStart;
            match.indexEnd = indexEnd;
            return true;
        }
    }
}
