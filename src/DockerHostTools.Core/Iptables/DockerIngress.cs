namespace DockerHostTools.Core.Iptables;

/// <summary>One swarm routing-mesh rule pair for a published port: nat <c>DOCKER-INGRESS</c> DNAT and filter <c>DOCKER-INGRESS</c> ACCEPT.</summary>
/// <param name="Variant">The iptables variant.</param>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Port">The published port.</param>
/// <param name="Destination">The DNAT destination (the ingress sandbox's address on docker_gwbridge), null without a DNAT rule.</param>
/// <param name="Accepted">True when filter DOCKER-INGRESS accepts <c>--dport</c> the port.</param>
public sealed record DockerIngressRule(IptablesVariant Variant, string Protocol, int Port, string? Destination, bool Accepted);

/// <summary>
/// Swarm's ingress rules (moby integration/network/bridge/iptablesdoc swarm-portmap): nat PREROUTING and OUTPUT jump to
/// <c>DOCKER-INGRESS</c>, which holds <c>-p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:8080</c> per
/// published port; filter FORWARD jumps to its own <c>DOCKER-INGRESS</c> with <c>--dport 8080 -j ACCEPT</c>.
/// </summary>
public static class DockerIngress
{
    /// <summary>The chain's name, in nat and filter alike.</summary>
    public const string Chain = "DOCKER-INGRESS";

    /// <summary>True when nat DOCKER-INGRESS exists and PREROUTING jumps into it.</summary>
    public static bool NatChainReached(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var nat = ruleset.Table("nat");
        return nat?.Chain(Chain) is not null && nat.JumpsTo(Chain).Any(r => r.Chain == "PREROUTING");
    }

    /// <summary>Every port the ingress chains name, with its DNAT destination and whether filter accepts it.</summary>
    public static IReadOnlyList<DockerIngressRule> Rules(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var dnat = new Dictionary<(string, int), string>();
        foreach (var rule in ruleset.Table("nat")?.RulesOf(Chain) ?? [])
        {
            if (rule.Target == "DNAT" && IptablesSaveParser.ParseInt(rule.Value("--dport")) is { } port && rule.Value("--to-destination") is { } to)
            {
                dnat[(rule.Value("-p") ?? "tcp", port)] = to;
            }
        }

        var accepted = new HashSet<(string, int)>();
        var filter = ruleset.Table("filter");
        var reached = filter is not null && filter.JumpsTo(Chain).Any(r => r.Chain == "FORWARD");
        foreach (var rule in filter?.RulesOf(Chain) ?? [])
        {
            if (reached && rule.Target == "ACCEPT" && IptablesSaveParser.ParseInt(rule.Value("--dport")) is { } port)
            {
                accepted.Add((rule.Value("-p") ?? "tcp", port));
            }
        }

        return dnat.Keys.Union(accepted).Distinct()
            .Select(k => new DockerIngressRule(ruleset.Variant, k.Item1, k.Item2, dnat.TryGetValue(k, out var d) ? d : null, accepted.Contains(k)))
            .OrderBy(r => r.Port).ToList();
    }
}
