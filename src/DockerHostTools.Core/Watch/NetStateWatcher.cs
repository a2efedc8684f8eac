using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Journal;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Watch;

/// <summary>How a watch runs.</summary>
public sealed class WatchOptions
{
    /// <summary>How often ip_forward is read from /proc (microseconds of work).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every how many ticks the costlier reads run: systemctl show, iptables-save, nft's table handles (a few ms each).</summary>
    public int SlowEvery { get; init; } = 15;

    /// <summary>Every how many ticks firewalld's zones are read even when nothing hinted at a change (a firewall-cmd call is a Python start).</summary>
    public int FirewalldEvery { get; init; } = 300;

    /// <summary>Published host ports of interest (all DNAT rules when empty).</summary>
    public IReadOnlyCollection<int> Ports { get; init; } = [];

    /// <summary>The Docker Engine API socket asked (<c>/_ping</c>) with the slow reads; null: the engine is not asked.</summary>
    public string? Socket { get; init; }

    /// <summary>How far before the previous read the journal is searched for a cause.</summary>
    public TimeSpan CauseSlack { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Watches what matters for published ports and reports each change with its likely cause from the journal.
/// The first read is the baseline: a quiet host produces nothing.
/// </summary>
public sealed class NetStateWatcher
{
    private static readonly string[] Units = ["docker.service", "firewalld.service"];
    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly WatchOptions _options;
    private readonly JournalReader _journal;

    /// <summary>Creates a watcher.</summary>
    public NetStateWatcher(INativeRunner runner, IHostFileSystem fs, WatchOptions options)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Interval, "The interval must be positive.");
        }

        _journal = new JournalReader(runner);
    }

    /// <summary>Streams changes until cancelled.</summary>
    public async IAsyncEnumerable<NetStateChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, Observation>(StringComparer.Ordinal);
        var lastRead = new Dictionary<ProbeGroup, DateTimeOffset>();
        foreach (var o in await ObserveAsync(0, force: true, values, cancellationToken).ConfigureAwait(false))
        {
            values[o.What] = o;
        }

        lastRead[ProbeGroup.Fast] = lastRead[ProbeGroup.Slow] = lastRead[ProbeGroup.Firewalld] = DateTimeOffset.Now;
        using var timer = new PeriodicTimer(_options.Interval);
        for (long tick = 1; ; tick++)
        {
            if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            var now = DateTimeOffset.Now;
            var observed = await ObserveAsync(tick, force: false, values, cancellationToken).ConfigureAwait(false);
            var groups = observed.Select(o => o.Group).ToHashSet();
            var changes = new List<(Observation Before, Observation After)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in observed)
            {
                seen.Add(o.What);
                if (!values.TryGetValue(o.What, out var before))
                {
                    changes.Add((o with { Value = null }, o));
                }
                else if (before.Value != o.Value)
                {
                    changes.Add((before, o));
                }

                values[o.What] = o;
            }

            // A value that a probe of this tick used to report and no longer does is gone (a flushed chain, a DNAT rule).
            foreach (var gone in values.Values.Where(v => groups.Contains(v.Group) && !seen.Contains(v.What)).ToList())
            {
                changes.Add((gone, gone with { Value = null }));
                values.Remove(gone.What);
            }

            if (changes.Count > 0)
            {
                var since = changes.Select(c => lastRead.TryGetValue(c.After.Group, out var t) ? t : now).Min() - _options.CauseSlack;
                var entries = await _journal.ReadAsync(since, now.AddSeconds(1), cancellationToken).ConfigureAwait(false);
                var unitsChanged = changes.Any(c => c.After.Kind == ChangeKind.Service);
                foreach (var (before, after) in changes)
                {
                    var key = after.Kind == ChangeKind.IpForward ? after.What : null;
                    var causes = LikelyCauseRanker.Rank(entries, now, after.Kind, key).Take(5).ToList();
                    var note = after.What == "firewalld ruleset" && !unitsChanged && causes.Count == 0
                        ? "firewalld rebuilt its rules while its service kept running: a reload (firewall-cmd --reload, or its D-Bus reload call), which logs nothing"
                        : null;
                    yield return new NetStateChange(now, after.What, before.Value, after.Value, ChangeChecks.Severity(after.Subject, after.Value), after.Kind, causes) { Note = note };
                }
            }

            foreach (var g in groups)
            {
                lastRead[g] = now;
            }
        }
    }

    private async Task<List<Observation>> ObserveAsync(long tick, bool force, IReadOnlyDictionary<string, Observation> previous, CancellationToken ct)
    {
        var list = new List<Observation>();
        foreach (var family in new[] { IpFamily.IPv4, IpFamily.IPv6 })
        {
            var key = IpForward.KeyOf(family);
            string? value = null;
            try
            {
                value = _fs.ReadAllText(IpForward.ProcPath(key)).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // No IPv6 in this kernel or namespace: nothing to watch.
            }

            if (value is not null)
            {
                list.Add(new Observation(key, value, ChangeKind.IpForward, ProbeGroup.Fast, FindingSubject.ForForwarding(family)));
            }
        }

        if (!force && tick % Math.Max(1, _options.SlowEvery) != 0)
        {
            return list;
        }

        var servicesTask = ReadServicesAsync(previous, ct);
        var rulesTask = ReadRulesAsync(ct);
        var handleTask = ReadFirewalldRulesetAsync(ct);
        var engineTask = ReadEngineAsync(ct);
        await Task.WhenAll(servicesTask, rulesTask, handleTask, engineTask).ConfigureAwait(false);
        if (engineTask.Result is { } engine)
        {
            list.Add(engine);
        }

        // A read that failed this time (a hung iptables-save, systemctl timing out) says nothing about what is there:
        // its previous values are carried forward rather than reported as gone.
        list.AddRange(servicesTask.Result ?? previous.Values.Where(v => v.Kind == ChangeKind.Service));
        list.AddRange(rulesTask.Result ?? previous.Values.Where(v => v.Kind == ChangeKind.DockerRules));
        list.AddRange(handleTask.Result ?? previous.Values.Where(v => v.What == "firewalld ruleset"));

        // firewalld's zones: a firewall-cmd call is costly, so only when firewalld changed or once in a long while.
        var hint = (servicesTask.Result ?? []).Concat(handleTask.Result ?? []).Any(o => !previous.TryGetValue(o.What, out var p) || p.Value != o.Value);
        if (force || hint || tick % Math.Max(1, _options.FirewalldEvery) == 0)
        {
            list.AddRange(await ReadZonesAsync(ct).ConfigureAwait(false));
        }
        else
        {
            list.AddRange(previous.Values.Where(v => v.Group == ProbeGroup.Firewalld));
        }

        return list;
    }

    // systemd keeps /run/systemd/units/invocation:UNIT -> a new id at every start, gone when stopped: reading those links
    // costs nothing, so systemctl runs only when one of them changed.
    private string InvocationIds()
    {
        try
        {
            return string.Join(' ', Units.Select(u => $"{u}={_fs.ReadLink("/run/systemd/units/invocation:" + u) ?? "-"}"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private string? _invocations;

    private async Task<IEnumerable<Observation>?> ReadServicesAsync(IReadOnlyDictionary<string, Observation> previous, CancellationToken ct)
    {
        var invocations = _fs.DirectoryExists("/run/systemd/units") ? InvocationIds() : null;
        if (invocations is not null && invocations == _invocations)
        {
            return previous.Values.Where(v => v.Kind == ChangeKind.Service).ToList();
        }

        try
        {
            var units = await new SystemdReader(_runner).ShowAsync(Units, ct).ConfigureAwait(false);
            _invocations = invocations; // only after a successful read, so a failed one is tried again next time
            return units.Where(u => u.LoadState != "not-found").Select(u => new Observation(u.Name,
                u.ActiveState == "active" ? $"active since {u.ActiveSince?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "?"}" : $"{u.ActiveState} ({u.SubState})",
                ChangeKind.Service, ProbeGroup.Slow, FindingSubject.ForUnit(u.Name)));
        }
        catch (Exception ex) when (ex is SystemdNotRunningException or NativeProgramNotFoundException)
        {
            return []; // no systemd here: nothing to watch
        }
        catch (Exception ex) when (ex is NativeCommandFailedException or NativeTimeoutException)
        {
            return null; // failed this time
        }
    }

    private async Task<IEnumerable<Observation>?> ReadRulesAsync(CancellationToken ct)
    {
        IptablesSnapshot snapshot;
        try
        {
            snapshot = await new IptablesReader(_runner).ReadAsync(ct).ConfigureAwait(false);
        }
        catch (NativeProgramNotFoundException)
        {
            return []; // no iptables: nothing to watch
        }
        catch (Exception ex) when (ex is NativeCommandFailedException or NativeTimeoutException or FormatException)
        {
            return null; // failed this time
        }

        var list = new List<Observation>();
        foreach (var save in snapshot.Saves.Where(s => IptablesSnapshot.HasDockerChains(s.Ruleset) || s.Variant == snapshot.DefaultVariant))
        {
            foreach (var c in DockerChains.Analyze(save.Ruleset).Where(c => c.Exists || c.Expected))
            {
                if (c.Exists)
                {
                    list.Add(new Observation($"iptables-{save.Variant.ToString().ToLowerInvariant()} {c.Table}/{c.Chain}", "present", ChangeKind.DockerRules, ProbeGroup.Slow,
                        FindingSubject.ForChain(save.Variant, c.Table, c.Chain)));
                }
            }
        }

        foreach (var rule in snapshot.DnatRules.Where(r => _options.Ports.Count == 0 || _options.Ports.Contains(r.HostPort)))
        {
            list.Add(new Observation($"DNAT {rule.HostPort}/{rule.Protocol}", $"{rule.ContainerIp}:{rule.ContainerPort}", ChangeKind.DockerRules, ProbeGroup.Slow,
                FindingSubject.ForPort(rule.HostPort, rule.Protocol)));
        }

        return list.GroupBy(o => o.What).Select(g => g.First());
    }

    // The engine itself, through the socket the Docker commands use: a dockerd that hangs or is not started by systemd
    // (a namespace, another init) changes here and not in docker.service. Its values read as a unit's ("active ...") so
    // ChangeChecks judges them as docker.service's.
    private async Task<Observation?> ReadEngineAsync(CancellationToken ct)
    {
        if (_options.Socket is not { } socket)
        {
            return null;
        }

        string value;
        try
        {
            using var engine = new DockerEngineClient(socket, TimeSpan.FromSeconds(3));
            value = await engine.PingAsync(ct).ConfigureAwait(false) ? "active (the API answers)" : "failed (the API answers with an error)";
        }
        catch (DockerEngineUnavailableException ex)
        {
            value = ex.Failure switch
            {
                DockerEngineFailure.SocketNotFound => "inactive (no socket)",
                DockerEngineFailure.AccessDenied => "unknown (access to the socket denied)",
                DockerEngineFailure.Timeout => "failed (no answer in time)",
                _ => "inactive (nothing accepts connections)",
            };
        }

        return new Observation("Docker Engine API " + socket, value, ChangeKind.Service, ProbeGroup.Slow, FindingSubject.ForUnit("docker.service"));
    }

    // firewalld with the nftables backend rebuilds its table on every start and reload: the table's handle changes.
    private async Task<IEnumerable<Observation>?> ReadFirewalldRulesetAsync(CancellationToken ct)
    {
        try
        {
            var r = await _runner.RunAsync(new NativeCommand("nft", "-j", "list", "tables") { Timeout = TimeSpan.FromSeconds(10) }, ct).ConfigureAwait(false);
            if (!r.Succeeded)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(r.StandardOutput);
            foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
            {
                if (item.TryGetProperty("table", out var t) && t.GetProperty("name").GetString() == "firewalld")
                {
                    return [new Observation("firewalld ruleset", $"table {t.GetProperty("family").GetString()} firewalld #{t.GetProperty("handle").GetInt64()}",
                        ChangeKind.Firewalld, ProbeGroup.Slow, FindingSubject.ForFirewalld(ruleset: true))];
                }
            }
        }
        catch (NativeProgramNotFoundException)
        {
            // No nft (iptables backend on an old host): the zone read every FirewalldEvery ticks covers it.
        }
        catch (Exception ex) when (ex is NativeTimeoutException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // failed this time
        }

        return [];
    }

    private async Task<IEnumerable<Observation>> ReadZonesAsync(CancellationToken ct)
    {
        var state = await FirewalldReader.GetStateAsync(_runner, _fs, ct).ConfigureAwait(false);
        var list = new List<Observation>
        {
            new("firewalld", state.State.ToString(), ChangeKind.Firewalld, ProbeGroup.Firewalld, FindingSubject.ForFirewalld()),
        };
        if (state.State == FirewalldRunState.Running)
        {
            foreach (var zone in state.Zones.Where(z => z.IsActive || z.IsDefault))
            {
                var ports = zone.PortSpecs.Select(p => p.ToString()).Concat(zone.Services.Select(s => "service:" + s)).Order(StringComparer.Ordinal);
                list.Add(new Observation($"firewalld zone {zone.Name}", string.Join(' ', ports), ChangeKind.Firewalld, ProbeGroup.Firewalld,
                    FindingSubject.ForFirewalld(zone.Name)));
            }
        }

        return list;
    }
}

/// <summary>Which read a value comes from (and so how often it is refreshed).</summary>
public enum ProbeGroup
{
    /// <summary>Every tick: /proc.</summary>
    Fast,

    /// <summary>Every few ticks: systemctl, iptables-save, nft.</summary>
    Slow,

    /// <summary>When firewalld changed, else rarely: firewall-cmd.</summary>
    Firewalld,
}

/// <summary>One observed value.</summary>
/// <param name="What">The name of the thing.</param>
/// <param name="Value">Its value as a person reads it (null: gone).</param>
/// <param name="Kind">The kind of thing.</param>
/// <param name="Group">The read it comes from.</param>
/// <param name="Subject">What it is, typed (its change's severity is decided by <see cref="ChangeChecks"/>).</param>
public sealed record Observation(string What, string? Value, ChangeKind Kind, ProbeGroup Group, FindingSubject Subject);
