using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Iptables;

/// <summary>
/// Reads every iptables variant of the host with one <c>iptables-save</c> call per variant
/// (<c>iptables-nft-save</c>, <c>iptables-legacy-save</c>; plain <c>iptables-save</c> where neither exists, as on iptables 1.4).
/// </summary>
public sealed class IptablesReader
{
    /// <summary>How long one save may take.</summary>
    public static readonly TimeSpan SaveTimeout = TimeSpan.FromSeconds(20);

    private readonly INativeRunner _runner;

    /// <summary>Creates a reader.</summary>
    public IptablesReader(INativeRunner runner)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
    }

    /// <summary>Runs the save program of every installed variant and parses each output.</summary>
    /// <exception cref="NativeProgramNotFoundException">No iptables save program is installed.</exception>
    /// <exception cref="NativeCommandFailedException">A save program failed (not root, usually).</exception>
    public async Task<IptablesSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        var programs = new List<(string Program, IptablesVariant Variant)>();
        if (_runner.Resolve("iptables-nft-save") is not null)
        {
            programs.Add(("iptables-nft-save", IptablesVariant.Nft));
        }

        // Legacy xtables hold rules only when their tables are loaded in this network namespace: skip the process
        // (and the kernel module load it would cause) when /proc says none are.
        if (_runner.Resolve("iptables-legacy-save") is not null && LegacyTablesLoaded())
        {
            programs.Add(("iptables-legacy-save", IptablesVariant.Legacy));
        }

        if (programs.Count == 0)
        {
            // iptables 1.4: one variant, no tag; iptables-save throws NativeProgramNotFound when iptables is absent.
            programs.Add(("iptables-save", IptablesVariant.Unknown));
        }

        var saves = new List<IptablesSave>();
        foreach (var (program, variant) in programs)
        {
            var result = await _runner.RunAsync(new NativeCommand(program) { Timeout = SaveTimeout }, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new NativeCommandFailedException(result, $"'{program}' failed with exit code {result.ExitCode}: {result.FailureText}" +
                    (Environment.IsPrivilegedProcess ? string.Empty : " Reading iptables needs root (CAP_NET_ADMIN)."));
            }

            var ruleset = IptablesSaveParser.Parse(result.StandardOutput, variant);
            var legacyWarning = ruleset.LegacyTablesPresent || result.StandardError.Contains(IptablesSaveParser.LegacyTablesWarning, StringComparison.Ordinal);
            saves.Add(new IptablesSave(program, variant, ruleset, legacyWarning));
        }

        var (saves6, problem6) = await ReadIPv6Async(cancellationToken).ConfigureAwait(false);

        var nftTables = Array.Empty<string>();
        if (_runner.Resolve("nft") is not null)
        {
            var nft = await _runner.RunAsync(new NativeCommand("nft", "list", "tables") { Timeout = SaveTimeout }, cancellationToken).ConfigureAwait(false);
            if (nft.Succeeded)
            {
                nftTables = ParseNftTables(nft.StandardOutput).Where(t => t.EndsWith(" " + DockerNftablesTable, StringComparison.Ordinal)).ToArray();
            }
        }

        return new IptablesSnapshot(saves, DefaultVariant(), nftTables) { Saves6 = saves6, IPv6Problem = problem6 };
    }

    /// <summary>
    /// ip6tables beside iptables, picked the same way (<c>ip6tables-nft-save</c>; <c>ip6tables-legacy-save</c> when
    /// <c>/proc/net/ip6_tables_names</c> lists tables; plain <c>ip6tables-save</c> where neither exists). A host without
    /// ip6tables, or whose ip6tables cannot be read, is not a failed read of iptables: the reason is returned instead.
    /// </summary>
    private async Task<(IReadOnlyList<IptablesSave> Saves, string? Problem)> ReadIPv6Async(CancellationToken cancellationToken)
    {
        var programs = new List<(string Program, IptablesVariant Variant)>();
        if (_runner.Resolve("ip6tables-nft-save") is not null)
        {
            programs.Add(("ip6tables-nft-save", IptablesVariant.Nft));
        }

        if (_runner.Resolve("ip6tables-legacy-save") is not null && LegacyTablesLoaded(LegacyIPv6TableNames))
        {
            programs.Add(("ip6tables-legacy-save", IptablesVariant.Legacy));
        }

        if (programs.Count == 0 && _runner.Resolve("ip6tables-save") is not null)
        {
            programs.Add(("ip6tables-save", IptablesVariant.Unknown));
        }

        var saves = new List<IptablesSave>();
        var problems = new List<string>();
        foreach (var (program, variant) in programs)
        {
            NativeResult result;
            try
            {
                result = await _runner.RunAsync(new NativeCommand(program) { Timeout = SaveTimeout }, cancellationToken).ConfigureAwait(false);
            }
            catch (NativeProgramNotFoundException ex)
            {
                problems.Add(ex.Message);
                continue;
            }

            if (!result.Succeeded)
            {
                problems.Add($"'{program}' failed with exit code {result.ExitCode}: {result.FailureText}");
                continue;
            }

            var ruleset = IptablesSaveParser.Parse(result.StandardOutput, variant);
            var legacyWarning = ruleset.LegacyTablesPresent || result.StandardError.Contains(IptablesSaveParser.LegacyTablesWarning, StringComparison.Ordinal);
            saves.Add(new IptablesSave(program, variant, ruleset, legacyWarning, IpFamily.IPv6));
        }

        return (saves, problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>Where the kernel lists the loaded legacy ip6tables tables.</summary>
    public const string LegacyIPv6TableNames = "/proc/net/ip6_tables_names";

    /// <summary>The nftables table Docker's nftables backend (dockerd 29+, <c>firewall-backend: nftables</c>) keeps its rules in.</summary>
    public const string DockerNftablesTable = "docker-bridges";

    /// <summary>Parses <c>nft list tables</c>: <c>table ip nat</c> lines become <c>ip nat</c>.</summary>
    public static IReadOnlyList<string> ParseNftTables(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("table ", StringComparison.Ordinal))
            .Select(l => l["table ".Length..].Trim())
            .ToList();
    }

    /// <summary>True when this network namespace has legacy xtables tables (<c>/proc/net/ip_tables_names</c> lists them).</summary>
    public static bool LegacyTablesLoaded() => LegacyTablesLoaded("/proc/net/ip_tables_names");

    /// <summary>True when the kernel's list of loaded legacy tables (<c>/proc/net/ip_tables_names</c>, <c>/proc/net/ip6_tables_names</c>) is not empty.</summary>
    public static bool LegacyTablesLoaded(string namesFile)
    {
        try
        {
            return File.Exists(namesFile) && HostFileSystem.Live.ReadAllText(namesFile).Trim().Length > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: ask iptables-legacy-save
        }
    }

    /// <summary>The variant the plain <c>iptables</c> command runs (what firewalld and a dockerd started now use).</summary>
    public IptablesVariant DefaultVariant()
    {
        var path = _runner.Resolve("iptables");
        if (path is null)
        {
            return IptablesVariant.Unknown;
        }

        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.Name ?? Path.GetFileName(path);
            return target.Contains("nft", StringComparison.Ordinal) ? IptablesVariant.Nft
                : target.Contains("legacy", StringComparison.Ordinal) ? IptablesVariant.Legacy
                : IptablesVariant.Unknown;
        }
        catch (IOException)
        {
            return IptablesVariant.Unknown;
        }
    }
}

/// <summary>The output of one save program.</summary>
public sealed class IptablesSave
{
    /// <summary>Creates a save.</summary>
    public IptablesSave(string program, IptablesVariant variant, IptablesRuleset ruleset, bool legacyTablesPresent, IpFamily family = IpFamily.IPv4)
    {
        Family = family;
        Program = program;
        Variant = variant;
        Ruleset = ruleset;
        LegacyTablesPresent = legacyTablesPresent;
    }

    /// <summary>IPv4 (iptables-save) or IPv6 (ip6tables-save).</summary>
    public IpFamily Family { get; }

    /// <summary>The program that ran.</summary>
    public string Program { get; }

    /// <summary>The variant of the program (Unknown for a 1.4 <c>iptables-save</c>).</summary>
    public IptablesVariant Variant { get; }

    /// <summary>The parsed output.</summary>
    public IptablesRuleset Ruleset { get; }

    /// <summary>True when iptables-nft-save warned that legacy tables hold rules too.</summary>
    public bool LegacyTablesPresent { get; }
}

/// <summary>Every variant's rules at one moment, and what Docker built in them.</summary>
public sealed class IptablesSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    public IptablesSnapshot(IReadOnlyList<IptablesSave> saves, IptablesVariant defaultVariant, IReadOnlyList<string>? dockerNftablesTables = null)
    {
        Saves = saves;
        DefaultVariant = defaultVariant;
        DockerNftablesTables = dockerNftablesTables ?? [];
    }

    /// <summary>
    /// The nftables tables of Docker's nftables backend that exist (<c>ip docker-bridges</c>, <c>ip6 docker-bridges</c>):
    /// when there are any, Docker's rules are there and not in iptables chains.
    /// </summary>
    public IReadOnlyList<string> DockerNftablesTables { get; }

    /// <summary>One save per variant (IPv4: iptables).</summary>
    public IReadOnlyList<IptablesSave> Saves { get; }

    /// <summary>One ip6tables save per variant (empty when the host has no ip6tables or it could not be read).</summary>
    public IReadOnlyList<IptablesSave> Saves6 { get; init; } = [];

    /// <summary>Why ip6tables could not be read (null when it was, or is not installed).</summary>
    public string? IPv6Problem { get; init; }

    /// <summary>
    /// The ip6tables saves to judge: every variant that holds Docker's chains; when none does (the engine does not use
    /// ip6tables, or they were flushed), the default variant's, so that missing chains show where IPv6 is in play.
    /// </summary>
    public IReadOnlyList<IptablesSave> RelevantSaves6
    {
        get
        {
            var docker = Saves6.Where(s => HasDockerChains(s.Ruleset)).ToList();
            if (docker.Count > 0)
            {
                return docker;
            }

            var def = Saves6.Where(s => s.Variant == DefaultVariant).ToList();
            return def.Count > 0 ? def : Saves6.Take(1).ToList();
        }
    }

    /// <summary>Docker's chains in every ip6tables variant that holds any of them (judged per family).</summary>
    public IReadOnlyList<DockerChainState> DockerChains6(int? engineMajorVersion = null) =>
        RelevantSaves6.SelectMany(s => Iptables.DockerChains.Analyze(s.Ruleset, engineMajorVersion, IpFamily.IPv6)).ToList();

    /// <summary>
    /// Docker's ip6tables chains only where Docker keeps rules in ip6tables (a variant's ip6tables-save holds nat or filter
    /// DOCKER): an engine without IPv6 rules gets no row of missing IPv6 chains.
    /// </summary>
    public IReadOnlyList<DockerChainState> DockerChains6WhereUsed(int? engineMajorVersion = null) =>
        Saves6.Where(s => HasDockerChains(s.Ruleset)).SelectMany(s => Iptables.DockerChains.Analyze(s.Ruleset, engineMajorVersion, IpFamily.IPv6)).ToList();

    /// <summary>Every DNAT rule in ip6tables nat DOCKER of every variant.</summary>
    public IReadOnlyList<DockerDnatRule> DnatRules6 => Saves6.SelectMany(s => Iptables.DockerChains.DnatRules(s.Ruleset)).ToList();

    /// <summary>Every per-port ACCEPT rule in ip6tables filter DOCKER of every variant.</summary>
    public IReadOnlyList<DockerForwardRule> ForwardRules6 => Saves6.SelectMany(s => Iptables.DockerChains.ForwardRules(s.Ruleset)).ToList();

    /// <summary>The variant plain <c>iptables</c> points to.</summary>
    public IptablesVariant DefaultVariant { get; }

    /// <summary>
    /// The saves to report: every variant that holds Docker's chains; when none does, every variant that holds any rules;
    /// when none does either, the default variant (so the missing chains show).
    /// </summary>
    public IReadOnlyList<IptablesSave> RelevantSaves
    {
        get
        {
            var docker = Saves.Where(s => HasDockerChains(s.Ruleset)).ToList();
            if (docker.Count > 0)
            {
                return docker;
            }

            var any = Saves.Where(s => s.Ruleset.HoldsRules).ToList();
            if (any.Count > 0)
            {
                return any;
            }

            var def = Saves.Where(s => s.Variant == DefaultVariant).ToList();
            return def.Count > 0 ? def : Saves.Take(1).ToList();
        }
    }

    /// <summary>Docker's chains in every relevant variant.</summary>
    public IReadOnlyList<DockerChainState> DockerChains(int? engineMajorVersion = null) =>
        RelevantSaves.SelectMany(s => Iptables.DockerChains.Analyze(s.Ruleset, engineMajorVersion)).ToList();

    /// <summary>Every DNAT rule in nat DOCKER of every variant.</summary>
    public IReadOnlyList<DockerDnatRule> DnatRules => Saves.SelectMany(s => Iptables.DockerChains.DnatRules(s.Ruleset)).ToList();

    /// <summary>Every per-port ACCEPT rule in filter DOCKER of every variant.</summary>
    public IReadOnlyList<DockerForwardRule> ForwardRules => Saves.SelectMany(s => Iptables.DockerChains.ForwardRules(s.Ruleset)).ToList();

    /// <summary>True when a ruleset holds nat DOCKER or filter DOCKER.</summary>
    public static bool HasDockerChains(IptablesRuleset ruleset) =>
        ruleset?.Table("nat")?.Chain("DOCKER") is not null || ruleset?.Table("filter")?.Chain("DOCKER") is not null;
}
