// pgJDBC against the odoo-sql wire server, for test/clients/jdbc.test.ts.
//
// Run as a single-file program (JDK 11+): java -cp /usr/share/java/postgresql.jar JdbcClient.java '<json args>'
// Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
// Prints one JSON line per section: {"section":…,"ok":true,"value":…} or
// {"section":…,"ok":false,"error":…,"sqlstate":…,"trace":…}; a failing section does not stop the others.
// Arguments (one JSON object, parsed by hand to need nothing but the JDK): {"orderIds":[1,2,3]}.

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

public class JdbcClient {
    interface Section {
        Object run(Connection c) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        // timestamps travel as UTC wall-clock values; read them the same way whatever the machine's zone
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        List<Integer> orderIds = intList(args.length > 0 ? args[0] : "{}", "orderIds");

        String url = "jdbc:postgresql://" + env("PGHOST", "127.0.0.1") + ":" + env("PGPORT", "5432") + "/" + env("PGDATABASE", "odoo");
        Properties props = new Properties();
        props.setProperty("user", env("PGUSER", "admin"));
        props.setProperty("password", env("PGPASSWORD", ""));
        props.setProperty("ApplicationName", "odoo-sql-jdbc-test");
        // a server that stops answering fails the section instead of hanging the run
        props.setProperty("connectTimeout", "15");
        props.setProperty("socketTimeout", "30");
        props.setProperty("sslmode", "disable");

        Connection conn = null;
        try {
            conn = DriverManager.getConnection(url, props);
        } catch (Exception e) {
            connectError = e;
        }
        section(conn, "connect", c -> {
            DatabaseMetaData md = c.getMetaData();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("product", md.getDatabaseProductName());
            v.put("version", md.getDatabaseProductVersion());
            v.put("major", md.getDatabaseMajorVersion());
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database(), current_user")) {
                rs.next();
                v.put("database", rs.getString(1));
                v.put("user", rs.getString(2));
            }
            return v;
        });
        section(conn, "getTables", c -> {
            Map<String, Object> v = new LinkedHashMap<>();
            List<Object> names = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) names.add(rs.getString("TABLE_NAME"));
            }
            v.put("tables", names);
            List<Object> partner = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, "public", "res_partner", null)) {
                while (rs.next()) partner.add(row("schema", rs.getString("TABLE_SCHEM"), "name", rs.getString("TABLE_NAME"), "type", rs.getString("TABLE_TYPE"), "remarks", rs.getString("REMARKS")));
            }
            v.put("res_partner", partner);
            return v;
        });
        section(conn, "getColumns", c -> {
            List<Object> cols = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getColumns(null, "public", "res_partner", "%")) {
                while (rs.next()) {
                    cols.add(row("name", rs.getString("COLUMN_NAME"), "typeName", rs.getString("TYPE_NAME"), "dataType", rs.getInt("DATA_TYPE"),
                        "nullable", rs.getInt("NULLABLE"), "position", rs.getInt("ORDINAL_POSITION"), "remarks", rs.getString("REMARKS")));
                }
            }
            return cols;
        });
        section(conn, "getPrimaryKeys", c -> {
            Map<String, Object> v = new LinkedHashMap<>();
            for (String table : new String[] {"res_partner", "sale_order"}) {
                List<Object> keys = new ArrayList<>();
                try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, "public", table)) {
                    while (rs.next()) keys.add(row("column", rs.getString("COLUMN_NAME"), "seq", rs.getInt("KEY_SEQ"), "name", rs.getString("PK_NAME")));
                }
                v.put(table, keys);
            }
            return v;
        });
        section(conn, "getImportedKeys", c -> {
            List<Object> keys = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getImportedKeys(null, "public", "sale_order")) {
                while (rs.next()) {
                    keys.add(row("pkTable", rs.getString("PKTABLE_NAME"), "pkColumn", rs.getString("PKCOLUMN_NAME"), "fkTable", rs.getString("FKTABLE_NAME"),
                        "fkColumn", rs.getString("FKCOLUMN_NAME"), "seq", rs.getInt("KEY_SEQ"), "name", rs.getString("FK_NAME")));
                }
            }
            return keys;
        });
        section(conn, "prepared7", c -> {
            // prepareThreshold is 5: executions 5 to 7 use a named server statement and binary results
            Map<String, Object> v = new LinkedHashMap<>();
            List<Object> runs = new ArrayList<>();
            List<Object> serverPrepared = new ArrayList<>();
            List<Object> meta = new ArrayList<>();
            String sql = "SELECT id, name, amount_total, date_order, partner_id, require_signature FROM sale_order WHERE id = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                org.postgresql.PGStatement pgs = ps.unwrap(org.postgresql.PGStatement.class);
                for (int i = 0; i < 7; i++) {
                    serverPrepared.add(pgs.isUseServerPrepare());
                    ps.setInt(1, orderIds.get(i % orderIds.size()));
                    try (ResultSet rs = ps.executeQuery()) {
                        List<Object> rows = new ArrayList<>();
                        while (rs.next()) {
                            BigDecimal amount = rs.getBigDecimal(3);
                            Timestamp when = rs.getTimestamp(4);
                            rows.add(list(rs.getInt(1), rs.getString(2), amount == null ? null : amount.toPlainString(),
                                when == null ? null : when.toInstant().toString(), rs.getObject(5), rs.getObject(6)));
                        }
                        runs.add(rows);
                        if (i == 6) {
                            ResultSetMetaData md = rs.getMetaData();
                            org.postgresql.PGResultSetMetaData pmd = md.unwrap(org.postgresql.PGResultSetMetaData.class);
                            for (int col = 1; col <= md.getColumnCount(); col++) {
                                meta.add(row("name", md.getColumnName(col), "type", md.getColumnTypeName(col), "table", pmd.getBaseTableName(col),
                                    "nullable", md.isNullable(col)));
                            }
                        }
                    }
                }
            }
            v.put("runs", runs);
            v.put("serverPrepared", serverPrepared);
            v.put("meta", meta);
            return v;
        });
        section(conn, "fetchSize", c -> {
            // a portal read 50 rows per Execute: BEGIN, Bind C_n, Execute maxRows=50 … PortalSuspended
            Map<String, Object> v = new LinkedHashMap<>();
            c.setAutoCommit(false);
            List<Object> rows = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                st.setFetchSize(50);
                try (ResultSet rs = st.executeQuery("SELECT id, code FROM res_country ORDER BY id")) {
                    while (rs.next()) rows.add(list(rs.getInt(1), rs.getString(2)));
                }
                v.put("fetchSize", st.getFetchSize());
            } finally {
                c.commit();
                c.setAutoCommit(true);
            }
            v.put("rows", rows);
            return v;
        });
        section(conn, "errorThenQuery", c -> {
            Map<String, Object> v = new LinkedHashMap<>();
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT * FROM no_such_table");
                v.put("sqlstate", null);
            } catch (SQLException e) {
                v.put("sqlstate", e.getSQLState());
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM res_partner")) {
                rs.next();
                v.put("count", rs.getLong(1));
            }
            return v;
        });
        try {
            if (conn != null) conn.close();
        } catch (Exception e) {
            fail("close", e);
        }
    }

    /** Why the connection failed, reported by every section (null once connected). */
    static Exception connectError;

    static void section(Connection c, String name, Section body) {
        if (c == null) {
            fail(name, connectError);
            return;
        }
        try {
            Object value = body.run(c);
            System.out.println("{\"section\":" + json(name) + ",\"ok\":true,\"value\":" + json(value) + "}");
        } catch (Exception e) {
            fail(name, e);
        }
        System.out.flush();
    }

    static void fail(String name, Exception e) {
        String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        System.out.println("{\"section\":" + json(name) + ",\"ok\":false,\"error\":" + json(e.getClass().getName() + ": " + e.getMessage())
            + ",\"sqlstate\":" + json(state) + ",\"trace\":" + json(trace.toString()) + "}");
        System.out.flush();
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static List<Object> list(Object... items) {
        List<Object> l = new ArrayList<>();
        for (Object o : items) l.add(o);
        return l;
    }

    /** The integers of "key":[…] in a flat JSON object (enough for this program's arguments). */
    static List<Integer> intList(String json, String key) {
        List<Integer> out = new ArrayList<>();
        int at = json.indexOf("\"" + key + "\"");
        if (at < 0) return out;
        int open = json.indexOf('[', at);
        int close = json.indexOf(']', open);
        for (String part : json.substring(open + 1, close).split(",")) {
            if (!part.trim().isEmpty()) out.add(Integer.parseInt(part.trim()));
        }
        return out;
    }

    static String json(Object o) {
        if (o == null) return "null";
        if (o instanceof String) {
            String s = (String) o;
            StringBuilder b = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                        else b.append(ch);
                }
            }
            return b.append('"').toString();
        }
        if (o instanceof Boolean || o instanceof Integer || o instanceof Long) return o.toString();
        if (o instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                if (!first) b.append(',');
                first = false;
                b.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof List) {
            StringBuilder b = new StringBuilder("[");
            boolean first = true;
            for (Object item : (List<?>) o) {
                if (!first) b.append(',');
                first = false;
                b.append(json(item));
            }
            return b.append(']').toString();
        }
        return json(o.toString());
    }
}
