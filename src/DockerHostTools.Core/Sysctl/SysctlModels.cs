using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Sysctl;

/// <summary>An IP family whose forwarding switch the module reads and repairs.</summary>
public enum IpFamily
{
    /// <summary>IPv4: <c>net.ipv4.ip_forward</c>.</summary>
    IPv4,

    /// <summary>IPv6: <c>net.ipv6.conf.all.forwarding</c>.</summary>
    IPv6,
}

/// <summary>One <c>key = value</c> line of a sysctl configuration file.</summary>
public sealed class SysctlAssignment
{
    /// <summary>Creates an assignment.</summary>
    public SysctlAssignment(string file, int line, string key, string value, bool ignoreFailure, int order)
    {
        File = file;
        Line = line;
        Key = key;
        Value = value;
        IgnoreFailure = ignoreFailure;
        Order = order;
    }

    /// <summary>The file (host path) that holds the line.</summary>
    public string File { get; }

    /// <summary>The line number, from 1.</summary>
    public int Line { get; }

    /// <summary>The key as written, with <c>/</c> separators turned into dots.</summary>
    public string Key { get; }

    /// <summary>The value as written.</summary>
    public string Value { get; }

    /// <summary>The key was written with a leading <c>-</c> (systemd-sysctl ignores a failure to set it).</summary>
    public bool IgnoreFailure { get; }

    /// <summary>The position in which it is applied among all assignments (0 first).</summary>
    public int Order { get; }

    /// <summary>True when this assignment decides the persisted value (the last one applied).</summary>
    public bool InForce { get; internal set; }

    /// <summary>The value read as a switch: true for a non-zero number, false for 0, null when not a number.</summary>
    public bool? Enabled => long.TryParse(Value, out var n) ? n != 0 : null;

    /// <summary><c>file:line</c>.</summary>
    public string Source => $"{File}:{Line}";

    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Key} = {Value}";
}

/// <summary>One configuration file that sysctl applies, after merging the sysctl.d folders by file name.</summary>
public sealed class SysctlConfigFile
{
    /// <summary>Creates the record.</summary>
    public SysctlConfigFile(string path, bool masked, IReadOnlyList<string> hides)
    {
        Path = path;
        Masked = masked;
        Hides = hides;
    }

    /// <summary>The host path of the file that is applied.</summary>
    public string Path { get; }

    /// <summary>The file name (what merging and ordering go by).</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>True when the file is a link to <c>/dev/null</c>: it masks vendor files of the same name and sets nothing.</summary>
    public bool Masked { get; }

    /// <summary>Files of the same name in lower-priority folders that this one hides.</summary>
    public IReadOnlyList<string> Hides { get; }

    /// <inheritdoc />
    public override string ToString() => Masked ? Path + " (masked)" : Path;
}

/// <summary>What is wrong, if anything, with a family's forwarding switch (worst first).</summary>
public enum IpForwardStatus
{
    /// <summary>On now, and a file keeps it on after a reboot, a network restart or <c>sysctl --system</c>.</summary>
    Ok,

    /// <summary>Off now: published ports time out from other hosts.</summary>
    RuntimeDisabled,

    /// <summary>A file sets it to 1, but a later file sets it to 0: it goes off at the next boot or <c>sysctl --system</c>.</summary>
    Overridden,

    /// <summary>The file in force sets it to 0: it goes off at the next boot or <c>sysctl --system</c>.</summary>
    PersistedDisabled,

    /// <summary>On only at runtime (dockerd switched it on); no file sets it, so a network restart or reboot can switch it off.</summary>
    NotPersisted,

    /// <summary>The runtime value could not be read (a saved copy of a host without <c>/proc</c>) and no file sets it.</summary>
    Unknown,
}

/// <summary>How far a verdict can be trusted.</summary>
public enum VerdictConfidence
{
    /// <summary>Every file that could decide it was read.</summary>
    High,

    /// <summary>Some file could not be read (see <c>Unreadable</c>): the verdict is drawn from the others and may be wrong.</summary>
    Low,
}

/// <summary>The forwarding switch of one IP family: now, after the next boot, and why.</summary>
public sealed class IpForwardState
{
    internal IpForwardState(IpFamily family, string key, string? runtimeValue, IReadOnlyList<SysctlAssignment> assignments,
        IReadOnlyList<SysctlConfigFile> maskedFiles, string root, IReadOnlyList<UnreadableFile>? unreadable = null)
    {
        Unreadable = unreadable ?? [];
        Family = family;
        Key = key;
        RuntimeValue = runtimeValue;
        Assignments = assignments;
        MaskedFiles = maskedFiles;
        Root = root;
        PersistedSource = assignments.LastOrDefault(a => a.InForce);
        Status = Decide();
        Message = Describe();
    }

    /// <summary>The family.</summary>
    public IpFamily Family { get; }

    /// <summary>The sysctl key.</summary>
    public string Key { get; }

    /// <summary>The value in <c>/proc/sys</c> now, or null when it could not be read.</summary>
    public string? RuntimeValue { get; }

    /// <summary>True when forwarding is on now; null when the runtime value could not be read.</summary>
    public bool? RuntimeEnabled => RuntimeValue is null ? null : long.TryParse(RuntimeValue, out var n) ? n != 0 : null;

    /// <summary>The value the files give after the next boot or <c>sysctl --system</c>; null when no file sets it.</summary>
    public bool? PersistedEnabled => PersistedSource?.Enabled;

    /// <summary>The assignment that decides the persisted value; null when no file sets it.</summary>
    public SysctlAssignment? PersistedSource { get; }

    /// <summary>Every assignment of the key, in the order they are applied.</summary>
    public IReadOnlyList<SysctlAssignment> Assignments { get; }

    /// <summary>Configuration files masked by a link to <c>/dev/null</c> (they set nothing).</summary>
    public IReadOnlyList<SysctlConfigFile> MaskedFiles { get; }

    /// <summary>The verdict.</summary>
    public IpForwardStatus Status { get; }

    /// <summary>One line a person can act on.</summary>
    public string Message { get; }

    /// <summary>The folder read as <c>/</c>.</summary>
    public string Root { get; }

    /// <summary>Files and folders that could not be read (a 0600 drop-in as non-root, a FIFO, a 0700 folder): they may set the key.</summary>
    public IReadOnlyList<UnreadableFile> Unreadable { get; }

    /// <summary>Low when a file could not be read: the Status is what the readable files say, and may be wrong.</summary>
    public VerdictConfidence Confidence => Unreadable.Count == 0 ? VerdictConfidence.High : VerdictConfidence.Low;

    private IpForwardStatus Decide()
    {
        if (RuntimeEnabled == false)
        {
            return IpForwardStatus.RuntimeDisabled;
        }

        if (PersistedSource is null)
        {
            return RuntimeEnabled is null ? IpForwardStatus.Unknown : IpForwardStatus.NotPersisted;
        }

        if (PersistedEnabled != true)
        {
            return Assignments.Any(a => a.Enabled == true && a.Order < PersistedSource.Order)
                ? IpForwardStatus.Overridden
                : IpForwardStatus.PersistedDisabled;
        }

        return IpForwardStatus.Ok;
    }

    private string Describe()
    {
        var text = DescribeVerdict();
        if (Unreadable.Count == 0)
        {
            return text;
        }

        var what = string.Join(", ", Unreadable.Select(u => u.ToString()));
        return $"{text} But {Unreadable.Count} file(s) could not be read ({what}): they may set {Key} too, so this verdict may be wrong" +
            (Unreadable.Any(u => u.Reason == UnreadableReason.AccessDenied) ? "; run as root to read them." : ".");
    }

    private string DescribeVerdict()
    {
        var later = PersistedSource is null ? string.Empty : $" {PersistedSource.Source} sets {PersistedSource.Value}";
        var enabler = Assignments.LastOrDefault(a => a.Enabled == true);
        return Status switch
        {
            IpForwardStatus.Ok => $"On now and after the next boot:{later}, and nothing applied later overrides it.",
            IpForwardStatus.RuntimeDisabled when PersistedEnabled == true =>
                $"Off now (published ports time out from other hosts), although{later}: something reset it at runtime. Run Repair-IpForward.",
            IpForwardStatus.RuntimeDisabled => "Off now: published ports time out from other hosts. Run Repair-IpForward.",
            IpForwardStatus.Overridden =>
                $"{enabler?.Source} sets 1, but{later} is applied later: forwarding goes off at the next boot or sysctl --system. Run Repair-IpForward -Force.",
            IpForwardStatus.PersistedDisabled => $"On now, but{later}: forwarding goes off at the next boot or sysctl --system. Run Repair-IpForward.",
            IpForwardStatus.NotPersisted =>
                "On only at runtime: no sysctl file sets it, so a network restart or reboot can switch it off. Run Repair-IpForward.",
            _ => "The runtime value could not be read and no sysctl file sets it.",
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Status}";
}
