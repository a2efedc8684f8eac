using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Trace;

/// <summary>
/// Decides a traced packet's outcome from its path, in this order: a drop or reject (the rule named), a DNAT that never
/// reached FORWARD, an accept into INPUT without a DNAT, a delivery to the container, else Unknown. The one place where
/// what a trace means is decided.
/// </summary>
public static partial class TraceClassifier
{
    [GeneratedRegex(@"\bdnat (?:ip6? )?to (?<to>\S+)")]
    private static partial Regex DnatTo();

    [GeneratedRegex(@"\s*counter packets \d+ bytes \d+")]
    private static partial Regex Counter();

    /// <summary>A rule's text without its counters (they change with every packet).</summary>
    public static string ShortRule(string rule) => Counter().Replace(rule ?? string.Empty, string.Empty).Trim();

    /// <summary>Who owns a table or chain: firewalld's table, the admin's DOCKER-USER, Docker's chains and table, or another.</summary>
    public static TraceRuleOwner OwnerOf(string table, string chain)
    {
        if (table == "firewalld")
        {
            return TraceRuleOwner.Firewalld;
        }

        if (chain == "DOCKER-USER")
        {
            return TraceRuleOwner.DockerUser;
        }

        return table == "docker-bridges" || chain.StartsWith("DOCKER", StringComparison.Ordinal) ? TraceRuleOwner.Docker : TraceRuleOwner.Other;
    }

    private static string OwnerText(TraceRuleOwner owner) => owner switch
    {
        TraceRuleOwner.Firewalld => "firewalld",
        TraceRuleOwner.DockerUser => "the admin's DOCKER-USER",
        TraceRuleOwner.Docker => "Docker",
        _ => "another table",
    };

    /// <summary>The packet with its path marked and its outcome, deciding step, owner and reason filled in.</summary>
    public static TracedPacket Classify(TracedPacket packet, IReadOnlyList<TraceStep> steps, string? legacyReason = null)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(steps);
        var drop = IndexOf(steps, s => s.Verdict == "drop");
        var dnat = IndexOf(steps, s => !s.IsPolicy && s.Verdict == "accept" && DnatTo().IsMatch(s.Rule));
        var translated = dnat >= 0 ? DnatTo().Match(steps[dnat].Rule).Groups["to"].Value : null;
        var forwarded = steps.Any(s => s.Hook == TraceHook.Forward);
        var input = steps.Any(s => s.Hook == TraceHook.Input);

        TraceOutcome outcome;
        int deciding;
        string reason;
        if (drop >= 0)
        {
            var s = steps[drop];
            deciding = drop;
            var where = $"{s.Family} {s.Table} {s.Chain}";
            var owner = OwnerText(OwnerOf(s.Table, s.Chain));
            if (!s.IsPolicy && s.Rule.Contains("reject", StringComparison.Ordinal))
            {
                outcome = TraceOutcome.Rejected;
                reason = $"rejected by {owner} in {where}: {ShortRule(s.Rule)}";
            }
            else
            {
                outcome = TraceOutcome.DroppedByRule;
                reason = s.IsPolicy ? $"dropped by the policy drop of {where} (no rule accepted it)" : $"dropped by {owner} in {where}: {ShortRule(s.Rule)}";
            }
        }
        else if (dnat >= 0 && !forwarded)
        {
            outcome = TraceOutcome.NotForwarded;
            deciding = dnat;
            reason = $"DNATed to {translated} by {steps[dnat].Family} {steps[dnat].Table} {steps[dnat].Chain}, then it never reached FORWARD: the kernel did not forward it (net.ipv4.ip_forward = 0?)";
        }
        else if (dnat < 0 && input)
        {
            outcome = TraceOutcome.NoDnat;
            deciding = LastIndexOf(steps, s => s.Hook == TraceHook.Input);
            reason = "accepted into INPUT without a DNAT: no DNAT rule matched, so docker-proxy (or nothing) answers on the host itself";
        }
        else if (dnat >= 0)
        {
            outcome = TraceOutcome.Delivered;
            deciding = LastIndexOf(steps, s => s.Hook == TraceHook.Forward && s.Verdict == "accept");
            if (deciding < 0)
            {
                deciding = LastIndexOf(steps, s => s.Hook == TraceHook.Forward);
            }

            reason = $"DNATed to {translated}, forwarded" + (packet.OutInterface is { } o ? $" to {o}" : string.Empty) + " and accepted";
        }
        else
        {
            outcome = TraceOutcome.Unknown;
            deciding = -1;
            var last = steps.Count > 0 ? steps[^1] : null;
            reason = last is null
                ? "the trace saw no chain but the module's own"
                : $"the trace ended in {last.Family} {last.Table} {last.Chain} ({last.Hook.ToString().ToLowerInvariant()}) without a DNAT, a drop or a delivery";
        }

        if (!string.IsNullOrWhiteSpace(legacyReason))
        {
            reason = $"{legacyReason} (nftables alone saw: {outcome}: {reason})";
            outcome = TraceOutcome.Unknown;
        }

        var marked = steps.Select((s, i) => i == deciding ? s with { Deciding = true } : s).ToList();
        var decidingStep = deciding >= 0 ? marked[deciding] : null;
        return packet with
        {
            Path = marked,
            Outcome = outcome,
            DecidingStep = decidingStep,
            Owner = decidingStep is null ? TraceRuleOwner.None : OwnerOf(decidingStep.Table, decidingStep.Chain),
            TranslatedTo = translated,
            Reason = reason,
        };
    }

    private static int IndexOf(IReadOnlyList<TraceStep> steps, Func<TraceStep, bool> match)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (match(steps[i])) return i;
        }

        return -1;
    }

    private static int LastIndexOf(IReadOnlyList<TraceStep> steps, Func<TraceStep, bool> match)
    {
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            if (match(steps[i])) return i;
        }

        return -1;
    }
}
