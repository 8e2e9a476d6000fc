/*
 * Java oracle for strom's key-group routing (src/io/key-hash.ts, src/io/key-group-assignment.ts).
 *
 * Reimplements the public formulas of Apache Flink's
 *   flink-core/src/main/java/org/apache/flink/util/MathUtils.java
 *     (murmurHash(int), roundUpToPowerOfTwo(int))
 *   flink-runtime/src/main/java/org/apache/flink/runtime/state/KeyGroupRangeAssignment.java
 *     (computeKeyGroupForKeyHash, computeOperatorIndexForKeyGroup, computeDefaultMaxParallelism,
 *      computeKeyGroupRangeForOperatorIndex)
 *   flink-core/src/main/java/org/apache/flink/api/java/tuple/Tuple2.java etc. (TupleN.hashCode)
 * but takes every key's hash from the REAL JDK hashCode() (String, Integer, Long, Double,
 * Boolean), which is the part strom must reproduce in JavaScript.
 *
 * No dependencies. Regenerate the fixture with:
 *   tools/flink-keygroups/generate.sh     (writes test/io/fixtures/flink-key-groups.json)
 */
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

public final class KeyGroups {
    static final int DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 1 << 7;
    static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    // ---- MathUtils -------------------------------------------------------------------------

    static int murmurHash(int code) {
        code *= 0xcc9e2d51;
        code = Integer.rotateLeft(code, 15);
        code *= 0x1b873593;
        code = Integer.rotateLeft(code, 13);
        code = code * 5 + 0xe6546b64;
        code ^= 4;
        code ^= code >>> 16;
        code *= 0x85ebca6b;
        code ^= code >>> 13;
        code *= 0xc2b2ae35;
        code ^= code >>> 16;
        if (code >= 0) {
            return code;
        } else if (code != Integer.MIN_VALUE) {
            return -code;
        } else {
            return 0;
        }
    }

    static int roundUpToPowerOfTwo(int x) {
        x = x - 1;
        x |= x >> 1;
        x |= x >> 2;
        x |= x >> 4;
        x |= x >> 8;
        x |= x >> 16;
        return x + 1;
    }

    // ---- KeyGroupRangeAssignment -----------------------------------------------------------

    static int computeKeyGroupForKeyHash(int keyHash, int maxParallelism) {
        return murmurHash(keyHash) % maxParallelism;
    }

    static int computeOperatorIndexForKeyGroup(int maxParallelism, int parallelism, int keyGroupId) {
        return keyGroupId * parallelism / maxParallelism;
    }

    static int computeDefaultMaxParallelism(int operatorParallelism) {
        return Math.min(
                Math.max(
                        roundUpToPowerOfTwo(operatorParallelism + (operatorParallelism / 2)),
                        DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
                UPPER_BOUND_MAX_PARALLELISM);
    }

    static int[] computeKeyGroupRangeForOperatorIndex(int maxParallelism, int parallelism, int operatorIndex) {
        int start = ((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
        int end = ((operatorIndex + 1) * maxParallelism - 1) / parallelism;
        return new int[] {start, end};
    }

    // ---- Flink TupleN.hashCode: result = h(f0); result = 31 * result + h(fi); null -> 0 -------

    static final class Tuple {
        final Object[] fields;
        Tuple(Object... fields) { this.fields = fields; }
        @Override public int hashCode() {
            int result = 0;
            for (int i = 0; i < fields.length; i++) {
                int h = fields[i] != null ? fields[i].hashCode() : 0;
                result = i == 0 ? h : 31 * result + h;
            }
            return result;
        }
    }

    // ---- JSON output -------------------------------------------------------------------------

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String javaType(Object v) {
        if (v == null) return "null";
        if (v instanceof Tuple) return "Tuple" + ((Tuple) v).fields.length;
        return v.getClass().getSimpleName();
    }

    /** {"javaType": ..., "value": ...}: Long and Double values as strings (exact, NaN/Infinity safe). */
    static String typedValue(Object v) {
        StringBuilder b = new StringBuilder("{\"javaType\":").append(jsonString(javaType(v))).append(",\"value\":");
        if (v == null) b.append("null");
        else if (v instanceof String) b.append(jsonString((String) v));
        else if (v instanceof Integer || v instanceof Boolean) b.append(v);
        else if (v instanceof Long) b.append(jsonString(v.toString()));
        else if (v instanceof Double) {
            double d = (Double) v;
            // Double.toString loses nothing; -0.0 prints as "-0.0", NaN as "NaN".
            b.append(jsonString(Double.toString(d)));
        } else if (v instanceof Tuple) {
            b.append('[');
            Object[] f = ((Tuple) v).fields;
            for (int i = 0; i < f.length; i++) {
                if (i > 0) b.append(',');
                b.append(typedValue(f[i]));
            }
            b.append(']');
        } else throw new IllegalArgumentException("unsupported key " + v);
        return b.append('}').toString();
    }

    static List<Object> keys() {
        List<Object> keys = new ArrayList<>();
        // Strings: ASCII, empty, long, Latin-1, BMP, astral (surrogate pairs), a lone surrogate.
        for (String s : new String[] {
                "", "a", "b", "hello", "world", "flink", "strom", "nennt", "s", "to", "be", "or", "not",
                "The quick brown fox jumps over the lazy dog", "key-12345", "polygenelubricants",
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz",
                "\u00e9", "\u00fcn\u00efc\u00f6d\u00e9", "\u65e5\u672c\u8a9e", "\uD83D\uDE00",
                "a\uD83D\uDE00b", "\uD835\uDD18\uD835\uDD2B\uD835\uDD26", "\uD800", "\u0000", "\uffff"}) {
            keys.add(s);
        }
        // Integers.
        for (int i : new int[] {0, 1, -1, 2, 3, 42, 127, 128, -128, 1000, 65535, 65536, 123456789, -987654321,
                Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1}) {
            keys.add(i);
        }
        // Longs outside int range (incl. the safe-integer bounds of JavaScript and the long extremes).
        for (long l : new long[] {2147483648L, -2147483649L, 4294967296L, -4294967296L, 4294967297L,
                -4294967297L, 1234567890123L, -1234567890123L, 9007199254740991L, -9007199254740991L,
                9223372036854775807L, -9223372036854775808L, 42L}) {
            keys.add(l);
        }
        // Doubles: fractions, signed zero, NaN, infinities, subnormal, large, integral.
        for (double d : new double[] {0.0, -0.0, 1.5, -1.5, 0.1, 3.141592653589793, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, 4.9e-324, 2.0, 9007199254740992.0,
                1e20, -123.456, Double.MAX_VALUE, Double.MIN_NORMAL}) {
            keys.add(d);
        }
        keys.add(true);
        keys.add(false);
        // Tuples (Flink TupleN).
        keys.add(new Tuple("a", 1));
        keys.add(new Tuple("hello", 42));
        keys.add(new Tuple(1, "x", true));
        keys.add(new Tuple(null, 5));
        keys.add(new Tuple("word"));
        keys.add(new Tuple("k", 9223372036854775807L, 1.5));
        keys.add(new Tuple(new Tuple("nested", 1), "outer"));
        keys.add(new Tuple());
        return keys;
    }

    public static void main(String[] args) {
        int[] parallelisms = {1, 2, 3, 4, 7, 128};
        List<Object> keys = keys();
        StringBuilder out = new StringBuilder();
        out.append("{\n");
        out.append("\"generator\": \"tools/flink-keygroups/KeyGroups.java (").append(jsonString(System.getProperty("java.version")).replace("\"", "")).append(")\",\n");
        out.append("\"flinkSources\": [\"flink-core/src/main/java/org/apache/flink/util/MathUtils.java\", "
                + "\"flink-runtime/src/main/java/org/apache/flink/runtime/state/KeyGroupRangeAssignment.java\", "
                + "\"flink-core/src/main/java/org/apache/flink/api/java/tuple/Tuple2.java\"],\n");

        out.append("\"keys\": [\n");
        for (int i = 0; i < keys.size(); i++) {
            Object k = keys.get(i);
            out.append(typedValue(k).replaceFirst("}$", ",\"hashCode\":" + (k == null ? 0 : k.hashCode()) + "}"));
            out.append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        out.append("],\n");

        out.append("\"rows\": [\n");
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            int hash = keys.get(k).hashCode();
            for (int p : parallelisms) {
                Set<Integer> maxPs = new LinkedHashSet<>();
                maxPs.add(128);
                maxPs.add(computeDefaultMaxParallelism(p));
                maxPs.add(32768);
                for (int maxP : maxPs) {
                    int keyGroup = computeKeyGroupForKeyHash(hash, maxP);
                    int subtask = computeOperatorIndexForKeyGroup(maxP, p, keyGroup);
                    rows.add("{\"key\":" + k + ",\"hashCode\":" + hash + ",\"parallelism\":" + p
                            + ",\"maxParallelism\":" + maxP + ",\"keyGroup\":" + keyGroup + ",\"subtask\":" + subtask + "}");
                }
            }
        }
        out.append(String.join(",\n", rows)).append("\n],\n");

        out.append("\"defaultMaxParallelism\": [");
        int[] ps = {1, 2, 3, 4, 7, 64, 85, 86, 100, 128, 171, 172, 1000, 10000, 21845, 21846, 32767, 32768};
        for (int i = 0; i < ps.length; i++) {
            out.append(i > 0 ? ", " : "").append("[").append(ps[i]).append(", ").append(computeDefaultMaxParallelism(ps[i])).append("]");
        }
        out.append("],\n");

        out.append("\"keyGroupRanges\": [\n");
        List<String> ranges = new ArrayList<>();
        int[][] cases = {{128, 1}, {128, 3}, {128, 7}, {128, 128}, {256, 100}, {32768, 7}, {32768, 32768}, {10, 3}};
        for (int[] c : cases) {
            int step = Math.max(1, c[1] / 8);
            for (int op = 0; op < c[1]; op += step) {
                int[] r = computeKeyGroupRangeForOperatorIndex(c[0], c[1], op);
                ranges.add("[" + c[0] + ", " + c[1] + ", " + op + ", " + r[0] + ", " + r[1] + "]");
            }
        }
        out.append(String.join(",\n", ranges)).append("\n],\n");

        out.append("\"murmur\": [");
        List<String> murmur = new ArrayList<>();
        for (int v : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 42, 99162322}) {
            murmur.add("[" + v + ", " + murmurHash(v) + "]");
        }
        Random random = new Random(20240601L);
        for (int i = 0; i < 200; i++) {
            int v = random.nextInt();
            murmur.add("[" + v + ", " + murmurHash(v) + "]");
        }
        // Find an input whose mixed value is Integer.MIN_VALUE is infeasible by search; the
        // MIN_VALUE -> 0 branch is covered by the TS unit test on the formula instead.
        out.append(String.join(", ", murmur)).append("]\n");
        out.append("}\n");
        System.out.print(out);
    }
}
