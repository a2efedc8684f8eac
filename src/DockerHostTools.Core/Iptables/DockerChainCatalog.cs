namespace DockerHostTools.Core.Iptables;

/// <summary>What one of Docker's iptables chains is for and what its absence means.</summary>
/// <param name="Table">The table (<c>nat</c>, <c>filter</c>).</param>
/// <param name="Chain">The chain.</param>
/// <param name="Vital">True when published ports stop answering from outside without it (its loss is an Error).</param>
/// <param name="Role">What the chain does, in words.</param>
/// <param name="SinceEngine">The first engine major version that creates it (null: every supported one).</param>
/// <param name="Generation">Chains created together: a generation's chains are expected once one of them exists.</param>
public sealed record DockerChainSpec(string Table, string Chain, bool Vital, string Role, int? SinceEngine = null, string? Generation = null)
{
    /// <summary><c>table/chain</c>.</summary>
    public string Name => $"{Table}/{Chain}";

    /// <summary>What losing the chain means, in words.</summary>
    public string Absence => Vital
        ? $"without it {Role}, so outside clients of published ports fail"
        : $"without it {Role} no longer happens";
}

/// <summary>
/// The one description of Docker's iptables chains: which exist for an engine, which are vital and what each does. The
/// checks (<c>Diagnosis/</c>) and the watcher both read it; <see cref="DockerChains.Analyze"/> picks the expected ones.
/// </summary>
public static class DockerChainCatalog
{
    /// <summary>The chains, in the order a person reads them.</summary>
    public static IReadOnlyList<DockerChainSpec> All { get; } =
    [
        new("nat", "DOCKER", true, "the DNAT rules send published ports to their containers"),
        new("filter", "DOCKER", true, "forwarded traffic to published container ports is accepted"),
        new("filter", "DOCKER-USER", false, "the administrator's own filtering runs before Docker's"),
        new("filter", "DOCKER-ISOLATION-STAGE-1", false, "traffic between Docker networks is isolated"),
        new("filter", "DOCKER-ISOLATION-STAGE-2", false, "traffic between Docker networks is isolated"),
        new("filter", "DOCKER-FORWARD", true, "FORWARD hands bridge traffic to Docker's chains", 28, "28"),
        new("filter", "DOCKER-CT", false, "replies of established connections are accepted", 28, "28"),
        new("filter", "DOCKER-BRIDGE", false, "traffic into each bridge reaches its DOCKER rules", 28, "28"),
        new("filter", "DOCKER-INTERNAL", false, "internal networks are kept off the outside", 28, "28"),
    ];

    /// <summary>The description of a chain, or null for a chain Docker does not own (or this module does not know).</summary>
    public static DockerChainSpec? Find(string table, string chain) =>
        All.FirstOrDefault(s => s.Table == table && s.Chain == chain);

    /// <summary>True when the chain's loss stops published ports answering.</summary>
    public static bool IsVital(string table, string chain) => Find(table, chain)?.Vital == true;
}
