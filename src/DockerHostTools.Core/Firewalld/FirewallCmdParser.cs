using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Firewalld;

/// <summary>
/// Parsers for what <c>firewall-cmd</c> prints (firewalld 0.6 to 2.x). Lenient by design: keys vary by version
/// (0.6 has no <c>forward:</c>), unknown keys are kept in <see cref="FirewalldZone.Settings"/>, and decisions rest on
/// exit codes where firewall-cmd has them.
/// </summary>
public static partial class FirewallCmdParser
{
    /// <summary>Exit code of <c>--state</c> when firewalld does not run (also of every query that needs it).</summary>
    public const int ExitNotRunning = 252;

    /// <summary>Exit code of <c>--state</c> when firewalld started and failed.</summary>
    public const int ExitFailed = 251;

    /// <summary>Exit code when the caller is not authorized (not root).</summary>
    public const int ExitNotAuthorized = 253;

    /// <summary>Exit code of firewall-cmd's INVALID_ZONE.</summary>
    public const int ExitInvalidZone = 112;

    /// <summary>Reads <c>firewall-cmd --state</c>: the text goes to stdout when running, to stderr otherwise.</summary>
    public static (FirewalldRunState State, string Message) ParseState(int exitCode, string standardOutput, string standardError)
    {
        var text = ((standardOutput ?? string.Empty).Trim() + "\n" + (standardError ?? string.Empty).Trim()).Trim();
        if (exitCode == 0 && text.StartsWith("running", StringComparison.Ordinal))
        {
            return (FirewalldRunState.Running, "firewalld is running.");
        }

        if (text.Contains("DBUS_ERROR", StringComparison.Ordinal) || text.Contains("system_bus_socket", StringComparison.Ordinal))
        {
            return (FirewalldRunState.Unreachable, $"firewall-cmd cannot reach the system D-Bus (exit {exitCode}): {text}");
        }

        if (exitCode == ExitFailed || text.Equals("failed", StringComparison.Ordinal))
        {
            return (FirewalldRunState.Failed, "firewalld started but failed to load its configuration (--state: failed, exit 251); see its log.");
        }

        if (exitCode == ExitNotRunning || text.Contains("not running", StringComparison.OrdinalIgnoreCase))
        {
            return (FirewalldRunState.NotRunning, "firewalld is not running (--state: not running, exit 252): nothing filters by zone now.");
        }

        if (exitCode == ExitNotAuthorized)
        {
            return (FirewalldRunState.Unreachable, $"firewall-cmd is not authorized (exit 253): {text}");
        }

        return (FirewalldRunState.Unreachable, $"firewall-cmd --state gave an unexpected answer (exit {exitCode}): {text}");
    }

    /// <summary>
    /// Reads a one-string answer of <c>busctl</c> (<c>s "RUNNING"</c>, <c>s "public"</c>): the string, or null when the
    /// call failed or printed something else.
    /// </summary>
    public static string? ParseBusctlString(int exitCode, string standardOutput)
    {
        var line = ParseDefaultZone(standardOutput);
        if (exitCode != 0 || line is null || !line.StartsWith("s \"", StringComparison.Ordinal) || !line.EndsWith('"'))
        {
            return null;
        }

        return line[3..^1];
    }

    /// <summary>Reads <c>--get-default-zone</c>: one line, the zone name; null when empty.</summary>
    public static string? ParseDefaultZone(string standardOutput)
    {
        var line = (standardOutput ?? string.Empty).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line;
    }

    /// <summary>
    /// Reads <c>--get-active-zones</c>: a zone name at the start of a line, then indented <c>interfaces: ...</c> and
    /// <c>sources: ...</c> lines (0.6 prints the same shape). Returns zone name, interfaces, sources in printed order.
    /// </summary>
    public static IReadOnlyList<(string Zone, IReadOnlyList<string> Interfaces, IReadOnlyList<string> Sources)> ParseActiveZones(string standardOutput)
    {
        var list = new List<(string, List<string>, List<string>)>();
        foreach (var raw in Lines(standardOutput))
        {
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(raw[0]))
            {
                list.Add((raw.Trim(), [], []));
                continue;
            }

            if (list.Count == 0)
            {
                continue;
            }

            var (key, values) = KeyValue(raw.Trim());
            if (key == "interfaces")
            {
                list[^1].Item2.AddRange(values);
            }
            else if (key == "sources")
            {
                list[^1].Item3.AddRange(values);
            }
        }

        return list.Select(z => (z.Item1, (IReadOnlyList<string>)z.Item2, (IReadOnlyList<string>)z.Item3)).ToList();
    }

    /// <summary>
    /// Reads <c>--list-all-zones</c> or <c>--list-all</c> (with or without <c>--permanent</c>): a header
    /// <c>name [(default, active)]</c>, <c>  key: values</c> lines, and tab-indented continuation lines for
    /// <c>forward-ports</c> and <c>rich rules</c>; zones separated by blank lines.
    /// </summary>
    public static IReadOnlyList<FirewalldZone> ParseZones(string standardOutput, FirewalldConfiguration configuration)
    {
        var zones = new List<FirewalldZone>();
        string? name = null;
        bool active = false, isDefault = false;
        Dictionary<string, List<string>>? settings = null;
        string? lastKey = null;

        void Flush()
        {
            if (name is not null && settings is not null)
            {
                zones.Add(new FirewalldZone(name, configuration, active, isDefault,
                    settings.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal)));
            }

            name = null;
            settings = null;
            lastKey = null;
        }

        foreach (var raw in Lines(standardOutput))
        {
            if (raw.Trim().Length == 0)
            {
                continue; // blank lines separate zones; 0.6 also prints a lone tab after "rich rules:".
            }

            if (!char.IsWhiteSpace(raw[0]))
            {
                Flush();
                var m = HeaderRegex().Match(raw.Trim());
                name = m.Groups["name"].Value;
                var flags = m.Groups["flags"].Success ? m.Groups["flags"].Value : string.Empty;
                active = flags.Contains("active", StringComparison.Ordinal);
                isDefault = flags.Contains("default", StringComparison.Ordinal);
                settings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                continue;
            }

            if (settings is null)
            {
                continue;
            }

            if (raw[0] == '\t' && lastKey is not null)
            {
                settings[lastKey].Add(raw.Trim()); // forward-ports / rich rules: one entry per continuation line
                continue;
            }

            var (key, values) = KeyValue(raw.Trim());
            if (key is null)
            {
                continue;
            }

            lastKey = key;
            // rich rules and forward-ports: an entry on the key line (some versions) is one entry, not words.
            settings[key] = key is "rich rules" or "forward-ports"
                ? (values.Count > 0 ? [string.Join(' ', values)] : [])
                : values.ToList();
        }

        Flush();
        return zones;
    }

    /// <summary>Reads <c>--get-zone-of-interface=IF</c>: the zone, or null for <c>no zone</c> (non-zero exit).</summary>
    public static string? ParseZoneOfInterface(int exitCode, string standardOutput)
    {
        var zone = ParseDefaultZone(standardOutput);
        return exitCode == 0 && zone is not null && zone != "no zone" ? zone : null;
    }

    /// <summary>Reads a <c>--query-*</c> answer: <c>yes</c> exit 0, <c>no</c> exit 1; null for anything else (an error).</summary>
    public static bool? ParseQuery(int exitCode, string standardOutput)
    {
        var word = ParseDefaultZone(standardOutput);
        return (exitCode, word) switch
        {
            (0, "yes") => true,
            (1, "no") => false,
            _ => null,
        };
    }

    /// <summary>firewalld's error code from <c>Error: INVALID_ZONE: x</c> or <c>Warning: ALREADY_ENABLED: ...</c>, else null.</summary>
    public static string? ParseErrorCode(string? text)
    {
        var m = ErrorRegex().Match(text ?? string.Empty);
        return m.Success ? m.Groups["code"].Value : null;
    }

    /// <summary>Reads <c>FirewallBackend=</c> and <c>DefaultZone=</c> (and every other key) from firewalld.conf.</summary>
    public static IReadOnlyDictionary<string, string> ParseConf(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Lines(text))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || eq <= 0)
            {
                continue;
            }

            d[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"');
        }

        return d;
    }

    private static (string? Key, IReadOnlyList<string> Values) KeyValue(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return (null, []);
        }

        var key = line[..colon].Trim();
        var values = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (key, values);
    }

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    [GeneratedRegex(@"^(?<name>\S+)(\s+\((?<flags>[^)]*)\))?")]
    private static partial Regex HeaderRegex();

    [GeneratedRegex(@"(Error|Warning):\s*(?<code>[A-Z_]+)")]
    private static partial Regex ErrorRegex();
}
