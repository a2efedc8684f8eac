using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DockerHostTools.Core.Culprits;
using DockerHostTools.Core.DBus;
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
    /// <summary>How often ip_forward is read from /proc (microseconds of work): it has no notification.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Every how many ticks the reads that have no notification run (a few ms each): the units when the D-Bus signals
    /// are not had, iptables-save and nft when the nf_tables netlink group is not (or iptables-legacy holds Docker's chains).
    /// </summary>
    public int SlowEvery { get; init; } = 15;

    /// <summary>Every how many ticks firewalld's zones are read even when nothing told or hinted at a change.</summary>
    public int FirewalldEvery { get; init; } = 300;

    /// <summary>Published host ports of interest (all DNAT rules when empty).</summary>
    public IReadOnlyCollection<int> Ports { get; init; } = [];

    /// <summary>The Docker Engine API socket asked (<c>/_ping</c>) with the slow reads; null: the engine is not asked.</summary>
    public string? Socket { get; init; }

    /// <summary>How far before the previous read the journal is searched for a cause.</summary>
    public TimeSpan CauseSlack { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Whether to be told of changes (D-Bus signals, nf_tables netlink); false polls everything as before.</summary>
    public bool Notifications { get; init; } = true;

    /// <summary>How long after a notification the watch waits for the rest of its burst before reading (a ruleset change is many messages).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Where the watch says how it learns of changes (told or polling, and why); called from any thread.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Watches what matters for published ports and reports each change with its likely cause from the journal.
/// The first read is the baseline: a quiet host produces nothing. The watch is told of changes where the host can tell
/// (<see cref="NetStateNotifier"/>: D-Bus signals, nf_tables netlink) and reads again at once what a notification
/// concerns; it polls only what has no notification: ip_forward every interval, and whatever the notifier lacks every
/// <see cref="WatchOptions.SlowEvery"/> intervals.
/// </summary>
public sealed class NetStateWatcher
{
    /// <summary>The units watched: the engine, its runtime, firewalld and the network managers.</summary>
    public static readonly IReadOnlyList<string> Units =
        ["docker.service", "containerd.service", "firewalld.service", "NetworkManager.service", "systemd-networkd.service", "networking.service"];

    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly WatchOptions _options;
    private readonly JournalReader _journal;
    private bool _legacyRules;

    /// <summary>The change that firewalld's <c>Reloaded</c> signal reports: how many reloads it announced since the watch began.</summary>
    public const string ReloadsWhat = "firewalld reloads";

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
        var log = _options.Log ?? (_ => { });
        var bus = _options.Notifications ? _runner.SystemBus : null;
        using var notifier = await NetStateNotifier.StartAsync(bus as ISystemBusSignals, bus, Units, _options.Notifications, log, cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, Observation>(StringComparer.Ordinal);
        var lastRead = new Dictionary<ProbeGroup, DateTimeOffset>();
        var all = WatchReads.Services | WatchReads.Rules | WatchReads.Ruleset | WatchReads.Zones | WatchReads.Engine;
        _ = notifier.Take(); // the baseline reads everything
        foreach (var (group, read) in await ObserveAsync(all, forceServices: true, hints: false, values, cancellationToken).ConfigureAwait(false))
        {
            foreach (var o in read ?? [])
            {
                values[o.What] = o;
            }

            lastRead[group] = DateTimeOffset.Now;
        }

        if (_legacyRules && notifier.NetlinkNotifies)
        {
            log("iptables-legacy holds rules, and its tables send no notification: iptables-save runs every " + _options.SlowEvery + " intervals.");
        }

        var reloadsReported = notifier.Reloads;
        // firewalld takes its bus name before it has loaded its rules: told that it came back while it still says so, the
        // watch asks again every second for a while (nothing else tells when it is done).
        var zonesRecheckUntil = DateTimeOffset.MinValue;
        var zonesRecheckNext = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(_options.Interval);
        Task<bool>? tickTask = null;
        Task? toldTask = null;
        for (long tick = 0; ;)
        {
            tickTask ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            toldTask ??= notifier.WaitAsync(cancellationToken);
            await Task.WhenAny(tickTask, toldTask).ConfigureAwait(false);
            var reads = WatchReads.None;
            var forceServices = false;
            var toldZones = false;
            if (tickTask.IsCompleted)
            {
                if (!await tickTask.ConfigureAwait(false))
                {
                    yield break;
                }

                tickTask = null;
                tick++;
                if (tick % Math.Max(1, _options.SlowEvery) == 0)
                {
                    await notifier.RetryBusAsync(bus, cancellationToken).ConfigureAwait(false);
                    reads |= notifier.Unnotified | WatchReads.Engine | (_legacyRules ? WatchReads.Rules : WatchReads.None);
                }

                if (tick % Math.Max(1, _options.FirewalldEvery) == 0)
                {
                    reads |= WatchReads.Zones;
                }

                if (DateTimeOffset.Now is var t && t < zonesRecheckUntil && t >= zonesRecheckNext)
                {
                    reads |= WatchReads.Zones | WatchReads.Services;
                    zonesRecheckNext = t.AddSeconds(1);
                }
            }

            if (toldTask.IsCompleted)
            {
                await toldTask.ConfigureAwait(false);
                toldTask = null;
                // A change is a burst (a ruleset is many netlink messages, a restart many property changes): let it end.
                await Task.Delay(_options.Settle, cancellationToken).ConfigureAwait(false);
                var told = notifier.Take();
                reads |= told | ((told & WatchReads.Services) != 0 ? WatchReads.Engine : WatchReads.None);
                forceServices = (told & WatchReads.Services) != 0;
                toldZones = (told & WatchReads.Zones) != 0;
            }

            // Told by firewalld itself, the watch reads its zones when firewalld says (after a reload, not in the middle of one).
            var observed = await ObserveAsync(reads, forceServices, hints: !notifier.BusNotifies, values, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.Now;
            if (notifier.BusNotifies && observed.FirstOrDefault(r => r.Group == ProbeGroup.Firewalld).Read?.FirstOrDefault(o => o.What == "firewalld") is { } fw)
            {
                if (fw.Value is "Running" or "NotInstalled")
                {
                    zonesRecheckUntil = DateTimeOffset.MinValue;
                }
                else if (toldZones)
                {
                    zonesRecheckUntil = now.AddSeconds(30);
                    zonesRecheckNext = now.AddSeconds(1);
                }
            }

            var changes = new List<(Observation Before, Observation After)>();
            foreach (var (group, read) in observed)
            {
                if (read is null)
                {
                    continue; // this read failed this time: it says nothing about what is there
                }

                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var o in read)
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

                // A value that this read used to report and no longer does is gone (a flushed chain, a DNAT rule).
                foreach (var gone in values.Values.Where(v => v.Group == group && !seen.Contains(v.What)).ToList())
                {
                    changes.Add((gone, gone with { Value = null }));
                    values.Remove(gone.What);
                }
            }

            // firewalld's Reloaded signal is a change of its own: the ruleset may be read before or after it, or not change at all.
            var reloads = notifier.Reloads;
            if (reloads != reloadsReported)
            {
                var subject = FindingSubject.ForFirewalld(ruleset: true);
                changes.Add((new Observation(ReloadsWhat, reloadsReported.ToString(CultureInfo.InvariantCulture), ChangeKind.Firewalld, ProbeGroup.Firewalld, subject),
                    new Observation(ReloadsWhat, reloads.ToString(CultureInfo.InvariantCulture), ChangeKind.Firewalld, ProbeGroup.Firewalld, subject)));
            }

            if (changes.Count > 0)
            {
                var since = changes.Select(c => lastRead.TryGetValue(c.After.Group, out var t) ? t : now).Min() - _options.CauseSlack;
                var entries = await _journal.ReadAsync(since, now.AddSeconds(1), cancellationToken).ConfigureAwait(false);
                var unitsChanged = changes.Any(c => c.After.Kind == ChangeKind.Service);
                // Why a unit that changed state in the window removes Docker's rules (its ExecStart lines, read once per change).
                var flushers = new Dictionary<string, string?>(StringComparer.Ordinal);
                string? UnitFlushes(string unit)
                {
                    if (!flushers.TryGetValue(unit, out var why))
                    {
                        why = RulesetFlushers.UnitCommands(_fs, unit, cancellationToken)
                            .Select(c => RulesetFlushers.Describe(c, f => ReadScript(f, cancellationToken))).FirstOrDefault(w => w is not null);
                        flushers[unit] = why;
                    }

                    return why;
                }

                // What is there now (this read's values), for changes whose weight depends on what came with them.
                var current = values.Values.Select(v => v.Subject).ToList();
                foreach (var (before, after) in changes)
                {
                    var key = after.Kind == ChangeKind.IpForward ? after.What : null;
                    var causes = LikelyCauseRanker.Rank(entries, now, after.Kind, key, UnitFlushes).Take(5).ToList();
                    string? note = null;
                    if (after.What == ReloadsWhat || (after.What == "firewalld ruleset" && reloads != reloadsReported))
                    {
                        note = "firewalld announced a reload on D-Bus (its Reloaded signal): firewall-cmd --reload, or its D-Bus reload call";
                    }
                    else if (after.What == "firewalld ruleset" && !unitsChanged && causes.Count == 0)
                    {
                        note = "firewalld rebuilt its rules while its service kept running: a reload (firewall-cmd --reload, or its D-Bus reload call), which logs nothing";
                    }

                    yield return new NetStateChange(now, after.What, before.Value, after.Value, ChangeChecks.Severity(after.Subject, after.Value, current), after.Kind, causes) { Note = note };
                }

                reloadsReported = reloads;
            }

            foreach (var (group, read) in observed)
            {
                if (read is not null)
                {
                    lastRead[group] = now;
                }
            }
        }
    }

    // An nft script a unit loads, for the ranking (at most 1 MiB, within the flushers' read timeout); null when unreadable.
    private string? ReadScript(string path, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(RulesetFlushers.ReadTimeout);
        try
        {
            return _fs.ReadAllText(path, RulesetFlushers.MaxFileBytes, cts.Token);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    // One round of reads: ip_forward always (it has no notification), then what was asked, concurrently; with hints,
    // firewalld's zones also when its unit or its ruleset changed. A null list: that read failed this time.
    private async Task<List<(ProbeGroup Group, IEnumerable<Observation>? Read)>> ObserveAsync(WatchReads reads, bool forceServices, bool hints, IReadOnlyDictionary<string, Observation> previous, CancellationToken ct)
    {
        var list = new List<(ProbeGroup, IEnumerable<Observation>?)> { (ProbeGroup.Fast, ReadIpForward()) };
        var servicesTask = (reads & WatchReads.Services) != 0 ? ReadServicesAsync(previous, forceServices, ct) : null;
        var rulesTask = (reads & WatchReads.Rules) != 0 ? ReadRulesAsync(ct) : null;
        var rulesetTask = (reads & WatchReads.Ruleset) != 0 ? ReadFirewalldRulesetAsync(ct) : null;
        var zonesTask = (reads & WatchReads.Zones) != 0 ? ReadZonesAsync(ct) : null;
        var engineTask = (reads & WatchReads.Engine) != 0 && _options.Socket is not null ? ReadEngineAsync(ct) : null;
        await Task.WhenAll(new Task?[] { servicesTask, rulesTask, rulesetTask, zonesTask, engineTask }.OfType<Task>()).ConfigureAwait(false);
        if (engineTask?.Result is { } engine)
        {
            list.Add((ProbeGroup.Engine, [engine]));
        }

        if (servicesTask is not null)
        {
            list.Add((ProbeGroup.Services, servicesTask.Result));
        }

        if (rulesTask is not null)
        {
            list.Add((ProbeGroup.Rules, rulesTask.Result));
        }

        if (rulesetTask is not null)
        {
            list.Add((ProbeGroup.Ruleset, rulesetTask.Result));
        }

        if (zonesTask is not null)
        {
            list.Add((ProbeGroup.Firewalld, zonesTask.Result));
        }
        else
        {
            // firewalld's zones: when firewalld's unit or ruleset changed, read them too.
            var hint = hints && (servicesTask?.Result ?? []).Where(o => o.What == "firewalld.service").Concat(rulesetTask?.Result ?? [])
                .Any(o => !previous.TryGetValue(o.What, out var p) || p.Value != o.Value);
            if (hint)
            {
                list.Add((ProbeGroup.Firewalld, await ReadZonesAsync(ct).ConfigureAwait(false)));
            }
        }

        return list;
    }

    private List<Observation> ReadIpForward()
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

    private async Task<IEnumerable<Observation>?> ReadServicesAsync(IReadOnlyDictionary<string, Observation> previous, bool force, CancellationToken ct)
    {
        var invocations = _fs.DirectoryExists("/run/systemd/units") ? InvocationIds() : null;
        if (!force && invocations is not null && invocations == _invocations)
        {
            return previous.Values.Where(v => v.Group == ProbeGroup.Services).ToList();
        }

        try
        {
            var units = await new SystemdReader(_runner).ShowAsync(Units, ct).ConfigureAwait(false);
            _invocations = invocations; // only after a successful read, so a failed one is tried again next time
            return units.Where(u => u.LoadState != "not-found").Select(u => new Observation(u.Name,
                u.ActiveState == "active" ? $"active since {u.ActiveSince?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "?"}" : $"{u.ActiveState} ({u.SubState})",
                ChangeKind.Service, ProbeGroup.Services, FindingSubject.ForUnit(u.Name))).ToList();
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

        // iptables-legacy (and the untagged 1.4) sends no notification: while it holds rules, the watch polls them.
        _legacyRules = snapshot.Saves.Any(s => s.Variant != IptablesVariant.Nft && (IptablesSnapshot.HasDockerChains(s.Ruleset) || s.Variant == snapshot.DefaultVariant));
        return RuleObservations(snapshot, _options.Ports);
    }

    /// <summary>
    /// What the watch observes of one read of the rules: Docker's chains and DNAT rules in iptables and, where Docker keeps
    /// IPv6 rules, in ip6tables with the ip6tables FORWARD policy (<paramref name="ports"/> narrows the DNAT rules).
    /// </summary>
    public static IReadOnlyList<Observation> RuleObservations(IptablesSnapshot snapshot, IReadOnlyCollection<int> ports)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(ports);
        var list = new List<Observation>();
        foreach (var save in snapshot.Saves.Where(s => IptablesSnapshot.HasDockerChains(s.Ruleset) || s.Variant == snapshot.DefaultVariant))
        {
            foreach (var c in DockerChains.Analyze(save.Ruleset).Where(c => c.Exists || c.Expected))
            {
                if (c.Exists)
                {
                    list.Add(new Observation($"iptables-{save.Variant.ToString().ToLowerInvariant()} {c.Table}/{c.Chain}", "present", ChangeKind.DockerRules, ProbeGroup.Rules,
                        FindingSubject.ForChain(save.Variant, c.Table, c.Chain)));
                }
            }
        }

        foreach (var rule in snapshot.DnatRules.Where(r => ports.Count == 0 || ports.Contains(r.HostPort)))
        {
            list.Add(new Observation($"DNAT {rule.HostPort}/{rule.Protocol}", $"{rule.ContainerIp}:{rule.ContainerPort}", ChangeKind.DockerRules, ProbeGroup.Rules,
                FindingSubject.ForPort(rule.HostPort, rule.Protocol)));
        }

        // IPv6: Docker's ip6tables chains, their DNAT rules and the ip6tables FORWARD policy, where Docker keeps IPv6 rules
        // (or the variant ip6tables points to, so a flush that took every chain still shows the policy).
        foreach (var save in snapshot.Saves6.Where(s => IptablesSnapshot.HasDockerChains(s.Ruleset) || s.Variant == snapshot.DefaultVariant))
        {
            var variant = save.Variant.ToString().ToLowerInvariant();
            foreach (var c in DockerChains.Analyze(save.Ruleset, null, IpFamily.IPv6).Where(c => c.Exists))
            {
                list.Add(new Observation($"ip6tables-{variant} {c.Table}/{c.Chain}", "present", ChangeKind.DockerRules, ProbeGroup.Rules,
                    FindingSubject.ForChain(save.Variant, c.Table, c.Chain, IpFamily.IPv6)));
            }

            if (IptablesSnapshot.HasDockerChains(save.Ruleset) || DockerChains.ForwardPolicy(save.Ruleset) == "DROP")
            {
                list.Add(new Observation($"ip6tables-{variant} filter/FORWARD policy", DockerChains.ForwardPolicy(save.Ruleset), ChangeKind.DockerRules, ProbeGroup.Rules,
                    FindingSubject.ForVariant(save.Variant, IpFamily.IPv6)));
            }
        }

        foreach (var rule in snapshot.DnatRules6.Where(r => ports.Count == 0 || ports.Contains(r.HostPort)))
        {
            list.Add(new Observation($"DNAT [::]:{rule.HostPort}/{rule.Protocol}", $"[{rule.ContainerIp}]:{rule.ContainerPort}", ChangeKind.DockerRules, ProbeGroup.Rules,
                FindingSubject.ForPort(rule.HostPort, rule.Protocol, IpFamily.IPv6)));
        }

        return list.GroupBy(o => o.What).Select(g => g.First()).ToList();
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

        return new Observation("Docker Engine API " + socket, value, ChangeKind.Service, ProbeGroup.Engine, FindingSubject.ForUnit("docker.service"));
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
                        ChangeKind.Firewalld, ProbeGroup.Ruleset, FindingSubject.ForFirewalld(ruleset: true))];
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

    private async Task<IEnumerable<Observation>?> ReadZonesAsync(CancellationToken ct)
    {
        // Only the runtime zones matter here: the permanent side of none but the default and docker zones is read.
        var state = await FirewalldReader.GetStateAsync(_runner, _fs, static (_, _) => [], ct).ConfigureAwait(false);
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

/// <summary>Which read a value comes from (a value that its read no longer reports is gone).</summary>
public enum ProbeGroup
{
    /// <summary>Every tick: /proc (ip_forward has no notification).</summary>
    Fast,

    /// <summary>The units: when systemd tells (D-Bus signals), else every few ticks.</summary>
    Services,

    /// <summary>Docker's chains and DNAT rules (iptables-save): when nf_tables tells (netlink), else every few ticks.</summary>
    Rules,

    /// <summary>firewalld's nftables table (nft): as the rules.</summary>
    Ruleset,

    /// <summary>firewalld's state and zones: when firewalld tells (D-Bus signals) or its unit or ruleset changed, else rarely.</summary>
    Firewalld,

    /// <summary>The engine's <c>/_ping</c> on the watched socket: it has no notification, so every few ticks.</summary>
    Engine,
}

/// <summary>One observed value.</summary>
/// <param name="What">The name of the thing.</param>
/// <param name="Value">Its value as a person reads it (null: gone).</param>
/// <param name="Kind">The kind of thing.</param>
/// <param name="Group">The read it comes from.</param>
/// <param name="Subject">What it is, typed (its change's severity is decided by <see cref="ChangeChecks"/>).</param>
public sealed record Observation(string What, string? Value, ChangeKind Kind, ProbeGroup Group, FindingSubject Subject);
