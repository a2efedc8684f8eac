using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Journal;
using DockerHostTools.Core.Registry;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Fuzz;

/// <summary>One parser under fuzzing: its name, where its seeds come from, and what it does with one input.</summary>
/// <param name="Name">The target's name (<c>build.ps1 Fuzz -Target</c>).</param>
/// <param name="SeedFolders">Folders under tests/DockerHostTools.Core.Tests/Fixtures whose files seed it (copied at run time).</param>
/// <param name="BuiltInSeeds">Seeds for a parser no captured output exists for (a user's typing, a drop-in).</param>
/// <param name="Run">Feeds one input to the parser; an exception that is not <see cref="IsExpected"/> is a crash.</param>
/// <param name="IsExpected">The exceptions the parser documents for bad input (not crashes).</param>
internal sealed record FuzzTarget(string Name, string[] SeedFolders, string[] BuiltInSeeds, Action<string> Run, Func<Exception, bool> IsExpected);

/// <summary>The targets: one per parser the module feeds with what a host prints or a user types.</summary>
internal static class FuzzTargets
{
    // Seeds first: static fields initialise in order, and All uses them.
    private static readonly string[] SysctlSeeds =
    [
        "net.ipv4.ip_forward = 1\n",
        "# comment\n; comment\nnet.ipv4.ip_forward=0\n-net.ipv6.conf.all.forwarding = 1\n",
        "net/ipv4/conf/eth0/forwarding = 1\nnet.ipv4.conf.*.forwarding = 0\n",
        "kernel.sysrq=16\r\nnet.ipv4.conf.default.rp_filter=2\r\nno equals sign here\r\n",
        "net.ipv4.conf.eth0.100.forwarding = 1\nnet.ipv4.conf.e?h[0-9].forwarding = 0\n",
    ];

    private static readonly string[] RegistrySeeds =
    [
        "registry.example:5000",
        "https://registry.example",
        "http://[2001:db8::5]:5000",
        "2001:db8::5",
        "192.0.2.10:443",
        "https://user:secret@registry.example:5000/v2/",
        "localhost",
    ];

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("iptables-save", ["iptables"], [], Iptables, e => e is FormatException),
        new("firewall-cmd", ["firewall-cmd", "firewalld-conf"], [], FirewallCmd, _ => false),
        new("busctl", ["busctl"], [], Busctl, _ => false),
        new("sysctl", [], SysctlSeeds, Sysctl, _ => false),
        new("journal", ["journalctl"], [], Journal, _ => false),
        new("engine-api", ["docker-api"], [], EngineApi, e => e is JsonException),
        new("registry-endpoint", [], RegistrySeeds, Registry, e => e.GetType() == typeof(ArgumentException)),
        new("facts", ["facts"], [], Facts, e => e is JsonException),
        new("culprits", ["culprits"], [], Culprits, _ => false),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    // iptables-save output: parsed as each variant, then read the way the checks read it.
    private static void Iptables(string text)
    {
        foreach (var variant in new[] { IptablesVariant.Unknown, IptablesVariant.Nft, IptablesVariant.Legacy })
        {
            var ruleset = IptablesSaveParser.Parse(text, variant);
            _ = DockerChains.Analyze(ruleset);
            _ = DockerChains.Analyze(ruleset, 28);
            _ = DockerChains.ForwardPolicy(ruleset);
            _ = DockerChains.DnatRules(ruleset);
            _ = DockerChains.ForwardRules(ruleset);
        }
    }

    // firewall-cmd's output (and firewalld.conf): every parser of FirewallCmdParser on the same text, as stdout and as stderr.
    private static void FirewallCmd(string text)
    {
        foreach (var exit in new[] { 0, 1, 252, 254 })
        {
            _ = FirewallCmdParser.ParseState(exit, text, text);
            _ = FirewallCmdParser.ParseState(exit, string.Empty, text);
            _ = FirewallCmdParser.ParseBusctlString(exit, text);
            _ = FirewallCmdParser.ParseZoneOfInterface(exit, text);
            _ = FirewallCmdParser.ParseQuery(exit, text);
        }

        _ = FirewallCmdParser.ParseDefaultZone(text);
        _ = FirewallCmdParser.ParseActiveZones(text);
        _ = FirewallCmdParser.ParseZones(text, FirewalldConfiguration.Runtime);
        _ = FirewallCmdParser.ParseZones(text, FirewalldConfiguration.Permanent);
        _ = FirewallCmdParser.ParseErrorCode(text);
        _ = FirewallCmdParser.ParseConf(text);
    }

    // busctl --json=short answers of firewalld's D-Bus API.
    private static void Busctl(string text)
    {
        foreach (var exit in new[] { 0, 1 })
        {
            _ = FirewalldBusctlParser.ParseStringArray(exit, text);
            _ = FirewalldBusctlParser.ParseString(exit, text);
            _ = FirewalldBusctlParser.ParseZoneSettings("public", FirewalldConfiguration.Runtime, exit, text);
            _ = FirewalldBusctlParser.ParseZoneSettings("docker", FirewalldConfiguration.Permanent, exit, text);
        }
    }

    // A sysctl.d drop-in: the entries, their keys normalised and matched the way the precedence rule matches them.
    private static void Sysctl(string text)
    {
        foreach (var e in SysctlFileParser.Parse(text))
        {
            _ = SysctlFileParser.NormalizeKey(e.Key);
            _ = SysctlFileParser.IsGlob(e.Key);
            _ = SysctlFileParser.Matches(e.Key, "net.ipv4.ip_forward");
            _ = SysctlFileParser.Matches(e.Key, "net.ipv6.conf.all.forwarding");
            _ = SysctlFileParser.Matches("net.ipv4.conf.eth0.forwarding", e.Key);
        }
    }

    // journalctl -o json lines, then ranked as the watcher ranks them for each kind of change.
    // nft scripts, ufw's files and unit command lines (issue 12): every reader of the culprits on the same text.
    private static void Culprits(string text)
    {
        var config = DockerHostTools.Core.Culprits.NftablesConfig.Parse(text);
        _ = DockerHostTools.Core.Culprits.NftablesConfig.ReplacementLines(config.Tables, destroySupported: text.Length % 2 == 0);
        _ = DockerHostTools.Core.Culprits.NftablesConfig.DestroySupported(text, text);
        _ = DockerHostTools.Core.Culprits.UfwConfig.Enabled(text);
        foreach (var rule in DockerHostTools.Core.Culprits.UfwConfig.ParseRules(text, "/etc/ufw/user.rules"))
        {
            _ = rule.Names(5000, "tcp");
        }

        foreach (var line in text.Split('\n').Take(64))
        {
            _ = DockerHostTools.Core.Culprits.RulesetFlushers.NftScript(line);
            _ = DockerHostTools.Core.Culprits.RulesetFlushers.Describe(line, _ => text);
        }
    }

    private static void Journal(string text)
    {
        var entries = JournalParser.Parse(text);
        var at = entries.Count > 0 ? entries[entries.Count / 2].Timestamp : DateTimeOffset.UnixEpoch;
        foreach (var kind in Enum.GetValues<ChangeKind>())
        {
            _ = LikelyCauseRanker.Rank(entries, at, kind);
            _ = LikelyCauseRanker.Rank(entries, at, kind, "net.ipv4.ip_forward");
            _ = LikelyCauseRanker.Rank(entries, at, kind, null, unit => unit.Length % 2 == 0 ? "it ran 'nft flush ruleset'" : null);
        }

        foreach (var e in entries)
        {
            _ = e.ToString();
        }
    }

    // The Engine API's JSON: parsed as the client parses a body (JsonDocument), then read as each endpoint's answer.
    private static void EngineApi(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        _ = DockerEngineParser.ParseVersion(root);
        _ = DockerEngineParser.ParseInfo(root);
        _ = DockerEngineParser.ParseContainers(root);
        _ = DockerEngineParser.ParseInspect(root);
    }

    // What a user types as -Endpoint (and what an error message echoes of it).
    private static void Registry(string text)
    {
        _ = RegistryEndpoint.Redact(text);
        if (RegistryEndpoint.TryParse(text, out var endpoint, out _))
        {
            _ = endpoint!.Authority;
            _ = endpoint.Address;
            _ = endpoint.ToString();
        }

        _ = RegistryEndpoint.Parse(text);
    }

    // A snapshot's facts as JSON (Import-Clixml / Test-DockerHost -Facts road), judged by the checks.
    private static void Facts(string text)
    {
        var facts = HostFacts.FromJson(text);
        _ = DockerHostChecks.Evaluate(facts);
        _ = DockerHostChecks.Evaluate(facts, [5000, 443]);
    }
}
