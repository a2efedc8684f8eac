using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Culprits;

/// <summary>What <see cref="CulpritReader"/> read: nftables.service and its script, ufw's files (null: not on this host).</summary>
public sealed record CulpritReading
{
    /// <summary>nftables.service, null when the unit does not exist (or systemd could not be asked).</summary>
    public NftablesServiceFact? NftablesService { get; init; }

    /// <summary>ufw's files, null when ufw is not installed (no <c>/etc/ufw/ufw.conf</c>); its chains are judged from iptables later.</summary>
    public UfwFact? Ufw { get; init; }
}

/// <summary>Reads what other than firewalld replaces Docker's rules: nftables.service's script and ufw's configuration.</summary>
public static class CulpritReader
{
    /// <summary>Reads both; nothing here throws for a missing or unreadable file (it is left out or named as unreadable).</summary>
    public static async Task<CulpritReading> ReadAsync(INativeRunner runner, IHostFileSystem fs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(fs);
        var ufw = ReadUfw(fs, cancellationToken);
        SystemdUnitState? unit = null;
        try
        {
            unit = (await new SystemdReader(runner).ShowAsync(["nftables.service"], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }
        catch (Exception ex) when (ex is SystemdNotRunningException or NativeProgramNotFoundException or NativeCommandFailedException or NativeTimeoutException)
        {
            // no systemd (or it did not answer): nothing to say about nftables.service
        }

        if (unit is null || !unit.Exists)
        {
            return new CulpritReading { Ufw = ufw };
        }

        var exec = RulesetFlushers.UnitExec(fs, unit.Name, cancellationToken);
        IReadOnlyList<string> Of(string key) => exec.TryGetValue(key, out var v) ? v : [];
        var script = Of("ExecStart").Concat(Of("ExecReload")).Select(RulesetFlushers.NftScript).FirstOrDefault(s => s is not null) ?? "/etc/nftables.conf";
        // Debian's unit stops with 'nft flush ruleset': a restart (stop, then start) flushes whatever the script says.
        var stopFlush = Of("ExecStop").Concat(Of("ExecStopPost")).FirstOrDefault(c => RulesetFlushers.NftScript(c) is null && RulesetFlushers.Describe(c, null) is not null &&
            c.Contains("nft", StringComparison.Ordinal));
        var (text, unreadable) = ReadText(fs, script, cancellationToken);
        var config = text is null ? new NftablesConfigFacts() : NftablesConfig.Parse(text);
        string? version = null;
        try
        {
            var r = await runner.RunAsync(new NativeCommand("nft", "--version") { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken).ConfigureAwait(false);
            version = r.Succeeded ? r.StandardOutput.Trim() : null;
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException or NativeCommandFailedException)
        {
            // no nft: destroy is not offered
        }

        var (kernel, _) = ReadText(fs, "/proc/sys/kernel/osrelease", cancellationToken);
        return new CulpritReading
        {
            Ufw = ufw,
            NftablesService = new NftablesServiceFact
            {
                Unit = unit.Name, LoadState = unit.LoadState, UnitFileState = unit.UnitFileState, ActiveState = ServiceFact.ParseActiveState(unit.ActiveState),
                ActiveSince = unit.ActiveSince, ActiveEnterMonotonicUs = unit.IsActive ? unit.ActiveEnterMonotonicUs : 0,
                ConfigFile = script, ConfigRead = text is not null, ConfigUnreadable = unreadable,
                FlushesRuleset = config.FlushesRuleset, FlushLine = config.FlushLine, Tables = config.Tables, Includes = config.Includes,
                NftVersion = version, KernelRelease = kernel?.Trim(), StopFlush = stopFlush,
            },
        };
    }

    private static UfwFact? ReadUfw(IHostFileSystem fs, CancellationToken ct)
    {
        var (conf, confError) = ReadText(fs, UfwConfig.ConfPath, ct);
        if (conf is null && confError is null)
        {
            return null; // not installed
        }

        var rules = new List<UfwRule>();
        var unreadable = new List<string>();
        if (confError is not null)
        {
            unreadable.Add($"{UfwConfig.ConfPath} ({confError})");
        }

        foreach (var file in UfwConfig.RuleFiles)
        {
            var (text, error) = ReadText(fs, file, ct);
            if (text is not null)
            {
                rules.AddRange(UfwConfig.ParseRules(text, file));
            }
            else if (error is not null)
            {
                unreadable.Add($"{file} ({error})");
            }
        }

        return new UfwFact { Enabled = conf is null ? null : UfwConfig.Enabled(conf), Rules = rules, Unreadable = unreadable };
    }

    // The text of a file, or (null, null) when it does not exist, or (null, why) when it cannot be read in time.
    private static (string? Text, string? Error) ReadText(IHostFileSystem fs, string path, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(RulesetFlushers.ReadTimeout);
        try
        {
            return (fs.ReadAllText(path, RulesetFlushers.MaxFileBytes, cts.Token), null);
        }
        catch (FileNotFoundException)
        {
            return (null, null);
        }
        catch (DirectoryNotFoundException)
        {
            return (null, null);
        }
        catch (HostFileUnreadableException ex)
        {
            return (null, ex.Reason.ToString());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, ex.GetType().Name);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "Timeout");
        }
    }
}
