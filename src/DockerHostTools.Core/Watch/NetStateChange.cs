using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Journal;

namespace DockerHostTools.Core.Watch;

/// <summary>One change of something that matters for published ports, with the journal's likely explanation.</summary>
public sealed class NetStateChange
{
    /// <summary>Creates the record.</summary>
    public NetStateChange(DateTimeOffset timestamp, string what, string? before, string? after, FindingSeverity severity, ChangeKind kind,
        IReadOnlyList<LikelyCause> likelyCause)
    {
        Timestamp = timestamp;
        What = what;
        Before = before;
        After = after;
        Severity = severity;
        Kind = kind;
        LikelyCause = new TextList<LikelyCause>(likelyCause ?? []);
    }

    /// <summary>When the change was seen.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>What changed, for example <c>net.ipv4.ip_forward</c>, <c>docker.service</c>, <c>DNAT 5000/tcp</c>.</summary>
    public string What { get; }

    /// <summary>The value before (null when it did not exist).</summary>
    public string? Before { get; }

    /// <summary>The value after (null when it is gone).</summary>
    public string? After { get; }

    /// <summary>Error: outside traffic is blocked now; Warning: it may break or just broke something; Info: back to normal or harmless.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>The kind of thing that changed.</summary>
    public ChangeKind Kind { get; }

    /// <summary>Journal entries around the change that may explain it, best match first.</summary>
    public IReadOnlyList<LikelyCause> LikelyCause { get; }

    /// <summary>What the watcher can tell without the journal (a firewalld reload logs nothing), or null.</summary>
    public string? Note { get; init; }

    /// <summary>The best explanation: the unit (or program) of the first likely cause, or null.</summary>
    public string? Cause => LikelyCause.Count == 0 ? null : LikelyCause[0].Unit ?? LikelyCause[0].Identifier;

    /// <inheritdoc />
    public override string ToString() => $"{Timestamp:HH:mm:ss} {What}: {Before ?? "(none)"} -> {After ?? "(none)"}{(Cause is null ? string.Empty : " by " + Cause)}";
}
