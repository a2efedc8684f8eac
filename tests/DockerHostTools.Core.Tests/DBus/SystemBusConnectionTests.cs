using System.Diagnostics;
using DockerHostTools.Core.DBus;
using Xunit;

namespace DockerHostTools.Core.Tests.DBus;

/// <summary>
/// The in-process connection against a real dbus-daemon of its own (a private bus in a temp folder, the daemon's own
/// interface as the service): replies of several signatures as plain values, D-Bus errors, NO_AUTO_START (an activatable
/// service stays unstarted), no bus, cancellation. Needs dbus-daemon (the lab packages install it).
/// </summary>
public sealed class SystemBusConnectionTests : IDisposable
{
    private const string Daemon = "org.freedesktop.DBus";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dht-dbus-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Process? _daemon;
    private readonly SystemBusConnection? _bus;

    public SystemBusConnectionTests()
    {
        if (!File.Exists("/usr/bin/dbus-daemon") || !File.Exists("/usr/share/dbus-1/session.conf"))
        {
            return;
        }

        Directory.CreateDirectory(Path.Combine(_dir, "services"));
        var socket = Path.Combine(_dir, "bus");
        // The distribution's session bus rules, with one more folder of activatable services.
        File.WriteAllText(Path.Combine(_dir, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <include>/usr/share/dbus-1/session.conf</include>
              <servicedir>{_dir}/services</servicedir>
            </busconfig>
            """);
        // An activatable service: a call to its name without NO_AUTO_START would make the daemon run this.
        File.WriteAllText(Path.Combine(_dir, "services", "org.example.Starter.service"),
            $"[D-BUS Service]\nName=org.example.Starter\nExec=/usr/bin/touch {_dir}/started\n");
        var psi = new ProcessStartInfo("/usr/bin/dbus-daemon") { RedirectStandardOutput = true };
        foreach (var a in new[] { "--nofork", "--config-file=" + Path.Combine(_dir, "bus.conf"), "--address=unix:path=" + socket, "--print-pid" })
        {
            psi.ArgumentList.Add(a);
        }

        _daemon = Process.Start(psi)!;
        DaemonPid = uint.Parse(_daemon.StandardOutput.ReadLine()!.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        _bus = new SystemBusConnection("unix:path=" + socket);
    }

    private uint DaemonPid { get; }

    // kill(1) on the daemon this test started, by its PID
    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, DaemonPid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit(5000);
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        _bus?.Dispose();
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            _daemon.WaitForExit(5000);
        }

        _daemon?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [SkippableFact]
    public async Task Replies_of_several_signatures_come_back_as_plain_values_over_one_connection_concurrently()
    {
        Skip.If(_bus is null, "no dbus-daemon here (build.ps1 Test installs it as root with the lab packages)");

        var names = _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "ListNames"));
        var owner = _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "GetNameOwner", Daemon));
        var credentials = _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "GetConnectionCredentials", Daemon));
        var properties = _bus.CallAsync(DBusCall.GetAllProperties(Daemon, "/org/freedesktop/DBus", Daemon));
        var feature = _bus.CallAsync(DBusCall.GetProperty(Daemon, "/org/freedesktop/DBus", Daemon, "Interfaces"));
        await Task.WhenAll(names, owner, credentials, properties, feature);

        Assert.Contains(Daemon, Assert.IsType<object?[]>(Assert.Single(await names)));
        Assert.Equal(Daemon, Assert.Single(await owner));
        var creds = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(await credentials));
        Assert.Equal(DaemonPid, creds["ProcessID"]);
        Assert.Equal(GetUid(), creds["UnixUserID"]);
        var props = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(await properties));
        Assert.IsType<object?[]>(props["Features"]);
        Assert.Equal((object?[])props["Interfaces"]!, Assert.IsType<object?[]>(Assert.Single(await feature)));
    }

    [SkippableFact]
    public async Task A_call_to_an_activatable_service_does_not_start_it_and_fails_with_its_error()
    {
        Skip.If(_bus is null, "no dbus-daemon here (build.ps1 Test installs it as root with the lab packages)");

        var ex = await Assert.ThrowsAsync<DBusCallFailedException>(() =>
            _bus.CallAsync(new DBusCall("org.example.Starter", "/org/example/Starter", "org.example.Starter", "Ping")));
        // what the daemon answers to a name it could activate when the caller asked it not to
        Assert.Equal("org.freedesktop.DBus.Error.NameHasNoOwner", ex.ErrorName);
        await Task.Delay(300);
        Assert.False(File.Exists(Path.Combine(_dir, "started")), "the daemon started the service: NO_AUTO_START was not set");
    }

    [SkippableFact]
    public async Task Unknown_methods_are_errors_and_a_cancelled_call_is_cancelled()
    {
        Skip.If(_bus is null, "no dbus-daemon here (build.ps1 Test installs it as root with the lab packages)");

        var ex = await Assert.ThrowsAsync<DBusCallFailedException>(() => _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "NoSuchMethod")));
        Assert.Equal("org.freedesktop.DBus.Error.UnknownMethod", ex.ErrorName);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "ListNames"), cts.Token));
    }

    [Fact]
    public async Task No_bus_at_the_address_is_unavailable_at_once()
    {
        using var none = new SystemBusConnection("unix:path=" + Path.Combine(_dir, "nothing-here"));
        var ex = await Assert.ThrowsAsync<DBusUnavailableException>(() => none.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "ListNames")));
        // "at once": the missing socket is seen before any connect is tried (no timeout is waited for, so none is told of)
        Assert.StartsWith("There is no D-Bus system bus at ", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.BusNotResponding);
    }

    [SkippableFact]
    public async Task A_stopped_daemon_is_a_bus_not_responding_for_every_caller_queued_behind_the_connect_and_a_later_call_tries_again()
    {
        Skip.If(_bus is null, "no dbus-daemon here (build.ps1 Test installs it as root with the lab packages)");

        Signal("-STOP");
        try
        {
            // three readers at once, as a diagnosis asks firewalld, its policies and systemd: the first connect times
            // out and the two queued behind it are told the same, instead of each waiting for a connect of its own
            var calls = Enumerable.Range(0, 3).Select(_ => _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "ListNames"))).ToArray();
            foreach (var call in calls)
            {
                var ex = await Assert.ThrowsAsync<DBusUnavailableException>(() => call);
                Assert.True(ex.BusNotResponding);
                Assert.Contains("did not answer within 5 s (dbus-daemon hung or stopped)", ex.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            Signal("-CONT");
        }

        // the shared failure is for the callers that queued behind it; once it is over a second old the bus is tried again
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Contains(Daemon, Assert.IsType<object?[]>(Assert.Single(await _bus.CallAsync(new DBusCall(Daemon, "/org/freedesktop/DBus", Daemon, "ListNames")))));
    }

    [SkippableFact]
    public async Task A_signal_matched_by_arg0_is_received_and_the_end_of_the_connection_is_told()
    {
        Skip.If(_bus is null, "no dbus-daemon here (build.ps1 Test installs it as root with the lab packages)");

        // NameOwnerChanged for one name, as the watch takes it for firewalld: a second connection takes the name.
        var received = new TaskCompletionSource<DBusSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = await _bus.WatchSignalAsync(new DBusSignalMatch(Daemon, "NameOwnerChanged", "/org/freedesktop/DBus", Daemon, "org.example.Taken"),
            s => received.TrySetResult(s), e => ended.TrySetResult(e));
        using var other = new Tmds.DBus.Protocol.DBusConnection("unix:path=" + Path.Combine(_dir, "bus"));
        await other.ConnectAsync();
        await other.RequestNameAsync("org.example.Other"); // not matched: arg0 differs
        await other.RequestNameAsync("org.example.Taken");
        var signal = await received.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("NameOwnerChanged", signal.Member);
        Assert.Equal("org.example.Taken", signal.Arguments[0]);
        Assert.Equal(string.Empty, signal.Arguments[1]);          // no owner before
        Assert.StartsWith(":", Assert.IsType<string>(signal.Arguments[2]), StringComparison.Ordinal);
        Assert.False(ended.Task.IsCompleted);

        _daemon!.Kill();
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_signal_subscription_without_a_bus_is_unavailable()
    {
        using var none = new SystemBusConnection("unix:path=" + Path.Combine(_dir, "nothing-here"));
        await Assert.ThrowsAsync<DBusUnavailableException>(() => none.WatchSignalAsync(new DBusSignalMatch(Daemon, "NameOwnerChanged"), _ => { }, _ => { }));
    }

    [Fact]
    public void A_match_reads_as_the_bus_rule()
    {
        Assert.Equal("type='signal',interface='org.fedoraproject.FirewallD1.zone'", new DBusSignalMatch("org.fedoraproject.FirewallD1.zone", null).ToString());
        Assert.Equal("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',path='/org/freedesktop/DBus',arg0='org.fedoraproject.FirewallD1'",
            new DBusSignalMatch(Daemon, "NameOwnerChanged", "/org/freedesktop/DBus", Daemon, "org.fedoraproject.FirewallD1").ToString());
    }

    private static uint GetUid() => uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
