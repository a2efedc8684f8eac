using DockerHostTools.Core.Culprits;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>nftables.service (the nftables package's unit, <c>nft -f /etc/nftables.conf</c>), as the checks need it.</summary>
public sealed record NftablesServiceFact
{
    /// <summary>The unit.</summary>
    public string Unit { get; init; } = "nftables.service";

    /// <summary>loaded, not-found...</summary>
    public string LoadState { get; init; } = string.Empty;

    /// <summary>enabled, disabled, masked... (null when not said).</summary>
    public string? UnitFileState { get; init; }

    /// <summary>active, inactive...</summary>
    public UnitActiveState ActiveState { get; init; } = UnitActiveState.Unknown;

    /// <summary>When it last became active (it is a oneshot that stays active: when it last loaded its script).</summary>
    public DateTimeOffset? ActiveSince { get; init; }

    /// <summary>The same on the monotonic clock (µs; 0: not active since boot).</summary>
    public ulong ActiveEnterMonotonicUs { get; init; }

    /// <summary>The script its ExecStart loads (<c>nft -f FILE</c>; <c>/etc/nftables.conf</c> when its unit file does not say).</summary>
    public string ConfigFile { get; init; } = "/etc/nftables.conf";

    /// <summary>Why the script could not be read (null: read, or there is none).</summary>
    public string? ConfigUnreadable { get; init; }

    /// <summary>True when the script was read and exists.</summary>
    public bool ConfigRead { get; init; }

    /// <summary>True when the script runs <c>flush ruleset</c>.</summary>
    public bool FlushesRuleset { get; init; }

    /// <summary>The <c>flush ruleset</c> line (<c>line 3: flush ruleset</c>).</summary>
    public string? FlushLine { get; init; }

    /// <summary>The tables the script defines (<c>inet filter</c>).</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>The files it includes (not read).</summary>
    public IReadOnlyList<string> Includes { get; init; } = [];

    /// <summary><c>nft --version</c>'s text (null when not read).</summary>
    public string? NftVersion { get; init; }

    /// <summary>The kernel release (<c>/proc/sys/kernel/osrelease</c>), for <c>destroy table</c> (Linux 6.3+).</summary>
    public string? KernelRelease { get; init; }

    /// <summary>The unit's ExecStop that flushes the ruleset (Debian's <c>/usr/sbin/nft flush ruleset</c>): each stop and restart runs it; null when none.</summary>
    public string? StopFlush { get; init; }

    /// <summary>True when it is enabled (it loads its script at every boot).</summary>
    public bool Enabled => UnitFileState is "enabled" or "enabled-runtime" or "static" or "alias";
}

/// <summary>ufw, as the checks need it.</summary>
public sealed record UfwFact
{
    /// <summary><c>ENABLED=yes</c> in <c>/etc/ufw/ufw.conf</c> (null: the file does not say).</summary>
    public bool? Enabled { get; init; }

    /// <summary>True when ufw's chains (<c>ufw-user-input</c>) are loaded in the iptables variant the <c>iptables</c> command uses: ufw is active now.</summary>
    public bool ChainsLoaded { get; init; }

    /// <summary>True when DOCKER-USER jumps to one of ufw's chains (the ufw-docker recipes): then ufw's rules do see forwarded traffic.</summary>
    public bool DockerUserJumpsToUfw { get; init; }

    /// <summary>The rules of user.rules and user6.rules.</summary>
    public IReadOnlyList<UfwRule> Rules { get; init; } = [];

    /// <summary>Rule files that could not be read (<c>path (reason)</c>).</summary>
    public IReadOnlyList<string> Unreadable { get; init; } = [];

    /// <summary>True when ufw is active: enabled and its chains loaded.</summary>
    public bool Active => Enabled == true && ChainsLoaded;
}
