namespace DockerHostTools.Core.Iptables;

/// <summary>What one of Docker's iptables chains is for and what its absence means.</summary>
/// <param name="Table">The table (<c>nat</c>, <c>filter</c>).</param>
/// <param name="Chain">The chain.</param>
/// <param name="Vital">True when published ports stop answering from outside without it (its loss is an Error).</param>
/// <param name="Role">What the chain does, in words.</param>
/// <param name="SinceEngine">The first engine major version that creates it (null: every supported one).</param>
/// <param name="Generation">Chains created together: a generation's chains are expected once one of them exists.</param>
/// <param name="UntilEngine">The last engine major version that creates it (null: still created).</param>
/// <param name="OnlyWhenInUseIn">An engine major version that creates it only when something needs it (28.x: DOCKER-INTERNAL only with an internal network).</param>
/// <param name="SinceEngineIPv6">In ip6tables, the first engine major version seen to create it, when later than for iptables (null: the same).</param>
public sealed record DockerChainSpec(string Table, string Chain, bool Vital, string Role, int? SinceEngine = null, string? Generation = null,
    int? UntilEngine = null, int? OnlyWhenInUseIn = null, int? SinceEngineIPv6 = null)
{
    /// <summary>As <see cref="ExpectedFor(int?, bool, bool)"/>, in the rules of one family (ip6tables: <see cref="SinceEngineIPv6"/>).</summary>
    public bool ExpectedFor(int? engineMajor, bool exists, bool generationSeen, Sysctl.IpFamily family)
    {
        if (family == Sysctl.IpFamily.IPv6 && SinceEngineIPv6 is { } since6 && !exists && (engineMajor is null || engineMajor < since6))
        {
            return false;
        }

        return ExpectedFor(engineMajor, exists, generationSeen);
    }

    /// <summary>
    /// True when an engine of <paramref name="engineMajor"/> creates it. <paramref name="exists"/>: it is there now (a chain
    /// created only when in use is expected only then). Unknown engine: the chains of every engine up to 27, and a newer
    /// generation's chains once one of them exists.
    /// </summary>
    public bool ExpectedFor(int? engineMajor, bool exists, bool generationSeen)
    {
        if (engineMajor is not { } major)
        {
            return Generation is null ? UntilEngine is null || exists || !generationSeen : generationSeen && (OnlyWhenInUseIn is null || exists);
        }

        if ((SinceEngine is { } since && major < since) || (UntilEngine is { } until && major > until))
        {
            return false;
        }

        return OnlyWhenInUseIn != major || exists;
    }

    /// <summary><c>table/chain</c>.</summary>
    public string Name => $"{Table}/{Chain}";

    /// <summary>What losing the chain means, in words.</summary>
    public string Absence => Vital
        ? $"without it {Role}, so outside clients of published ports fail"
        : $"without it {Role} no longer happens";
}

/// <summary>
/// The one description of Docker's iptables chains: which exist for an engine, which are vital and what each does. The
/// checks (<c>Diagnosis/</c>) and the watcher both read it; <see cref="DockerChains.Analyze(IptablesRuleset, int?)"/> picks the expected ones.
/// </summary>
public static class DockerChainCatalog
{
    /// <summary>The chains, in the order a person reads them.</summary>
    public static IReadOnlyList<DockerChainSpec> All { get; } =
    [
        new("nat", "DOCKER", true, "the DNAT rules send published ports to their containers"),
        new("filter", "DOCKER", true, "forwarded traffic to published container ports is accepted"),
        // In ip6tables 20.10.24 makes no DOCKER-USER (seen in the lab; 26.1.5 and 28.5.2 do): not expected there before 26.
        new("filter", "DOCKER-USER", false, "the administrator's own filtering runs before Docker's", SinceEngineIPv6: 26),
        // Docker 29 dropped the isolation chains (moby's generated iptables rule documents); DOCKER-INTERNAL does their work.
        new("filter", "DOCKER-ISOLATION-STAGE-1", false, "traffic between Docker networks is isolated", UntilEngine: 28),
        new("filter", "DOCKER-ISOLATION-STAGE-2", false, "traffic between Docker networks is isolated", UntilEngine: 28),
        new("filter", "DOCKER-FORWARD", true, "FORWARD hands bridge traffic to Docker's chains", 28, "28"),
        new("filter", "DOCKER-CT", false, "replies of established connections are accepted", 28, "28"),
        new("filter", "DOCKER-BRIDGE", false, "traffic into each bridge reaches its DOCKER rules", 28, "28"),
        // 28.x creates it only with an internal network (seen on 28.5.2 in the lab); 29 always.
        new("filter", "DOCKER-INTERNAL", false, "internal networks are kept off the outside", 28, "28", OnlyWhenInUseIn: 28),
    ];

    /// <summary>The description of a chain, or null for a chain Docker does not own (or this module does not know).</summary>
    public static DockerChainSpec? Find(string table, string chain) =>
        All.FirstOrDefault(s => s.Table == table && s.Chain == chain);

    /// <summary>The chains an engine of <paramref name="engineMajor"/> is expected to have, given which exist now.</summary>
    public static IReadOnlyList<DockerChainSpec> ExpectedFor(int? engineMajor, Func<DockerChainSpec, bool> exists) =>
        ExpectedFor(engineMajor, exists, Sysctl.IpFamily.IPv4);

    /// <summary>The chains an engine is expected to have in the rules of one family (iptables or ip6tables).</summary>
    public static IReadOnlyList<DockerChainSpec> ExpectedFor(int? engineMajor, Func<DockerChainSpec, bool> exists, Sysctl.IpFamily family)
    {
        ArgumentNullException.ThrowIfNull(exists);
        var generationSeen = All.Any(c => c.Generation is not null && c.OnlyWhenInUseIn is null && exists(c));
        return All.Where(c => c.ExpectedFor(engineMajor, exists(c), generationSeen, family)).ToList();
    }

    /// <summary>True when the chain's loss stops published ports answering.</summary>
    public static bool IsVital(string table, string chain) => Find(table, chain)?.Vital == true;
}
