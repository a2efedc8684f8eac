using System.Globalization;

namespace DockerHostTools.Core.Iptables;

/// <summary>Reads Docker's chains, its per-port DNAT and ACCEPT rules and the FORWARD policy out of a ruleset.</summary>
public static class DockerChains
{
    /// <summary>The filter chains dockerd 28.0.1 and later adds (from <see cref="DockerChainCatalog"/>).</summary>
    public static IReadOnlyList<string> Chains28 { get; } = DockerChainCatalog.All.Where(c => c.Generation == "28").Select(c => c.Chain).ToList();

    /// <summary>
    /// The state of each of Docker's chains in one variant's ruleset. Which are expected is the catalog's word for the
    /// engine's major version (<see cref="DockerChainCatalog.ExpectedFor(int?, Func{DockerChainSpec, bool})"/>: 28 adds
    /// DOCKER-FORWARD, -CT, -BRIDGE and DOCKER-INTERNAL only with an internal network; 29 drops the isolation chains and
    /// always has DOCKER-INTERNAL); dockerd before 17.06 had one <c>DOCKER-ISOLATION</c> chain instead of the two stages.
    /// Any other chain whose name starts with DOCKER is listed too (Expected false).
    /// </summary>
    public static IReadOnlyList<DockerChainState> Analyze(IptablesRuleset ruleset, int? engineMajorVersion = null) =>
        Analyze(ruleset, engineMajorVersion, Sysctl.IpFamily.IPv4);

    /// <summary>As <see cref="Analyze(IptablesRuleset, int?)"/> for the rules of one family (an ip6tables-save: <see cref="Sysctl.IpFamily.IPv6"/>).</summary>
    public static IReadOnlyList<DockerChainState> Analyze(IptablesRuleset ruleset, int? engineMajorVersion, Sysctl.IpFamily family)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var filter = ruleset.Table("filter");
        var nat = ruleset.Table("nat");
        var expected = new List<(string Table, string Chain)>();
        // dockerd before 17.06 had one DOCKER-ISOLATION chain instead of the two stages.
        var oldIsolation = filter?.Chain("DOCKER-ISOLATION") is not null && filter.Chain("DOCKER-ISOLATION-STAGE-1") is null;
        foreach (var c in DockerChainCatalog.ExpectedFor(engineMajorVersion, c => ruleset.Table(c.Table)?.Chain(c.Chain) is not null, family))
        {
            if (oldIsolation && c.Chain.StartsWith("DOCKER-ISOLATION-STAGE", StringComparison.Ordinal))
            {
                if (c.Chain.EndsWith('1'))
                {
                    expected.Add(("filter", "DOCKER-ISOLATION"));
                }

                continue;
            }

            expected.Add((c.Table, c.Chain));
        }

        var policy = ForwardPolicy(ruleset);
        var list = expected.Select(e => State(ruleset, e.Table, e.Chain, true, policy, family)).ToList();
        foreach (var table in new[] { nat, filter })
        {
            if (table is null)
            {
                continue;
            }

            foreach (var chain in table.Chains)
            {
                if (!chain.IsBuiltIn && chain.Name.StartsWith("DOCKER", StringComparison.Ordinal) &&
                    !expected.Contains((table.Name, chain.Name)))
                {
                    list.Add(State(ruleset, table.Name, chain.Name, false, policy, family));
                }
            }
        }

        return list;
    }

    /// <summary>The policy of filter FORWARD (<c>ACCEPT</c>/<c>DROP</c>), or null when the ruleset has no filter table.</summary>
    public static string? ForwardPolicy(IptablesRuleset ruleset) => ruleset?.Table("filter")?.Chain("FORWARD")?.Policy;

    /// <summary>The DNAT rules in nat <c>DOCKER</c> (one per published port and host address).</summary>
    public static IReadOnlyList<DockerDnatRule> DnatRules(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var nat = ruleset.Table("nat");
        if (nat is null)
        {
            return [];
        }

        var list = new List<DockerDnatRule>();
        foreach (var rule in nat.RulesOf("DOCKER"))
        {
            if (rule.Target != "DNAT")
            {
                continue;
            }

            var port = IptablesSaveParser.ParseInt(rule.Value("--dport"));
            var to = rule.Value("--to-destination");
            if (port is null || to is null)
            {
                continue;
            }

            var (ip, toPort) = SplitEndpoint(to);
            list.Add(new DockerDnatRule(ruleset.Variant, rule.Value("-p") ?? "tcp", StripHostMask(rule.Value("-d")), port.Value,
                ip, toPort ?? port.Value, rule.IsNegated("-i") ? rule.Value("-i") : null, rule.Text));
        }

        return list;
    }

    /// <summary>The per-port ACCEPT rules in filter <c>DOCKER</c> (forwarded traffic to a container's port).</summary>
    public static IReadOnlyList<DockerForwardRule> ForwardRules(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var filter = ruleset.Table("filter");
        if (filter is null)
        {
            return [];
        }

        var list = new List<DockerForwardRule>();
        foreach (var rule in filter.RulesOf("DOCKER"))
        {
            var port = IptablesSaveParser.ParseInt(rule.Value("--dport"));
            var dest = StripHostMask(rule.Value("-d"));
            if (rule.Target == "ACCEPT" && port is not null && dest is not null)
            {
                list.Add(new DockerForwardRule(ruleset.Variant, rule.Value("-p") ?? "tcp", dest, port.Value, rule.Value("-o"), rule.Text));
            }
        }

        return list;
    }

    private static DockerChainState State(IptablesRuleset ruleset, string table, string chain, bool expected, string? forwardPolicy, Sysctl.IpFamily family)
    {
        var t = ruleset.Table(table);
        var exists = t?.Chain(chain) is not null;
        var rules = t?.RulesOf(chain).ToList() ?? [];
        var jumps = t?.JumpsTo(chain).Select(r => r.Chain).Distinct().ToArray() ?? [];
        var dnat = table == "nat" && chain == "DOCKER" ? rules.Count(r => r.Target == "DNAT") : 0;
        return new DockerChainState(ruleset.Variant, table, chain, expected, exists, rules.Count, jumps,
            t?.JumpsTo(chain).Count() ?? 0, dnat, forwardPolicy, rules.Select(r => r.Text).ToArray())
        { Family = family };
    }

    internal static string? StripHostMask(string? address) =>
        address is null ? null : address.EndsWith("/32", StringComparison.Ordinal) ? address[..^3]
            : address.EndsWith("/128", StringComparison.Ordinal) ? address[..^4] : address;

    private static (string Ip, int? Port) SplitEndpoint(string to)
    {
        // 192.0.2.2:5000, 192.0.2.2:5000-5001, [2001:db8::2]:5000 (ip6tables)
        if (to.StartsWith('['))
        {
            var end = to.IndexOf(']', StringComparison.Ordinal);
            var ip6 = to[1..end];
            return (ip6, end + 2 < to.Length ? IptablesSaveParser.ParseInt(to[(end + 2)..].Split('-')[0]) : null);
        }

        var colon = to.LastIndexOf(':');
        return colon < 0 ? (to, null) : (to[..colon], int.TryParse(to[(colon + 1)..].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null);
    }
}

/// <summary>One of Docker's chains in one iptables variant.</summary>
public sealed class DockerChainState
{
    /// <summary>Creates a state.</summary>
    public DockerChainState(IptablesVariant variant, string table, string chain, bool expected, bool exists, int ruleCount,
        IReadOnlyList<string> jumpsFrom, int jumpCount, int dnatRuleCount, string? forwardPolicy, IReadOnlyList<string> rules)
    {
        Variant = variant;
        Table = table;
        Chain = chain;
        Expected = expected;
        Exists = exists;
        RuleCount = ruleCount;
        JumpsFrom = jumpsFrom;
        JumpCount = jumpCount;
        DnatRuleCount = dnatRuleCount;
        ForwardPolicy = forwardPolicy;
        Rules = rules;
    }

    /// <summary>The iptables variant that holds (or should hold) the chain.</summary>
    public IptablesVariant Variant { get; }

    /// <summary>IPv4 for a chain of iptables, IPv6 for one of ip6tables (Docker's IPv6 rules).</summary>
    public Sysctl.IpFamily Family { get; init; } = Sysctl.IpFamily.IPv4;

    /// <summary>The table (<c>nat</c> or <c>filter</c>).</summary>
    public string Table { get; }

    /// <summary>The chain name.</summary>
    public string Chain { get; }

    /// <summary>True when the running dockerd is expected to have this chain; false for another DOCKER* chain found.</summary>
    public bool Expected { get; }

    /// <summary>True when the chain exists.</summary>
    public bool Exists { get; }

    /// <summary>The number of rules in the chain.</summary>
    public int RuleCount { get; }

    /// <summary>The chains that jump into this one (<c>PREROUTING</c>, <c>OUTPUT</c>, <c>FORWARD</c>...). Empty: nothing reaches it.</summary>
    public IReadOnlyList<string> JumpsFrom { get; }

    /// <summary>The number of rules that jump into this chain.</summary>
    public int JumpCount { get; }

    /// <summary>For nat DOCKER: the number of DNAT rules (one per published port and host address); 0 otherwise.</summary>
    public int DnatRuleCount { get; }

    /// <summary>The policy of filter FORWARD in the same variant (<c>ACCEPT</c>/<c>DROP</c>), null without a filter table.</summary>
    public string? ForwardPolicy { get; }

    /// <summary>The rules of the chain as iptables-save prints them.</summary>
    public IReadOnlyList<string> Rules { get; }

    /// <summary>True when the chain exists and at least one rule jumps into it (a chain nothing reaches does nothing).</summary>
    public bool Intact => Exists && JumpCount > 0;

    /// <inheritdoc />
    public override string ToString() => $"{(Family == Sysctl.IpFamily.IPv6 ? "ip6tables " : string.Empty)}{Variant} {Table} {Chain}: {(Exists ? RuleCount + " rules" : "missing")}";
}

/// <summary>A DNAT rule in nat DOCKER: traffic to the host port goes to the container.</summary>
public sealed class DockerDnatRule
{
    /// <summary>Creates a rule.</summary>
    public DockerDnatRule(IptablesVariant variant, string protocol, string? hostIp, int hostPort, string containerIp, int containerPort,
        string? exceptInterface, string text)
    {
        Variant = variant;
        Protocol = protocol;
        HostIp = hostIp;
        HostPort = hostPort;
        ContainerIp = containerIp;
        ContainerPort = containerPort;
        ExceptInterface = exceptInterface;
        Text = text;
    }

    /// <summary>The variant holding the rule.</summary>
    public IptablesVariant Variant { get; }

    /// <summary><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</summary>
    public string Protocol { get; }

    /// <summary>The host address the rule is limited to (<c>-d</c>), null for every address.</summary>
    public string? HostIp { get; }

    /// <summary>The host port.</summary>
    public int HostPort { get; }

    /// <summary>The container address traffic is sent to.</summary>
    public string ContainerIp { get; }

    /// <summary>The container port.</summary>
    public int ContainerPort { get; }

    /// <summary>The interface excluded with <c>! -i</c> (the bridge), or null.</summary>
    public string? ExceptInterface { get; }

    /// <summary>The rule as printed.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>A per-port ACCEPT rule in filter DOCKER: forwarded traffic to the container port is allowed.</summary>
public sealed class DockerForwardRule
{
    /// <summary>Creates a rule.</summary>
    public DockerForwardRule(IptablesVariant variant, string protocol, string containerIp, int containerPort, string? outInterface, string text)
    {
        Variant = variant;
        Protocol = protocol;
        ContainerIp = containerIp;
        ContainerPort = containerPort;
        OutInterface = outInterface;
        Text = text;
    }

    /// <summary>The variant holding the rule.</summary>
    public IptablesVariant Variant { get; }

    /// <summary>The protocol.</summary>
    public string Protocol { get; }

    /// <summary>The container address.</summary>
    public string ContainerIp { get; }

    /// <summary>The container port.</summary>
    public int ContainerPort { get; }

    /// <summary>The bridge (<c>-o</c>), or null.</summary>
    public string? OutInterface { get; }

    /// <summary>The rule as printed.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}
