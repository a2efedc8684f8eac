using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Trace;

/// <summary>
/// Parses the text of <c>nft -a monitor trace</c> (nft 1.0.6 on Debian 12 and 1.1.3 on Debian 13 print text even with
/// <c>-j</c>: none of them has a JSON trace) into one <see cref="TracedPacket"/> per trace id, and the hooks of the base
/// chains from <c>nft -j list chains</c>.
/// </summary>
public static partial class NftTraceParser
{
    [GeneratedRegex(@"^trace id (?<id>[0-9a-f]+) (?<family>\S+) (?<table>\S+) (?<chain>\S+) (?<kind>packet:|rule|policy|unknown rule handle|verdict)(?<rest>.*)$")]
    private static partial Regex EventLine();

    [GeneratedRegex(@"^\s*(?<rule>.*?)(?: # handle (?<handle>\d+))?\s*\(verdict (?<verdict>[^)]*)\)\s*$")]
    private static partial Regex RuleRest();

    [GeneratedRegex(@"^\s*(?<handle>\d+)\s*\(verdict (?<verdict>[^)]*)\)\s*$")]
    private static partial Regex UnknownRest();

    [GeneratedRegex(@"\b(?<key>iif|oif|ip saddr|ip daddr|ip6 saddr|ip6 daddr|tcp sport|tcp dport|udp sport|udp dport) (?<value>""[^""]*""|\S+)")]
    private static partial Regex PacketField();

    /// <summary>The events of one trace line, or null when the line is not one.</summary>
    internal sealed record TraceEvent(string Id, string Family, string Table, string Chain, string Kind, string Rest);

    /// <summary>Parses one line of <c>nft monitor trace</c>; null for anything else (blank lines, warnings).</summary>
    internal static TraceEvent? ParseLine(string line)
    {
        var m = EventLine().Match(line.TrimEnd());
        return m.Success
            ? new TraceEvent(m.Groups["id"].Value, m.Groups["family"].Value, m.Groups["table"].Value, m.Groups["chain"].Value, m.Groups["kind"].Value, m.Groups["rest"].Value)
            : null;
    }

    /// <summary>
    /// The hooks of the base chains in <c>nft -j list chains</c>, keyed "family table chain"; empty when the text is not
    /// that JSON.
    /// </summary>
    public static IReadOnlyDictionary<string, TraceHook> ParseChainHooks(string json)
    {
        var hooks = new Dictionary<string, TraceHook>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return hooks;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                return hooks;
            }

            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("chain", out var c) && c.TryGetProperty("hook", out var h)
                    && c.TryGetProperty("family", out var f) && c.TryGetProperty("table", out var t) && c.TryGetProperty("name", out var n))
                {
                    hooks[$"{f.GetString()} {t.GetString()} {n.GetString()}"] = HookOf(h.GetString());
                }
            }
        }
        catch (JsonException)
        {
            return hooks;
        }

        return hooks;
    }

    private static TraceHook HookOf(string? name) => name switch
    {
        "prerouting" => TraceHook.Prerouting,
        "input" => TraceHook.Input,
        "forward" => TraceHook.Forward,
        "output" => TraceHook.Output,
        "postrouting" => TraceHook.Postrouting,
        _ => TraceHook.Unknown,
    };

    /// <summary>A base chain's hook guessed from its name (iptables' PREROUTING..., firewalld's filter_INPUT..., Docker's
    /// nftables nat-PREROUTING...), used when <c>nft -j list chains</c> did not name it.</summary>
    internal static TraceHook GuessHook(string chain)
    {
        var c = chain.ToUpperInvariant();
        if (c.Contains("PREROUTING", StringComparison.Ordinal)) return TraceHook.Prerouting;
        if (c.Contains("POSTROUTING", StringComparison.Ordinal)) return TraceHook.Postrouting;
        if (c.Contains("FORWARD", StringComparison.Ordinal)) return TraceHook.Forward;
        if (c.Contains("INPUT", StringComparison.Ordinal)) return TraceHook.Input;
        if (c.Contains("OUTPUT", StringComparison.Ordinal)) return TraceHook.Output;
        return TraceHook.Unknown;
    }

    /// <summary>
    /// The packets of a trace: one per trace id that passed the module's own table <paramref name="ownTable"/> (ids marked
    /// by another tool's trace rule are left out), in the order they came, each classified. <paramref name="legacyReason"/>
    /// (legacy iptables holds Docker's rules) turns every outcome into Unknown with that reason.
    /// </summary>
    public static IReadOnlyList<TracedPacket> Parse(IEnumerable<string> lines, int port, string protocol,
        IReadOnlyDictionary<string, TraceHook>? chainHooks = null, string ownTable = TraceTable.Name, string? legacyReason = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        chainHooks ??= new Dictionary<string, TraceHook>();
        var order = new List<string>();
        var byId = new Dictionary<string, List<TraceEvent>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (ParseLine(line) is not { } e)
            {
                continue;
            }

            if (!byId.TryGetValue(e.Id, out var list))
            {
                byId[e.Id] = list = [];
                order.Add(e.Id);
            }

            list.Add(e);
        }

        var packets = new List<TracedPacket>();
        foreach (var id in order)
        {
            var events = byId[id];
            if (!events.Any(e => e.Table == ownTable))
            {
                continue;
            }

            packets.Add(Build(id, events, port, protocol, chainHooks, ownTable, legacyReason));
        }

        return packets;
    }

    private static TracedPacket Build(string id, List<TraceEvent> events, int port, string protocol,
        IReadOnlyDictionary<string, TraceHook> chainHooks, string ownTable, string? legacyReason)
    {
        var hook = TraceHook.Unknown;
        var steps = new List<TraceStep>();
        string? source = null, destination = null, iif = null, oif = null;
        int? sport = null;
        foreach (var e in events)
        {
            if (e.Kind == "packet:")
            {
                hook = chainHooks.TryGetValue($"{e.Family} {e.Table} {e.Chain}", out var h) ? h : GuessHook(e.Chain);
                var fields = PacketField().Matches(e.Rest).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value.Trim('"'), StringComparer.Ordinal);
                source ??= fields.GetValueOrDefault("ip saddr") ?? fields.GetValueOrDefault("ip6 saddr");
                destination ??= fields.GetValueOrDefault("ip daddr") ?? fields.GetValueOrDefault("ip6 daddr");
                iif ??= fields.GetValueOrDefault("iif");
                if (fields.GetValueOrDefault("oif") is { } o)
                {
                    oif = o;
                }

                if (sport is null && int.TryParse(fields.GetValueOrDefault(protocol + " sport"), NumberStyles.None, CultureInfo.InvariantCulture, out var sp))
                {
                    sport = sp;
                }

                continue;
            }

            if (e.Table == ownTable)
            {
                continue;
            }

            var step = new TraceStep { Hook = hook, Family = e.Family, Table = e.Table, Chain = e.Chain };
            switch (e.Kind)
            {
                case "policy":
                    steps.Add(step with { IsPolicy = true, Verdict = e.Rest.Trim() });
                    break;
                case "rule" when RuleRest().Match(e.Rest) is { Success: true } r:
                    steps.Add(step with
                    {
                        Rule = r.Groups["rule"].Value.Trim(),
                        Handle = r.Groups["handle"].Success ? int.Parse(r.Groups["handle"].Value, CultureInfo.InvariantCulture) : null,
                        Verdict = r.Groups["verdict"].Value.Trim(),
                    });
                    break;
                case "unknown rule handle" when UnknownRest().Match(e.Rest) is { Success: true } u:
                    steps.Add(step with
                    {
                        Rule = "(a rule added after the trace started)",
                        Handle = int.Parse(u.Groups["handle"].Value, CultureInfo.InvariantCulture),
                        Verdict = u.Groups["verdict"].Value.Trim(),
                    });
                    break;
                case "verdict":
                    steps.Add(step with { Verdict = e.Rest.Trim() });
                    break;
            }
        }

        var packet = new TracedPacket
        {
            TraceId = id, Port = port, Protocol = protocol, Source = source ?? string.Empty, SourcePort = sport,
            Destination = destination ?? string.Empty, InInterface = iif, OutInterface = oif,
        };
        return TraceClassifier.Classify(packet, steps, legacyReason);
    }
}
