using System.ComponentModel;
using DockerHostTools.Core.DBus;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Watch;

/// <summary>The reads of a watch, as flags (what a notification asks to read again).</summary>
[Flags]
public enum WatchReads
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The units (systemd).</summary>
    Services = 1,

    /// <summary>Docker's chains and DNAT rules (iptables-save).</summary>
    Rules = 2,

    /// <summary>firewalld's nftables table (its handle changes at every start and reload).</summary>
    Ruleset = 4,

    /// <summary>firewalld's state and zones.</summary>
    Zones = 8,

    /// <summary>The engine's <c>/_ping</c> on the watched socket (nothing tells of it: polled with the slow reads).</summary>
    Engine = 16,
}

/// <summary>
/// What tells a watch that something changed: D-Bus signals over the in-process system bus connection (firewalld's
/// <c>Reloaded</c>, the bus's <c>NameOwnerChanged</c> for firewalld, systemd's <c>PropertiesChanged</c> for the watched
/// units and the manager's <c>JobRemoved</c>) and the kernel's nf_tables netlink group. Each notification raises the
/// reads it concerns; the watch wakes at once and reads them. What has no notification (or lost it) is in
/// <see cref="Unnotified"/>, which the watch polls as before.
/// </summary>
public sealed class NetStateNotifier : IDisposable
{
    private const string FirewalldName = "org.fedoraproject.FirewallD1";
    private const string SystemdName = "org.freedesktop.systemd1";
    private const string SystemdPath = "/org/freedesktop/systemd1";
    private const string ManagerInterface = "org.freedesktop.systemd1.Manager";

    private readonly IReadOnlyList<string> _units;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly object _gate = new();
    private ISystemBusSignals? _bus;
    private NftablesEvents? _netlink;
    private int _pending;
    private int _busUp;
    private int _busEnded; // set by every end of the connection, also one that comes while the subscriptions are being added
    private int _disposed;
    private int _netlinkUp;
    private int _reloads;
    private bool _busFailureSaid;

    private NetStateNotifier(IReadOnlyList<string> units, Action<string> log)
    {
        _units = units;
        _log = log;
    }

    /// <summary>Whether the D-Bus signals are being received.</summary>
    public bool BusNotifies => Volatile.Read(ref _busUp) == 1;

    /// <summary>Whether the nf_tables netlink group is being read.</summary>
    public bool NetlinkNotifies => Volatile.Read(ref _netlinkUp) == 1;

    /// <summary>How many <c>Reloaded</c> signals firewalld sent since the watch began.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>The reads that no notification covers now: the watch polls them.</summary>
    public WatchReads Unnotified =>
        (BusNotifies ? WatchReads.None : WatchReads.Services) |
        (NetlinkNotifies ? WatchReads.None : WatchReads.Rules | WatchReads.Ruleset);

    /// <summary>
    /// Subscribes to what can be had: the bus when <paramref name="bus"/> is given and answers, netlink when the
    /// kernel lets this process join the group. Whatever fails is said through <paramref name="log"/> and polled.
    /// </summary>
    public static async Task<NetStateNotifier> StartAsync(ISystemBusSignals? bus, ISystemBus? calls, IReadOnlyList<string> units, bool useNetlink, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(log);
        var notifier = new NetStateNotifier(units, log);
        try
        {
            if (bus is not null && calls is not null)
            {
                notifier._bus = bus;
                await notifier.SubscribeBusAsync(calls, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                log("No in-process D-Bus system bus (" + SystemBusConnection.DisableVariable + "=1, or none): the units and firewalld are polled as before.");
            }

            if (useNetlink)
            {
                notifier.OpenNetlink();
            }
            else
            {
                log("nf_tables netlink notifications are off: the rules are polled as before.");
            }
        }
        catch
        {
            notifier.Dispose();
            throw;
        }

        return notifier;
    }

    /// <summary>Subscribes to the bus again after its connection was lost (nothing when it is up or was never there).</summary>
    public async Task RetryBusAsync(ISystemBus? calls, CancellationToken cancellationToken)
    {
        if (_bus is null || calls is null || BusNotifies)
        {
            return;
        }

        await SubscribeBusAsync(calls, cancellationToken).ConfigureAwait(false);
        if (BusNotifies)
        {
            Raise(WatchReads.Services | WatchReads.Zones | WatchReads.Ruleset); // what happened while deaf
        }
    }

    /// <summary>Waits until a notification raised a read.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    /// <summary>The reads raised since the last call, cleared.</summary>
    public WatchReads Take() => (WatchReads)Interlocked.Exchange(ref _pending, 0);

    /// <summary>Asks for reads (what a notification does).</summary>
    public void Raise(WatchReads reads)
    {
        Interlocked.Or(ref _pending, (int)reads);
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already raised.
        }
        catch (ObjectDisposedException)
        {
            // The watch has ended.
        }
    }

    /// <summary>Ends the subscriptions and closes the netlink socket.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        Volatile.Write(ref _busUp, 0);
        lock (_gate)
        {
            foreach (var s in _subscriptions)
            {
                s.Dispose();
            }

            _subscriptions.Clear();
        }

        _netlink?.Dispose();
        _netlink = null;
        _signal.Dispose();
    }

    private async Task SubscribeBusAsync(ISystemBus calls, CancellationToken cancellationToken)
    {
        var units = _units.ToHashSet(StringComparer.Ordinal);
        var matches = new List<(DBusSignalMatch Match, Action<DBusSignal> OnSignal)>
        {
            (new DBusSignalMatch(FirewalldName, "Reloaded"), _ =>
            {
                Interlocked.Increment(ref _reloads);
                Raise(WatchReads.Zones | WatchReads.Ruleset);
            }),
            // Runtime zone changes (PortAdded, ServiceRemoved, InterfaceAdded...): no reload, so no new ruleset.
            (new DBusSignalMatch(FirewalldName + ".zone", null), _ => Raise(WatchReads.Zones)),
            (new DBusSignalMatch("org.freedesktop.DBus", "NameOwnerChanged", "/org/freedesktop/DBus", "org.freedesktop.DBus", FirewalldName),
                _ => Raise(WatchReads.Zones | WatchReads.Ruleset | WatchReads.Services)),
            (new DBusSignalMatch(ManagerInterface, "JobRemoved", SystemdPath), s =>
            {
                // JobRemoved(u id, o job, s unit, s result): only the watched units.
                if (s.Arguments is [_, _, string unit, ..] && units.Contains(unit))
                {
                    Raise(WatchReads.Services);
                }
            }),
        };
        matches.AddRange(_units.Select(u => (new DBusSignalMatch(DBusCall.PropertiesInterface, "PropertiesChanged", SystemdDbusReader.UnitPath(u)),
            (Action<DBusSignal>)(_ => Raise(WatchReads.Services)))));
        var added = new List<IDisposable>();
        var subscribed = false;
        var committed = false;
        Volatile.Write(ref _busEnded, 0);
        try
        {
            foreach (var (match, onSignal) in matches)
            {
                added.Add(await _bus!.WatchSignalAsync(match, onSignal, OnBusEnd, cancellationToken).ConfigureAwait(false));
            }

            // systemd sends its unit and job signals only to clients that asked for them.
            await calls.CallAsync(new DBusCall(SystemdName, SystemdPath, ManagerInterface, "Subscribe"), cancellationToken).ConfigureAwait(false);
            subscribed = true;
        }
        catch (Exception ex) when (ex is DBusUnavailableException or DBusCallFailedException or DBusTimeoutException)
        {
            if (!_busFailureSaid)
            {
                _busFailureSaid = true; // said once: the watch tries again every -SlowEvery intervals
                _log($"The D-Bus signals could not be subscribed ({ex.Message}): the units and firewalld are polled as before.");
            }

            return;
        }
        finally
        {
            // Ctrl+C, a failure, or a connection that ended while the matches were added (some of them then died with
            // it): nothing half-subscribed is kept, and the watch polls and tries again.
            if (subscribed && Volatile.Read(ref _busEnded) == 0 && Volatile.Read(ref _disposed) == 0 && !cancellationToken.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _subscriptions.AddRange(added);
                }

                committed = true;
            }

            if (!committed)
            {
                foreach (var a in added)
                {
                    a.Dispose();
                }
            }
        }

        if (!committed)
        {
            return;
        }

        Volatile.Write(ref _busUp, 1);
        if (Volatile.Read(ref _busEnded) == 1)
        {
            OnBusEnd(null); // it ended just now, after the check above: poll and try again
            return;
        }

        _busFailureSaid = false;
        _log($"Told over D-Bus: firewalld's Reloaded, zone signals and NameOwnerChanged, systemd's PropertiesChanged for {string.Join(", ", _units)} and JobRemoved.");
    }

    private void OnBusEnd(Exception? ex)
    {
        Volatile.Write(ref _busEnded, 1);
        if (Interlocked.Exchange(ref _busUp, 0) == 1 && Volatile.Read(ref _disposed) == 0)
        {
            _log($"The D-Bus connection ended ({ex?.Message}): the units and firewalld are polled until it is back.");
            lock (_gate)
            {
                _subscriptions.Clear(); // the connection took them with it
            }

            Raise(WatchReads.Services | WatchReads.Zones | WatchReads.Ruleset);
        }
    }

    private void OpenNetlink()
    {
        try
        {
            _netlink = NftablesEvents.Open(() => Raise(WatchReads.Rules | WatchReads.Ruleset), ex =>
            {
                Volatile.Write(ref _netlinkUp, 0);
                _log($"The nf_tables netlink socket failed ({ex.Message}): the rules are polled as before.");
                Raise(WatchReads.Rules | WatchReads.Ruleset);
            });
            Volatile.Write(ref _netlinkUp, 1);
            _log("Told by the kernel: the nf_tables netlink group (NFNLGRP_NFTABLES) for nft and iptables-nft rule changes.");
        }
        catch (Win32Exception ex)
        {
            _log($"No nf_tables netlink notifications ({ex.Message}): the rules are polled as before.");
        }
        catch (DllNotFoundException ex)
        {
            _log($"No nf_tables netlink notifications ({ex.Message}): the rules are polled as before.");
        }
    }
}
