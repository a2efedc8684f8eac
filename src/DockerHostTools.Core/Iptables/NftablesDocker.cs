using System.Globalization;
using System.Text.Json;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Iptables;

/// <summary>A DNAT rule of Docker's nftables backend (chain <c>nat-prerouting-and-output</c>).</summary>
/// <param name="Family"><c>ip</c> or <c>ip6</c>.</param>
/// <param name="Chain">The chain holding it.</param>
/// <param name="Protocol">tcp, udp or sctp.</param>
/// <param name="HostIp">The host address it is limited to (<c>ip daddr</c>), null for every address.</param>
/// <param name="HostPort">The host port.</param>
/// <param name="ContainerIp">Where it sends the traffic.</param>
/// <param name="ContainerPort">The container port.</param>
/// <param name="ExceptInterface">The interface excluded (<c>iifname != bridge</c>), or null.</param>
public sealed record NftDnatRule(string Family, string Chain, string Protocol, string? HostIp, int HostPort, string ContainerIp, int ContainerPort, string? ExceptInterface)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{(ExceptInterface is null ? string.Empty : "iifname != " + ExceptInterface + " ")}{(HostIp is null ? string.Empty : "daddr " + HostIp + " ")}{Protocol} dport {HostPort} dnat to {ContainerIp}:{ContainerPort}";
}

/// <summary>A per-port accept of Docker's nftables backend (chain <c>filter-forward-in__BRIDGE</c>).</summary>
/// <param name="Family"><c>ip</c> or <c>ip6</c>.</param>
/// <param name="Chain">The chain holding it.</param>
/// <param name="ContainerIp">The container address.</param>
/// <param name="Protocol">tcp, udp or sctp.</param>
/// <param name="ContainerPort">The container port.</param>
public sealed record NftForwardAccept(string Family, string Chain, string ContainerIp, string Protocol, int ContainerPort)
{
    /// <inheritdoc />
    public override string ToString() => $"{Chain}: daddr {ContainerIp} {Protocol} dport {ContainerPort} accept";
}

/// <summary>A base chain of the table (one with a hook).</summary>
/// <param name="Name">The chain.</param>
/// <param name="Hook">prerouting, forward, postrouting, output.</param>
/// <param name="Policy">accept or drop.</param>
public sealed record NftBaseChain(string Name, string Hook, string Policy)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Hook}, {Policy})";
}

/// <summary>Docker's nftables table of one family, as <c>nft -j list table FAMILY docker-bridges</c> shows it.</summary>
public sealed class NftDockerTable
{
    /// <summary>Creates a table.</summary>
    public NftDockerTable(string family, bool exists, IReadOnlyList<string> chains, IReadOnlyList<NftBaseChain> baseChains,
        IReadOnlyList<NftDnatRule> dnat, IReadOnlyList<NftForwardAccept> accepts)
    {
        Family = family;
        Exists = exists;
        Chains = chains;
        BaseChains = baseChains;
        DnatRules = dnat;
        ForwardAccepts = accepts;
    }

    /// <summary><c>ip</c> or <c>ip6</c>.</summary>
    public string Family { get; }

    /// <summary>True when the table exists.</summary>
    public bool Exists { get; }

    /// <summary>Every chain's name.</summary>
    public IReadOnlyList<string> Chains { get; }

    /// <summary>The base chains.</summary>
    public IReadOnlyList<NftBaseChain> BaseChains { get; }

    /// <summary>The DNAT rules.</summary>
    public IReadOnlyList<NftDnatRule> DnatRules { get; }

    /// <summary>The per-port forward accepts.</summary>
    public IReadOnlyList<NftForwardAccept> ForwardAccepts { get; }

    /// <summary>A table that does not exist.</summary>
    public static NftDockerTable Missing(string family) => new(family, false, [], [], [], []);
}

/// <summary>
/// Reads and parses Docker's nftables backend (dockerd 29+, <c>"firewall-backend": "nftables"</c>): tables
/// <c>ip docker-bridges</c> and <c>ip6 docker-bridges</c> (moby integration/network/bridge/nftablesdoc). The DNAT rules
/// live in <c>nat-prerouting-and-output</c> (<c>iifname != "bridge1" tcp dport 8080 dnat to 192.0.2.2:80</c>), the
/// per-port accepts in <c>filter-forward-in__BRIDGE</c> (<c>ip daddr 192.0.2.2 tcp dport 80 accept</c>, before
/// <c>drop comment "UNPUBLISHED PORT DROP"</c>).
/// </summary>
public static class NftablesDocker
{
    /// <summary>How long one <c>nft</c> call may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <c>nft -j list table FAMILY docker-bridges</c> for ip and ip6; a table nft does not have is <see cref="NftDockerTable.Missing"/>.</summary>
    /// <exception cref="NativeProgramNotFoundException">nft is not installed.</exception>
    /// <exception cref="NativeCommandFailedException">nft failed otherwise (not root, usually).</exception>
    public static async Task<IReadOnlyList<NftDockerTable>> ReadAsync(INativeRunner runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var list = new List<NftDockerTable>();
        foreach (var family in new[] { "ip", "ip6" })
        {
            var result = await runner.RunAsync(new NativeCommand("nft", "-j", "list", "table", family, IptablesReader.DockerNftablesTable) { Timeout = Timeout },
                cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                list.Add(Parse(result.StandardOutput, family));
            }
            else if (result.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
            {
                list.Add(NftDockerTable.Missing(family)); // nft 1.0-1.1: "Error: No such file or directory; did you mean table ..."
            }
            else
            {
                throw new NativeCommandFailedException(result, $"'nft -j list table {family} {IptablesReader.DockerNftablesTable}' failed with exit code {result.ExitCode}: {result.FailureText}");
            }
        }

        return list;
    }

    /// <summary>Parses <c>nft -j</c> output; the table of <paramref name="family"/> named docker-bridges, missing when the text holds none.</summary>
    /// <exception cref="JsonException">The text is not nft's JSON.</exception>
    public static NftDockerTable Parse(string json, string family)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(family);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("The text is not nft's JSON (no nftables array).");
        }

        var exists = false;
        var chains = new List<string>();
        var baseChains = new List<NftBaseChain>();
        var dnat = new List<NftDnatRule>();
        var accepts = new List<NftForwardAccept>();
        foreach (var item in items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
        {
            if (Of(item, "table") is { } table && Str(table, "family") == family && Str(table, "name") == IptablesReader.DockerNftablesTable)
            {
                exists = true;
            }
            else if (Of(item, "chain") is { } chain && Str(chain, "family") == family && Str(chain, "table") == IptablesReader.DockerNftablesTable)
            {
                var name = Str(chain, "name") ?? string.Empty;
                chains.Add(name);
                if (Str(chain, "hook") is { } hook)
                {
                    baseChains.Add(new NftBaseChain(name, hook, Str(chain, "policy") ?? "accept"));
                }
            }
            else if (Of(item, "rule") is { } rule && Str(rule, "family") == family && Str(rule, "table") == IptablesReader.DockerNftablesTable &&
                rule.TryGetProperty("expr", out var expr) && expr.ValueKind == JsonValueKind.Array)
            {
                ParseRule(family, Str(rule, "chain") ?? string.Empty, expr, dnat, accepts);
            }
        }

        return exists ? new NftDockerTable(family, true, chains, baseChains, dnat, accepts) : NftDockerTable.Missing(family);
    }

    private static void ParseRule(string family, string chain, JsonElement expr, List<NftDnatRule> dnat, List<NftForwardAccept> accepts)
    {
        string? daddr = null;
        string? protocol = null;
        int? dport = null;
        string? exceptIf = null;
        foreach (var e in expr.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            if (Of(e, "match") is { } m && m.TryGetProperty("left", out var left))
            {
                var op = Str(m, "op") ?? "==";
                m.TryGetProperty("right", out var right);
                if (Of(left, "payload") is { } payload)
                {
                    var field = Str(payload, "field");
                    var proto = Str(payload, "protocol");
                    if (field == "daddr" && proto is "ip" or "ip6" && op == "==" && right.ValueKind == JsonValueKind.String)
                    {
                        daddr = right.GetString();
                    }
                    else if (field == "dport" && proto is "tcp" or "udp" or "sctp" && op == "==" && right.ValueKind == JsonValueKind.Number && right.TryGetInt32(out var port))
                    {
                        protocol = proto;
                        dport = port;
                    }
                }
                else if (Of(left, "meta") is { } meta && Str(meta, "key") == "iifname" && op == "!=" && right.ValueKind == JsonValueKind.String)
                {
                    exceptIf = right.GetString();
                }
            }
            else if (Of(e, "dnat") is { } to && protocol is not null && dport is not null && Str(to, "addr") is { } addr)
            {
                var toPort = to.TryGetProperty("port", out var tp) && tp.ValueKind == JsonValueKind.Number && tp.TryGetInt32(out var p) ? p : dport.Value;
                dnat.Add(new NftDnatRule(family, chain, protocol, daddr, dport.Value, addr, toPort, exceptIf));
            }
            else if (e.TryGetProperty("accept", out _) && chain.StartsWith("filter-forward-in__", StringComparison.Ordinal) &&
                daddr is not null && protocol is not null && dport is not null)
            {
                accepts.Add(new NftForwardAccept(family, chain, daddr, protocol, dport.Value));
            }
        }
    }

    private static JsonElement? Of(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()
        : e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64().ToString(CultureInfo.InvariantCulture) : null;
}
