using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Culprits;

/// <summary>What an nft script (<c>nft -f FILE</c>, such as <c>/etc/nftables.conf</c>) does to the tables it does not define.</summary>
public sealed record NftablesConfigFacts
{
    /// <summary>True when the script runs <c>flush ruleset</c>: every nf_tables table goes, iptables-nft's (Docker's) too.</summary>
    public bool FlushesRuleset { get; init; }

    /// <summary>The first <c>flush ruleset</c> line as <c>line N: text</c> (null when there is none).</summary>
    public string? FlushLine { get; init; }

    /// <summary>True when <c>flush ruleset</c> is the script's first statement (Debian's default file).</summary>
    public bool FlushFirst { get; init; }

    /// <summary>The tables the script defines, as <c>family name</c> (<c>inet filter</c>), in order, once each.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>The files the script includes (their flushes are not read).</summary>
    public IReadOnlyList<string> Includes { get; init; } = [];
}

/// <summary>Reads an nft script: whether it flushes the whole ruleset, and which tables it defines.</summary>
public static partial class NftablesConfig
{
    /// <summary>The tables iptables-nft makes for Docker's rules and Docker 29's nftables backend makes: a script that defines one of them replaces Docker's rules.</summary>
    public static readonly IReadOnlyList<string> DockerTables =
        ["ip filter", "ip nat", "ip raw", "ip mangle", "ip6 filter", "ip6 nat", "ip6 raw", "ip6 mangle", "ip docker-bridges", "ip6 docker-bridges"];

    [GeneratedRegex(@"^\s*(?:add\s+|create\s+)?table\s+(?:(ip|ip6|inet|arp|bridge|netdev)\s+)?([A-Za-z0-9_\-\.]+|""[^""]+"")", RegexOptions.CultureInvariant)]
    private static partial Regex TableLine();

    [GeneratedRegex(@"^\s*include\s+""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex IncludeLine();

    [GeneratedRegex(@"^\s*flush\s+ruleset\b", RegexOptions.CultureInvariant)]
    private static partial Regex FlushRulesetLine();

    /// <summary>Parses the script's text (comments and blank lines skipped; a statement per line, or several split by <c>;</c>).</summary>
    public static NftablesConfigFacts Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tables = new List<string>();
        var includes = new List<string>();
        string? flushLine = null;
        var flushFirst = false;
        var statements = 0;
        var depth = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            foreach (var statement in line.Split(';'))
            {
                if (string.IsNullOrWhiteSpace(statement))
                {
                    continue;
                }

                // Only top-level statements count: "flush ruleset" inside a table block is not nft's syntax anyway.
                if (depth == 0)
                {
                    statements++;
                    if (FlushRulesetLine().IsMatch(statement))
                    {
                        if (flushLine is null)
                        {
                            flushLine = $"line {i + 1}: {statement.Trim()}";
                            flushFirst = statements == 1;
                        }
                    }
                    else if (TableLine().Match(statement) is { Success: true } t)
                    {
                        var family = t.Groups[1].Success ? t.Groups[1].Value : "ip"; // nft's default family is ip
                        var name = $"{family} {t.Groups[2].Value.Trim('"')}";
                        if (!tables.Contains(name, StringComparer.Ordinal))
                        {
                            tables.Add(name);
                        }
                    }
                    else if (IncludeLine().Match(statement) is { Success: true } inc)
                    {
                        includes.Add(inc.Groups[1].Value);
                    }
                }

                depth += statement.Count(c => c == '{') - statement.Count(c => c == '}');
                depth = Math.Max(0, depth);
            }
        }

        return new NftablesConfigFacts
        {
            FlushesRuleset = flushLine is not null, FlushLine = flushLine, FlushFirst = flushFirst, Tables = tables, Includes = includes,
        };
    }

    /// <summary>
    /// The lines that replace <c>flush ruleset</c> so that the script renews only its own tables: <c>destroy table</c> where nft
    /// and the kernel have it (nft 1.0.8+, Linux 6.3+), else the form every nft knows: declare the table (a no-op when it
    /// exists), then delete it, both in the same atomic <c>nft -f</c> transaction as the definition that follows.
    /// </summary>
    public static IReadOnlyList<string> ReplacementLines(IReadOnlyList<string> tables, bool destroySupported)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var lines = new List<string>();
        foreach (var table in tables)
        {
            if (destroySupported)
            {
                lines.Add($"destroy table {table}");
            }
            else
            {
                lines.Add($"table {table}");
                lines.Add($"delete table {table}");
            }
        }

        return lines;
    }

    /// <summary>True when nft (<c>nftables v1.0.9 ...</c>) and the kernel (<c>6.1.0-...</c>) both have <c>destroy</c> (nft 1.0.8, Linux 6.3).</summary>
    public static bool DestroySupported(string? nftVersion, string? kernelRelease) =>
        AtLeast(nftVersion, 1, 0, 8) && AtLeast(kernelRelease, 6, 3, 0);

    [GeneratedRegex(@"(\d+)\.(\d+)(?:\.(\d+))?", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    private static bool AtLeast(string? text, int major, int minor, int patch)
    {
        if (text is null || VersionPattern().Match(text) is not { Success: true } m)
        {
            return false;
        }

        static int N(Group g) => g.Success && int.TryParse(g.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        var v = (N(m.Groups[1]), N(m.Groups[2]), N(m.Groups[3]));
        return v.CompareTo((major, minor, patch)) >= 0;
    }
}
