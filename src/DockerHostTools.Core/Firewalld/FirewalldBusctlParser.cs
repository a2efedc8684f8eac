using System.Globalization;
using System.Text.Json;

namespace DockerHostTools.Core.Firewalld;

/// <summary>
/// Parsers for what <c>busctl --json=short</c> prints for firewalld's D-Bus API (firewalld 0.9+, systemd 240+): string
/// lists (<c>getZones</c>, <c>listZones</c>), single strings (<c>get-property ... name</c>) and zone settings
/// dictionaries (<c>getZoneSettings2</c> at runtime, <c>config.zone.getSettings2</c> permanently). Zones are built
/// exactly as <see cref="FirewallCmdParser.ParseZones"/> builds them from <c>firewall-cmd --list-all-zones</c>: the
/// same keys, the same order and sorting rules as firewall-cmd's printer, so both roads give equal objects.
/// </summary>
public static class FirewalldBusctlParser
{
    /// <summary>
    /// Reads a string-list answer: <c>{"type":"as","data":[["a","b"]]}</c> from <c>call</c> (also <c>ao</c>), or
    /// <c>{"type":"as","data":["a","b"]}</c> from <c>get-property</c>. Null when the call failed or printed anything else.
    /// </summary>
    public static IReadOnlyList<string>? ParseStringArray(int exitCode, string standardOutput)
    {
        var data = Data(exitCode, standardOutput);
        if (data is not { ValueKind: JsonValueKind.Array } d)
        {
            return null;
        }

        // call wraps the reply's arguments in an array; get-property gives the value itself
        var list = d.GetArrayLength() == 1 && d[0].ValueKind == JsonValueKind.Array ? d[0] : d;
        return list.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? list.EnumerateArray().Select(e => e.GetString()!).ToList()
            : null;
    }

    /// <summary>
    /// Reads a one-string answer: <c>{"type":"s","data":"x"}</c> (<c>get-property</c>) or
    /// <c>{"type":"s","data":["x"]}</c> (<c>call</c>); null when the call failed or printed anything else.
    /// </summary>
    public static string? ParseString(int exitCode, string standardOutput)
    {
        var data = Data(exitCode, standardOutput);
        return data switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() == 1 && a[0].ValueKind == JsonValueKind.String => a[0].GetString(),
            _ => null,
        };
    }

    /// <summary>
    /// Builds the zone from a settings dictionary (<c>a{sv}</c>, the answer of <c>getZoneSettings2</c> or
    /// <c>getSettings2</c>). Keys firewalld leaves out are empty (lists) or false (flags), as firewall-cmd shows them;
    /// <c>forward</c> is kept absent when firewalld does not send it (before 1.0). Null when the call failed or the
    /// answer is not a settings dictionary.
    /// </summary>
    public static FirewalldZone? ParseZoneSettings(string name, FirewalldConfiguration configuration, int exitCode, string standardOutput)
    {
        ArgumentNullException.ThrowIfNull(name);
        var data = Data(exitCode, standardOutput);
        if (data is not { ValueKind: JsonValueKind.Array } d || d.GetArrayLength() != 1 || d[0].ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var dict = d[0];
        List<string> Strings(string key) => Value(dict, key) is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        List<string[]> Tuples(string key) => Value(dict, key) is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Array)
                .Select(t => t.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.ToString()).ToArray()).ToList()
            : [];
        bool? Flag(string key) => Value(dict, key) is { } v && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
        var target = Value(dict, "target") is { ValueKind: JsonValueKind.String } t ? t.GetString()! : null;
        return BuildZone(name, configuration, Strings, Tuples, Flag, target);
    }

    /// <summary>
    /// Builds a zone from the values of a settings dictionary, however they were read (busctl's JSON, or D-Bus in
    /// process): the string lists, the tuples (ports, forward ports) as strings, the flags (null when absent) and the
    /// target (null: <c>default</c>).
    /// </summary>
    internal static FirewalldZone BuildZone(string name, FirewalldConfiguration configuration, Func<string, List<string>> strings,
        Func<string, List<string[]>> tuples, Func<string, bool?> flag, string? target)
    {
        static string YesNo(bool? b) => b == true ? "yes" : "no";
        static List<string> Words(IEnumerable<string> values) =>
            values.SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

        // The keys and rules of firewall-cmd's print_zone_info (firewall/command.py): interfaces sorted and unique,
        // services and protocols sorted, ports as port/proto, forward ports as port=:proto=:toport=:toaddr=, rich rules
        // ordered by their priority (a stable sort), everything else as firewalld holds it.
        target ??= "default";
        var settings = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["target"] = Words([target]),
            ["icmp-block-inversion"] = [YesNo(flag("icmp_block_inversion"))],
            ["interfaces"] = Words(strings("interfaces").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            ["sources"] = Words(strings("sources")),
            ["services"] = Words(strings("services").Order(StringComparer.Ordinal)),
            ["ports"] = tuples("ports").Select(p => $"{At(p, 0)}/{At(p, 1)}").ToList(),
            ["protocols"] = Words(strings("protocols").Order(StringComparer.Ordinal)),
        };
        if (flag("forward") is { } forward)
        {
            settings["forward"] = [YesNo(forward)];
        }

        settings["masquerade"] = [YesNo(flag("masquerade"))];
        settings["forward-ports"] = tuples("forward_ports").Select(p => $"port={At(p, 0)}:proto={At(p, 1)}:toport={At(p, 2)}:toaddr={At(p, 3)}").ToList();
        settings["source-ports"] = tuples("source_ports").Select(p => $"{At(p, 0)}/{At(p, 1)}").ToList();
        settings["icmp-blocks"] = Words(strings("icmp_blocks"));
        settings["rich rules"] = strings("rules_str").OrderBy(RichRulePriority).ToList();

        var bound = settings["interfaces"].Count > 0 || settings["sources"].Count > 0;
        return new FirewalldZone(name, configuration, bound, false, settings);
    }

    /// <summary>firewall-cmd's sort key for rich rules: the number after <c>priority=</c>, else 0.</summary>
    internal static int RichRulePriority(string rule)
    {
        const string key = "priority=";
        var i = rule.IndexOf(key, StringComparison.Ordinal);
        if (i < 0)
        {
            return 0;
        }

        var rest = rule[(i + key.Length)..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var text = (space < 0 ? rest : rest[..space]).Replace("\"", string.Empty, StringComparison.Ordinal);
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) ? p : 0;
    }

    private static string At(string[] tuple, int index) => index < tuple.Length ? tuple[index] : string.Empty;

    private static JsonElement? Value(JsonElement dict, string key) =>
        dict.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("data", out var data) ? data : null;

    private static JsonElement? Data(int exitCode, string standardOutput)
    {
        if (exitCode != 0 || string.IsNullOrWhiteSpace(standardOutput))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(standardOutput);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) ? data.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
