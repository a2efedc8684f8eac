namespace DockerHostTools.Core.Sysctl;

/// <summary>Reads sysctl.d / sysctl.conf files the way systemd-sysctl and procps sysctl do.</summary>
public static class SysctlFileParser
{
    /// <summary>One parsed line.</summary>
    /// <param name="Line">The line number, from 1.</param>
    /// <param name="Key">The key, normalised to dots.</param>
    /// <param name="Value">The value, trimmed.</param>
    /// <param name="IgnoreFailure">The key had a leading <c>-</c>.</param>
    public readonly record struct Entry(int Line, string Key, string Value, bool IgnoreFailure);

    /// <summary>
    /// Parses the text of one file: blank lines and lines starting with <c>#</c> or <c>;</c> are comments,
    /// <c>key = value</c> otherwise; a line without <c>=</c> is skipped (both tools only warn about it).
    /// </summary>
    public static IReadOnlyList<Entry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<Entry>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var ignore = key.StartsWith('-');
            if (ignore)
            {
                key = key[1..].TrimStart();
            }

            if (key.Length == 0)
            {
                continue;
            }

            entries.Add(new Entry(lineNo, NormalizeKey(key), line[(eq + 1)..].Trim(), ignore));
        }

        return entries;
    }

    /// <summary>
    /// Normalises a key to dots: when its first separator is a slash (<c>net/ipv4/ip_forward</c>), slashes and
    /// dots swap places, as sysctl does (so <c>net/ipv4/conf/eth0.100/forwarding</c> keeps the dot in the interface name).
    /// </summary>
    public static string NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var firstSep = key.IndexOfAny(['.', '/']);
        if (firstSep < 0 || key[firstSep] == '.')
        {
            return key;
        }

        return string.Create(key.Length, key, static (span, k) =>
        {
            for (var i = 0; i < k.Length; i++)
            {
                span[i] = k[i] switch { '/' => '.', '.' => '/', var c => c };
            }
        });
    }

    /// <summary>True when <paramref name="key"/> (possibly a glob with <c>*</c>, <c>?</c>) names <paramref name="target"/>.</summary>
    public static bool Matches(string key, string target)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(target);
        return IsGlob(key) ? GlobMatch(key, target) : string.Equals(key, target, StringComparison.Ordinal);
    }

    /// <summary>True when the key is a glob pattern (systemd-sysctl 249 and later expand these).</summary>
    public static bool IsGlob(string key) => key.AsSpan().IndexOfAny('*', '?', '[') >= 0;

    // One pass with a single backtrack point (the last '*' seen): O(pattern x key) at worst. The recursive form it
    // replaces tried every split at every '*' and took minutes on a drop-in line of thirty stars (found by fuzzing).
    private static bool GlobMatch(string p, string s)
    {
        int pi = 0, si = 0, star = -1, starSi = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                starSi = si;
            }
            else if (pi < p.Length && (p[pi] == '?' || p[pi] == s[si]))
            {
                pi++;
                si++;
            }
            else if (star >= 0)
            {
                // let the last star swallow one more character and try again from there
                pi = star + 1;
                si = ++starSi;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }
}
