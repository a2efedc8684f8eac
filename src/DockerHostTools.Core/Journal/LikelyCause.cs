namespace DockerHostTools.Core.Journal;

/// <summary>A journal entry that may explain a change, with why it was picked.</summary>
public sealed class LikelyCause
{
    /// <summary>Creates the record.</summary>
    public LikelyCause(JournalEntry entry, int score, string reason)
    {
        Timestamp = entry.Timestamp;
        Unit = entry.SubjectUnit;
        Identifier = entry.Identifier;
        Message = entry.Message;
        Score = score;
        Reason = reason;
    }

    /// <summary>When it was logged.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The unit the entry is about.</summary>
    public string? Unit { get; }

    /// <summary>Who logged it.</summary>
    public string? Identifier { get; }

    /// <summary>The message.</summary>
    public string Message { get; }

    /// <summary>How strongly it matches (higher first).</summary>
    public int Score { get; }

    /// <summary>Why it was picked.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Unit ?? Identifier}: {Message}";
}

/// <summary>What kind of change a cause is looked for.</summary>
public enum ChangeKind
{
    /// <summary>A forwarding switch changed.</summary>
    IpForward,

    /// <summary>firewalld started, stopped or reloaded, or a zone changed.</summary>
    Firewalld,

    /// <summary>Docker's chains or DNAT rules changed.</summary>
    DockerRules,

    /// <summary>A service changed state.</summary>
    Service,
}

/// <summary>Ranks journal entries around a change: the best explanation first.</summary>
public static class LikelyCauseRanker
{
    private static readonly string[] NetworkUnits = ["network.service", "NetworkManager.service", "systemd-networkd.service", "systemd-sysctl.service", "networking.service"];
    private static readonly string[] LifecyclePrefixes = ["Started ", "Starting ", "Stopped ", "Stopping ", "Reloading ", "Reloaded ", "Finished ", "Restarting "];

    /// <summary>
    /// Ranks the entries logged near <paramref name="changedAt"/> (the window the caller read) for a change of
    /// <paramref name="kind"/>; <paramref name="key"/> is the sysctl key for ip_forward changes.
    /// </summary>
    public static IReadOnlyList<LikelyCause> Rank(IEnumerable<JournalEntry> entries, DateTimeOffset changedAt, ChangeKind kind, string? key = null) =>
        Rank(entries, changedAt, kind, key, null);

    /// <summary>
    /// Ranks as <see cref="Rank(IEnumerable{JournalEntry}, DateTimeOffset, ChangeKind, string?)"/>; <paramref name="unitFlushes"/>
    /// tells, for a unit that changed state, why its commands remove Docker's rules (<see cref="Culprits.RulesetFlushers.Describe"/>
    /// of its ExecStart lines), or null when they do not.
    /// </summary>
    public static IReadOnlyList<LikelyCause> Rank(IEnumerable<JournalEntry> entries, DateTimeOffset changedAt, ChangeKind kind, string? key, Func<string, string?>? unitFlushes)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var ranked = new List<(LikelyCause Cause, double Distance)>();
        foreach (var e in entries)
        {
            var (score, reason) = Score(e, kind, key);
            if (kind is ChangeKind.DockerRules or ChangeKind.Firewalld)
            {
                var (s2, r2) = ScoreFlusher(e, unitFlushes);
                if (s2 > score)
                {
                    (score, reason) = (s2, r2);
                }
            }

            if (score > 0)
            {
                ranked.Add((new LikelyCause(e, score, reason), Math.Abs((changedAt - e.Timestamp).TotalSeconds)));
            }
        }

        // One line per unit: the strongest, then the closest in time.
        return ranked
            .OrderByDescending(r => r.Cause.Score).ThenBy(r => r.Distance)
            .GroupBy(r => r.Cause.Unit ?? r.Cause.Identifier ?? r.Cause.Message)
            .Select(g => g.First().Cause)
            .ToList();
    }

    /// <summary>The units that restore or replace whole rule sets when they start, restart or reload, with why.</summary>
    private static readonly Dictionary<string, (int Score, string Reason)> FlusherUnits = new(StringComparer.Ordinal)
    {
        ["nftables.service"] = (90, "nftables.service loads /etc/nftables.conf with nft -f; Debian's begins with 'flush ruleset', which deletes every nf_tables table (Docker's iptables-nft rules too), and its stop runs 'nft flush ruleset'"),
        ["netfilter-persistent.service"] = (85, "netfilter-persistent restores the saved rules with iptables-restore, which replaces whole tables (Docker's chains go)"),
        ["iptables.service"] = (85, "iptables.service restores /etc/sysconfig/iptables with iptables-restore, which replaces whole tables (Docker's chains go)"),
        ["ip6tables.service"] = (85, "ip6tables.service restores /etc/sysconfig/ip6tables with ip6tables-restore, which replaces whole tables (Docker's chains go)"),
        // Seen on Debian 12 and 13: 'ufw enable' with ufw's own files leaves Docker's chains alone.
        ["ufw.service"] = (65, "ufw (re)loaded its rules (ufw enable, reload or disable): it rewrites its own chains; Docker's survive ufw's default files, so suspect rules added to /etc/ufw/before.rules or after.rules"),
    };

    // Things other than firewalld that remove Docker's rules: the units above, a unit whose commands flush (told by the
    // caller), and programs that logged with such a command line.
    private static (int Score, string Reason) ScoreFlusher(JournalEntry e, Func<string, string?>? unitFlushes)
    {
        var unit = e.SubjectUnit ?? string.Empty;
        var lifecycle = e.Identifier == "systemd" && LifecyclePrefixes.Any(p => e.Message.StartsWith(p, StringComparison.Ordinal));
        if (lifecycle && FlusherUnits.TryGetValue(unit, out var known))
        {
            return known;
        }

        if (lifecycle && unit.Length > 0 && !unit.StartsWith("docker.", StringComparison.Ordinal) && unit != "firewalld.service" && unitFlushes?.Invoke(unit) is { } flush)
        {
            return (88, $"{unit} changed state, and {flush}");
        }

        if (e.CommandLine is { Length: > 0 } cmd && Culprits.RulesetFlushers.Describe(cmd, null) is { } ran)
        {
            return (75, $"{e.Identifier ?? unit} logged while {ran.Replace("it ran", "running", StringComparison.Ordinal)}");
        }

        if (e.Identifier is "ufw" or "netfilter-persistent" or "iptables-restore" or "ip6tables-restore")
        {
            return (70, $"{e.Identifier} ran");
        }

        return (0, string.Empty);
    }

    private static (int Score, string Reason) Score(JournalEntry e, ChangeKind kind, string? key)
    {
        var unit = e.SubjectUnit ?? string.Empty;
        var lifecycle = e.Identifier == "systemd" && LifecyclePrefixes.Any(p => e.Message.StartsWith(p, StringComparison.Ordinal));
        var isSysctlLine = e.Identifier == "sysctl" || (e.CommandLine?.Contains("sysctl", StringComparison.Ordinal) ?? false);
        switch (kind)
        {
            case ChangeKind.IpForward:
                if (isSysctlLine && key is not null && (e.Message.Contains(key, StringComparison.Ordinal) || (e.CommandLine?.Contains(key, StringComparison.Ordinal) ?? false)))
                {
                    return (100, $"sysctl wrote {key} (run by {unit})");
                }

                if (lifecycle && NetworkUnits.Contains(unit))
                {
                    return (60, $"{unit} is known to rewrite ip_forward");
                }

                if (lifecycle && unit.StartsWith("docker.", StringComparison.Ordinal))
                {
                    return (40, "dockerd switches ip_forward on when it starts");
                }

                return lifecycle ? (20, $"{unit} changed state at that moment") : (0, string.Empty);
            case ChangeKind.Firewalld:
            case ChangeKind.DockerRules:
                if (lifecycle && unit == "firewalld.service")
                {
                    return (80, "firewalld flushes the iptables tables when it starts, reloads or stops");
                }

                if (e.Identifier == "firewall-cmd" || (e.CommandLine?.Contains("firewall-cmd", StringComparison.Ordinal) ?? false))
                {
                    return (70, "firewall-cmd ran");
                }

                if (lifecycle && unit.StartsWith("docker.", StringComparison.Ordinal))
                {
                    return (60, "dockerd rebuilds its chains when it starts");
                }

                if (e.Identifier == "firewalld" && e.Message.Contains("DOCKER", StringComparison.Ordinal))
                {
                    return (30, "firewalld touched Docker's chains");
                }

                return lifecycle ? (10, $"{unit} changed state at that moment") : (0, string.Empty);
            default:
                return lifecycle ? (50, $"{unit} changed state") : (0, string.Empty);
        }
    }
}
