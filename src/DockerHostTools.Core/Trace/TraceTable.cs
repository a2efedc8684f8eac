using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DockerHostTools.Core.Trace;

/// <summary>What to trace: new connections to one port, from anyone or from one address or prefix, for a while, at most
/// so many packets.</summary>
public sealed record TraceRequest
{
    /// <summary>The port (1-65535).</summary>
    public int Port { get; init; }

    /// <summary>tcp (SYN only) or udp (the first packet of each flow).</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The client's address or prefix (IPv4 or IPv6), or null for any client.</summary>
    public string? From { get; init; }

    /// <summary>How long to wait for clients.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many packets to trace at most.</summary>
    public int Count { get; init; } = 5;

    /// <summary>Checks the request; throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public TraceRequest Validate()
    {
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, $"The port {Port} is not between 1 and 65535.");
        }

        if (Protocol is not ("tcp" or "udp"))
        {
            throw new ArgumentException($"The protocol '{Protocol}' is neither tcp nor udp.", nameof(Protocol));
        }

        if (Count is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), Count, $"The count {Count} is not between 1 and 1000.");
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24))
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, $"The duration {Duration} is not more than 0 and at most a day.");
        }

        _ = FromFamily(From);
        return this;
    }

    /// <summary>The family of <paramref name="from"/> (null: both); throws <see cref="ArgumentException"/> when it is
    /// neither an address nor a prefix.</summary>
    public static AddressFamily? FromFamily(string? from)
    {
        if (from is null)
        {
            return null;
        }

        if (IPAddress.TryParse(from, out var a) && !from.Contains('/', StringComparison.Ordinal))
        {
            return a.AddressFamily;
        }

        if (IPNetwork.TryParse(from, out var n))
        {
            return n.BaseAddress.AddressFamily;
        }

        throw new ArgumentException($"'{from}' is neither an IP address nor a prefix (198.51.100.2, 198.51.100.0/24, 2001:db8::/32).", nameof(From));
    }
}

/// <summary>
/// The module's own trace table, <c>inet dht_trace</c>: one base chain in prerouting at priority -350 (before raw at
/// -300, conntrack at -200 and Docker's and firewalld's nat prerouting at -100), whose rule sets <c>meta nftrace</c> on
/// the first packet of each new flow to the port (for tcp only a SYN without ACK), narrowed by the client's address. The
/// kernel itself keeps the count: a flow is traced only while it fits in a set of <see cref="TraceRequest.Count"/>
/// elements (a full set makes the rule not match). The table's comment names the process that armed it, so a later
/// run can tell a table left by a killed process from one in use.
/// </summary>
public static class TraceTable
{
    /// <summary>The table's name.</summary>
    public const string Name = "dht_trace";

    /// <summary>The table's family.</summary>
    public const string Family = "inet";

    /// <summary>The comment's prefix; the process id follows.</summary>
    public const string CommentPrefix = "DockerHostTools Trace-DockerHostPort pid ";

    /// <summary>The priority of the trace chain.</summary>
    public const int Priority = -350;

    /// <summary>The nft script that adds the table (for <c>nft -f -</c>; also what -WhatIf shows).</summary>
    public static string Script(TraceRequest request, int pid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var family = TraceRequest.FromFamily(request.From);
        var p = request.Protocol;
        var port = request.Port.ToString(CultureInfo.InvariantCulture);
        var size = request.Count.ToString(CultureInfo.InvariantCulture);
        var syn = p == "tcp" ? " tcp flags & (syn | ack) == syn" : string.Empty;
        var sb = new StringBuilder();
        sb.Append("table ").Append(Family).Append(' ').Append(Name).Append(" {\n");
        sb.Append("  comment \"").Append(CommentPrefix).Append(pid.ToString(CultureInfo.InvariantCulture)).Append("\"\n");
        sb.Append("  set flows4 { type ipv4_addr . inet_service; size ").Append(size).Append("; flags dynamic; }\n");
        sb.Append("  set flows6 { type ipv6_addr . inet_service; size ").Append(size).Append("; flags dynamic; }\n");
        sb.Append("  chain prerouting {\n");
        sb.Append("    type filter hook prerouting priority ").Append(Priority.ToString(CultureInfo.InvariantCulture)).Append("; policy accept;\n");
        foreach (var (fam, ip, set) in new[] { (AddressFamily.InterNetwork, "ip", "flows4"), (AddressFamily.InterNetworkV6, "ip6", "flows6") })
        {
            if (family is { } f && f != fam)
            {
                continue;
            }

            var from = request.From is null ? string.Empty : $" {ip} saddr {request.From}";
            sb.Append("    meta nfproto ").Append(ip == "ip" ? "ipv4" : "ipv6").Append(' ').Append(p).Append(" dport ").Append(port).Append(syn).Append(from)
              .Append($" {ip} saddr . {p} sport != @{set} add @{set} {{ {ip} saddr . {p} sport }} meta nftrace set 1\n");
        }

        sb.Append("  }\n}\n");
        return sb.ToString();
    }

    /// <summary>The process id in a listed table's comment, or null when the table carries none of the module's.</summary>
    public static int? OwnerPid(string listing)
    {
        var i = (listing ?? string.Empty).IndexOf(CommentPrefix, StringComparison.Ordinal);
        if (i < 0)
        {
            return null;
        }

        var digits = new string(listing![(i + CommentPrefix.Length)..].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
