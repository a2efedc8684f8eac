namespace DockerHostTools.Core.Trace;

/// <summary>What happened to a traced packet, decided in this order: a drop or reject by a rule, forwarding that never
/// happened after the DNAT, local delivery without a DNAT, delivery to the container, or not known.</summary>
public enum TraceOutcome
{
    /// <summary>A rule (or a chain's policy) dropped the packet; the rule is named.</summary>
    DroppedByRule,

    /// <summary>A reject rule answered the packet with an error; the rule is named.</summary>
    Rejected,

    /// <summary>The DNAT to the container happened, but the packet never reached a FORWARD hook: the kernel did not
    /// forward it (net.ipv4.ip_forward = 0, or no route to the bridge).</summary>
    NotForwarded,

    /// <summary>No DNAT happened and the packet was accepted into INPUT: docker-proxy (or nothing) answers on the host
    /// itself, and the client sees the host's own answer, not the container's rules.</summary>
    NoDnat,

    /// <summary>DNATed, forwarded and accepted on the way out to the container.</summary>
    Delivered,

    /// <summary>The trace cannot say (legacy iptables, a trace that ended early); <see cref="TracedPacket.Reason"/> says why.</summary>
    Unknown,
}

/// <summary>Who owns the table or chain of the rule that decided.</summary>
public enum TraceRuleOwner
{
    /// <summary>No rule decided.</summary>
    None,

    /// <summary>Docker's own chains (DOCKER, DOCKER-FORWARD, DOCKER-ISOLATION-*, DOCKER-CT, DOCKER-BRIDGE, table docker-bridges).</summary>
    Docker,

    /// <summary>firewalld's nftables table (<c>inet firewalld</c>).</summary>
    Firewalld,

    /// <summary>The admin's DOCKER-USER chain.</summary>
    DockerUser,

    /// <summary>Another table or chain (the built-in iptables chains' policies, another tool's table).</summary>
    Other,
}

/// <summary>The netfilter hook a traced chain runs in.</summary>
public enum TraceHook
{
    /// <summary>Not known.</summary>
    Unknown,

    /// <summary>prerouting.</summary>
    Prerouting,

    /// <summary>input (local delivery).</summary>
    Input,

    /// <summary>forward.</summary>
    Forward,

    /// <summary>output.</summary>
    Output,

    /// <summary>postrouting.</summary>
    Postrouting,
}

/// <summary>One event of a packet's trace: a rule it matched (with its verdict), or a chain's policy.</summary>
public sealed record TraceStep
{
    /// <summary>The hook of the base chain the packet was in.</summary>
    public TraceHook Hook { get; init; }

    /// <summary>The table's family (ip, ip6, inet).</summary>
    public string Family { get; init; } = string.Empty;

    /// <summary>The table.</summary>
    public string Table { get; init; } = string.Empty;

    /// <summary>The chain.</summary>
    public string Chain { get; init; } = string.Empty;

    /// <summary>The rule as nft prints it (counters included); empty for a policy.</summary>
    public string Rule { get; init; } = string.Empty;

    /// <summary>The rule's handle, when nft printed it.</summary>
    public int? Handle { get; init; }

    /// <summary>True for the chain's policy rather than a rule.</summary>
    public bool IsPolicy { get; init; }

    /// <summary>The verdict (accept, drop, continue, jump X, goto X, return).</summary>
    public string Verdict { get; init; } = string.Empty;

    /// <summary>True for the step that decided the outcome.</summary>
    public bool Deciding { get; init; }

    /// <summary>The step as one line of text: family table chain, the rule or the policy, the verdict.</summary>
    public override string ToString() =>
        $"{Family} {Table} {Chain} " + (IsPolicy ? "policy " + Verdict : $"{Rule} (verdict {Verdict})" + (Handle is { } h ? $" handle {h}" : string.Empty));
}

/// <summary>One packet followed through the host by the kernel's nftables trace.</summary>
public sealed record TracedPacket
{
    /// <summary>The kernel's trace id.</summary>
    public string TraceId { get; init; } = string.Empty;

    /// <summary>The port traced.</summary>
    public int Port { get; init; }

    /// <summary>tcp or udp.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The client's address.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The client's port.</summary>
    public int? SourcePort { get; init; }

    /// <summary>The address the client sent to.</summary>
    public string Destination { get; init; } = string.Empty;

    /// <summary>Where a DNAT rule sent it (address:port), or null when none did.</summary>
    public string? TranslatedTo { get; init; }

    /// <summary>The interface it came in on.</summary>
    public string? InInterface { get; init; }

    /// <summary>The interface it left by, when the trace saw one.</summary>
    public string? OutInterface { get; init; }

    /// <summary>Every rule and policy it passed, in order (the module's own trace table left out).</summary>
    public IReadOnlyList<TraceStep> Path { get; init; } = [];

    /// <summary>What happened to it.</summary>
    public TraceOutcome Outcome { get; init; } = TraceOutcome.Unknown;

    /// <summary>The step that decided (a drop, a reject, the DNAT, the accept into INPUT or to the container), if any.</summary>
    public TraceStep? DecidingStep { get; init; }

    /// <summary>Who owns the deciding step's table or chain.</summary>
    public TraceRuleOwner Owner { get; init; }

    /// <summary>The outcome in words, with the deciding rule.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>
    /// The path as short lines for a person: one line per chain where something happened (a DNAT, an accept, a drop,
    /// a reject, a policy), the deciding step marked with '>', each line at most <paramref name="width"/> characters.
    /// </summary>
    public IReadOnlyList<string> FormatPath(int width = 80)
    {
        var lines = new List<string>();
        foreach (var s in Path)
        {
            var v = s.Verdict;
            if (!s.Deciding && !s.IsPolicy && (v is "continue" or "return" || v.StartsWith("jump ", StringComparison.Ordinal) || v.StartsWith("goto ", StringComparison.Ordinal)))
            {
                continue;
            }

            var hook = s.Hook == TraceHook.Unknown ? "?" : s.Hook.ToString().ToLowerInvariant();
            var head = $"{(s.Deciding ? ">" : " ")} {hook,-11} {s.Family} {s.Table} {s.Chain}: ";
            var rule = TraceClassifier.ShortRule(s.Rule);
            var what = s.IsPolicy ? "policy " + v : rule.EndsWith(v, StringComparison.Ordinal) ? rule : $"{rule} -> {v}";
            if (head.Length + what.Length > width)
            {
                // The end of a rule says what it does (dnat to ..., drop, reject ...): keep the end.
                var room = Math.Max(width - head.Length - 3, 8);
                what = "..." + what[^Math.Min(room, what.Length)..];
            }

            var line = head + what;
            lines.Add(line.Length <= width ? line : line[..width]);
        }

        return lines;
    }
}
