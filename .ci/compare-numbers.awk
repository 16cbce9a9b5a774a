# Compares two text files line by line, token by token: words must be equal, numbers equal to
# a relative 1e-9, and numbers both below 1e-10 in magnitude (residuals, backward errors) count
# as equal round-off. Usage: awk -f compare-numbers.awk expected.txt actual.txt
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?[,;:)]*$/ }
function num(s) { sub(/[,;:)]+$/, "", s); return s + 0 }
function abs(x) { return x < 0 ? -x : x }
FNR == NR { expected[FNR] = $0; lines = FNR; next }
{
    if (FNR > lines) { printf "line %d only in %s: %s\n", FNR, FILENAME, $0; bad = 1; next }
    n = split(expected[FNR], e, /[ \t]+/); m = split($0, a, /[ \t]+/)
    if (n != m) { printf "line %d differs:\n  %s\n  %s\n", FNR, expected[FNR], $0; bad = 1; next }
    for (i = 1; i <= n; i++) {
        if (e[i] == a[i]) continue
        if (isnum(e[i]) && isnum(a[i])) {
            x = num(e[i]); y = num(a[i]); scale = abs(x) > abs(y) ? abs(x) : abs(y)
            if (scale < 1e-10 || abs(x - y) <= 1e-9 * scale) continue
        }
        printf "line %d differs at '%s' vs '%s':\n  %s\n  %s\n", FNR, e[i], a[i], expected[FNR], $0; bad = 1; break
    }
    seen = FNR
}
END {
    if (seen < lines) { printf "%s has %d lines, the other file %d\n", FILENAME, seen, lines; bad = 1 }
    exit bad
}
