using System.Text.RegularExpressions;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Firewalld;

/// <summary>
/// Whether a firewalld start or reload flushes Docker's iptables rules: the one rule, by version, backend and direct rules.
/// firewalld before 2.0 flushes every iptables table at start and reload. firewalld 2.x with the nftables backend leaves
/// the iptables tables alone, unless it uses the iptables backend or tracks direct rules (firewalld's changelog for 2.0;
/// firewalld issue 863); seen in the lab: firewalld 2.3.1 and 2.5.2 (nftables) leave Docker's rules intact, 1.3.3 flushes.
/// </summary>
public static partial class FirewalldFlushing
{
    /// <summary>True when a start or reload flushes the iptables tables (Docker's rules with them); null when the version is not known.</summary>
    public static bool? FlushesIptables(string? version, string? backend, int directRules)
    {
        if (Major(version) is not { } major)
        {
            return null;
        }

        return major < 2 || string.Equals(backend, "iptables", StringComparison.OrdinalIgnoreCase) || directRules > 0;
    }

    /// <summary>Why, in words (for evidence and messages).</summary>
    public static string Describe(string? version, string? backend, int directRules) => FlushesIptables(version, backend, directRules) switch
    {
        null => "firewalld's version is not known: a start or reload may flush Docker's iptables rules",
        true when Major(version) < 2 => $"firewalld {version} flushes every iptables table (Docker's rules with them) at each start and reload",
        true when directRules > 0 => $"firewalld {version} tracks {directRules} direct rule(s), so its start and reload flush the iptables tables",
        true => $"firewalld {version} uses the iptables backend, so its start and reload flush the iptables tables",
        false => $"firewalld {version} with the {backend ?? "nftables"} backend and no direct rules leaves Docker's iptables rules alone at start and reload",
    };

    /// <summary>The major version, or null.</summary>
    public static int? Major(string? version) => VersionNumber.Major(version);

    /// <summary>The number of rules, passthroughs and chains in the permanent <c>/etc/firewalld/direct.xml</c> (0 when none).</summary>
    public static int ReadDirectRuleCount(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        try
        {
            return fileSystem.FileExists("/etc/firewalld/direct.xml") ? DirectEntry().Matches(fileSystem.ReadAllText("/etc/firewalld/direct.xml")).Count : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [GeneratedRegex(@"<\s*(rule|passthrough|chain)\b")]
    private static partial Regex DirectEntry();
}
