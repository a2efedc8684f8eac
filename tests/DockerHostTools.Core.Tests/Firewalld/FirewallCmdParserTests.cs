using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using System.Runtime.Versioning;
using Xunit;

namespace DockerHostTools.Core.Tests.Firewalld;

[SupportedOSPlatform("linux")]
internal static class Fx
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "firewall-cmd");

    public static string Out(string name) => File.ReadAllText(Path.Combine(Dir, name + ".txt"));

    public static string Err(string name) => File.Exists(Path.Combine(Dir, name + ".stderr.txt")) ? File.ReadAllText(Path.Combine(Dir, name + ".stderr.txt")) : string.Empty;

    public static int Exit(string name) => int.Parse(File.ReadAllText(Path.Combine(Dir, name + ".exitcode.txt")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

[SupportedOSPlatform("linux")]
public class FirewallCmdParserTests
{
    [Theory]
    [InlineData("1.3.3-state-running", FirewalldRunState.Running, 0)]
    [InlineData("1.3.3-state-not-running", FirewalldRunState.NotRunning, 252)]
    [InlineData("1.3.3-state-failed", FirewalldRunState.Failed, 251)]
    [InlineData("1.3.3-state-no-dbus", FirewalldRunState.Unreachable, 36)]
    public void State_from_captured_output(string fixture, FirewalldRunState expected, int exitCode)
    {
        Assert.Equal(exitCode, Fx.Exit(fixture));
        var (state, message) = FirewallCmdParser.ParseState(Fx.Exit(fixture), Fx.Out(fixture), Fx.Err(fixture));
        Assert.Equal(expected, state);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }

    [Fact]
    public void State_failure_forms_print_to_stderr_not_stdout()
    {
        Assert.Equal(string.Empty, Fx.Out("1.3.3-state-not-running").Trim());
        Assert.Equal("not running", Fx.Err("1.3.3-state-not-running").Trim());
        Assert.Equal("failed", Fx.Err("1.3.3-state-failed").Trim());
    }

    [Fact]
    public void State_handtranscribed_063_not_running()
    {
        var name = "0.6.3-handtranscribed-state-not-running";
        var (state, _) = FirewallCmdParser.ParseState(Fx.Exit(name), string.Empty, Fx.Err(name));
        Assert.Equal(FirewalldRunState.NotRunning, state);
    }

    [Fact]
    public void State_not_authorized_is_unreachable()
    {
        var name = "1.3.3-state-not-authorized"; // firewall-cmd --state as an unprivileged user (polkit says no)
        Assert.Equal(253, Fx.Exit(name));
        var (state, message) = FirewallCmdParser.ParseState(Fx.Exit(name), Fx.Out(name), Fx.Err(name));
        Assert.Equal(FirewalldRunState.Unreachable, state);
        Assert.Contains("253", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_zone()
    {
        Assert.Equal("public", FirewallCmdParser.ParseDefaultZone(Fx.Out("1.3.3-get-default-zone")));
        Assert.Null(FirewallCmdParser.ParseDefaultZone(Fx.Out("1.3.3-get-default-zone-not-running")));
        Assert.Equal(252, Fx.Exit("1.3.3-get-default-zone-not-running"));
    }

    [Fact]
    public void Active_zones_133()
    {
        var zones = FirewallCmdParser.ParseActiveZones(Fx.Out("1.3.3-get-active-zones"));
        Assert.Equal(["docker", "internal"], zones.Select(z => z.Zone));
        Assert.Equal(["fwdocker0"], zones[0].Interfaces);
        Assert.Empty(zones[0].Sources);
        Assert.Equal(["203.0.113.0/24"], zones[1].Sources);
    }

    [Fact]
    public void Active_zones_063_handtranscribed()
    {
        var zones = FirewallCmdParser.ParseActiveZones(Fx.Out("0.6.3-handtranscribed-get-active-zones"));
        Assert.Equal(["docker", "public"], zones.Select(z => z.Zone));
        Assert.Equal(["eth0"], zones[1].Interfaces);
    }

    [Fact]
    public void List_all_zones_runtime_133()
    {
        var zones = FirewallCmdParser.ParseZones(Fx.Out("1.3.3-list-all-zones"), FirewalldConfiguration.Runtime);
        Assert.Equal(["block", "dmz", "docker", "drop", "external", "home", "internal", "public", "trusted", "work"], zones.Select(z => z.Name));
        var pub = zones.Single(z => z.Name == "public");
        Assert.Equal(["5000/tcp", "9000/udp", "7000/sctp", "6000/dccp"], pub.Ports);
        Assert.Equal(["dhcpv6-client", "http", "ssh"], pub.Services);
        Assert.Equal(["port=8080:proto=tcp:toport=80:toaddr=192.0.2.2"], pub.ForwardPorts);
        Assert.Equal(["rule family=\"ipv4\" source address=\"203.0.113.0/24\" port port=\"5001\" protocol=\"tcp\" accept"], pub.RichRules);
        Assert.Equal("default", pub.Target);
        Assert.True(pub.Forward);
        Assert.False(pub.Masquerade);
        Assert.False(pub.IsActive);
        Assert.False(pub.IsDefault); // 1.3.3 does not mark the default zone in --list-all-zones: ask --get-default-zone
        var docker = zones.Single(z => z.Name == "docker");
        Assert.True(docker.IsActive);
        Assert.True(docker.AcceptsAll);
        Assert.Equal(["fwdocker0"], docker.Interfaces);
        Assert.False(docker.Forward);
        Assert.True(zones.Single(z => z.Name == "external").Masquerade);
        Assert.Equal("%%REJECT%%", zones.Single(z => z.Name == "block").Target);
        Assert.True(zones.Single(z => z.Name == "internal").IsActive);
        Assert.All(zones, z => Assert.Equal(FirewalldConfiguration.Runtime, z.Configuration));
    }

    [Fact]
    public void List_all_zones_permanent_133_differs_from_runtime()
    {
        var zones = FirewallCmdParser.ParseZones(Fx.Out("1.3.3-list-all-zones-permanent"), FirewalldConfiguration.Permanent);
        var pub = zones.Single(z => z.Name == "public");
        Assert.Equal(["8000-8010/tcp", "9000/udp", "7000/sctp", "6000/dccp"], pub.Ports);
        Assert.Equal(new FirewalldPortSpec(8000, 8010, "tcp"), pub.PortSpecs[0]);
        Assert.False(pub.IsActive); // permanent configuration: activity is a runtime matter
        Assert.All(zones, z => Assert.Equal(FirewalldConfiguration.Permanent, z.Configuration));
    }

    [Fact]
    public void List_all_zones_063_handtranscribed_has_no_forward_key()
    {
        var zones = FirewallCmdParser.ParseZones(Fx.Out("0.6.3-handtranscribed-list-all-zones"), FirewalldConfiguration.Runtime);
        Assert.Equal(["block", "docker", "public"], zones.Select(z => z.Name));
        var pub = zones[2];
        Assert.Null(pub.Forward);
        Assert.False(pub.Settings.ContainsKey("forward"));
        Assert.Equal(["5000/tcp", "8000-8010/udp"], pub.Ports);
        Assert.Equal(["port=8080:proto=tcp:toport=80:toaddr="], pub.ForwardPorts);
        Assert.Single(pub.RichRules);
        Assert.Empty(zones[0].RichRules); // the lone tab line after "rich rules:" is not a rule
        Assert.True(pub.IsActive);
    }

    [Fact]
    public void List_all_063_header_default_active()
    {
        var zone = Assert.Single(FirewallCmdParser.ParseZones(Fx.Out("0.6.3-handtranscribed-list-all-default"), FirewalldConfiguration.Runtime));
        Assert.True(zone.IsDefault);
        Assert.True(zone.IsActive);
        Assert.Equal(["eth0"], zone.Interfaces);
    }

    [Fact]
    public void Zone_of_interface()
    {
        Assert.Equal("docker", FirewallCmdParser.ParseZoneOfInterface(Fx.Exit("1.3.3-get-zone-of-interface-docker"), Fx.Out("1.3.3-get-zone-of-interface-docker")));
        Assert.Equal(2, Fx.Exit("1.3.3-get-zone-of-interface-nozone"));
        Assert.Equal("no zone", Fx.Err("1.3.3-get-zone-of-interface-nozone").Trim());
        Assert.Null(FirewallCmdParser.ParseZoneOfInterface(Fx.Exit("1.3.3-get-zone-of-interface-nozone"), Fx.Out("1.3.3-get-zone-of-interface-nozone")));
    }

    [Fact]
    public void Query_port()
    {
        Assert.True(FirewallCmdParser.ParseQuery(Fx.Exit("1.3.3-query-port-yes"), Fx.Out("1.3.3-query-port-yes")));
        Assert.False(FirewallCmdParser.ParseQuery(Fx.Exit("1.3.3-query-port-no"), Fx.Out("1.3.3-query-port-no")));
        Assert.Null(FirewallCmdParser.ParseQuery(Fx.Exit("1.3.3-invalid-zone"), Fx.Out("1.3.3-invalid-zone")));
    }

    [Theory]
    [InlineData("1.3.3-invalid-zone", "INVALID_ZONE", 112)]
    [InlineData("1.3.3-invalid-port", "INVALID_PORT", 102)]
    [InlineData("1.3.3-invalid-protocol", "INVALID_PROTOCOL", 103)]
    [InlineData("1.3.3-already-enabled", "ALREADY_ENABLED", 0)]
    [InlineData("1.3.3-not-enabled", "NOT_ENABLED", 0)]
    public void Error_codes(string fixture, string code, int exit)
    {
        Assert.Equal(exit, Fx.Exit(fixture));
        Assert.Equal(code, FirewallCmdParser.ParseErrorCode(Fx.Err(fixture)));
    }

    [Fact]
    public void Conf()
    {
        var conf = FirewallCmdParser.ParseConf("# c\nDefaultZone=public\nFirewallBackend=iptables\n\nbad line\n");
        Assert.Equal("iptables", conf["FirewallBackend"]);
        Assert.Equal("public", conf["DefaultZone"]);
        Assert.Equal(2, conf.Count);
    }
}

[SupportedOSPlatform("linux")]
public class FirewalldPortSpecTests
{
    [Theory]
    [InlineData("5000", "tcp", 5000, 5000, "tcp")]
    [InlineData("8000-8010", "udp", 8000, 8010, "udp")]
    [InlineData("5000/sctp", null, 5000, 5000, "sctp")] // with another -Protocol it is ConflictingProtocol (PortProtocolTests)
    [InlineData("65535", "DCCP", 65535, 65535, "dccp")]
    [InlineData("1", null, 1, 1, "tcp")]
    public void Parses(string port, string? protocol, int from, int to, string proto)
    {
        var s = FirewalldPortSpec.Parse(port, protocol);
        Assert.Equal((from, to, proto), (s.From, s.To, s.Protocol));
    }

    [Theory]
    [InlineData("0", "tcp", FirewalldInputError.InvalidPort)]
    [InlineData("65536", "tcp", FirewalldInputError.InvalidPort)]
    [InlineData("8010-8000", "tcp", FirewalldInputError.InvalidPort)]
    [InlineData("abc", "tcp", FirewalldInputError.InvalidPort)]
    [InlineData("-5", "tcp", FirewalldInputError.InvalidPort)]
    [InlineData("5000", "icmp", FirewalldInputError.InvalidProtocol)]
    [InlineData("5000/foo", "tcp", FirewalldInputError.InvalidProtocol)]
    public void Rejects(string port, string protocol, FirewalldInputError error)
    {
        var ex = Assert.Throws<FirewalldInputException>(() => FirewalldPortSpec.Parse(port, protocol));
        Assert.Equal(error, ex.Error);
    }

    [Fact]
    public void Range_covers_port()
    {
        var range = FirewalldPortSpec.Parse("8000-8010", "tcp");
        Assert.True(range.Covers(FirewalldPortSpec.Parse("8005", "tcp")));
        Assert.False(range.Covers(FirewalldPortSpec.Parse("8005", "udp")));
        Assert.False(range.Covers(FirewalldPortSpec.Parse("8005-8011", "tcp")));
    }
}

/// <summary>Feeds captured firewall-cmd output through the runner seam, by argument list.</summary>
[SupportedOSPlatform("linux")]
internal sealed class CapturedRunner : INativeRunner
{
    private readonly Dictionary<string, string> _map;

    public CapturedRunner(Dictionary<string, string> map) => _map = map;

    public List<string> Calls { get; } = [];

    // firewall-cmd calls are keyed by their arguments; other programs by "program arguments". A program with no key
    // is "not installed" (so the busctl fast path is used only where a test gives busctl captures).
    public string? Resolve(string program) =>
        program == "firewall-cmd" || _map.Keys.Any(k => k.StartsWith(program + " ", StringComparison.Ordinal)) ? "/usr/bin/" + program : null;

    public Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default)
    {
        var key = (command.Program == "firewall-cmd" ? string.Empty : command.Program + " ") + string.Join(' ', command.Arguments);
        lock (Calls)
        {
            Calls.Add(key);
        }

        var name = _map[key];
        return Task.FromResult(new NativeResult(command, "/usr/bin/firewall-cmd", Fx.Exit(name), Fx.Out(name), Fx.Err(name), TimeSpan.Zero));
    }
}

[SupportedOSPlatform("linux")]
public class FirewalldReaderTests
{
    private static readonly Dictionary<string, string> Running = new()
    {
        ["--state"] = "1.3.3-state-running",
        ["--get-default-zone"] = "1.3.3-get-default-zone",
        ["--list-all-zones"] = "1.3.3-list-all-zones",
        ["--permanent --list-all-zones"] = "1.3.3-list-all-zones-permanent",
    };

    internal static IHostFileSystem Host()
    {
        var root = Directory.CreateTempSubdirectory("dht-fw-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "etc/firewalld"));
        File.WriteAllText(Path.Combine(root, "etc/firewalld/firewalld.conf"), "DefaultZone=public\nFirewallBackend=nftables\n");
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/firewalld/services"));
        File.WriteAllText(Path.Combine(root, "usr/lib/firewalld/services/http.xml"), "<?xml version=\"1.0\"?><service><short>WWW</short><port protocol=\"tcp\" port=\"80\"/></service>");
        File.WriteAllText(Path.Combine(root, "usr/lib/firewalld/services/ssh.xml"), "<?xml version=\"1.0\"?><service><port protocol=\"tcp\" port=\"22\"/></service>");
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/python3/dist-packages/firewall/config"));
        File.WriteAllText(Path.Combine(root, "usr/lib/python3/dist-packages/firewall/config/__init__.py"), "x = 1\nVERSION = '1.3.3'\n");
        Directory.CreateDirectory(Path.Combine(root, "proc/net"));
        File.WriteAllText(Path.Combine(root, "proc/net/route"), "Iface\tDestination\tGateway\tFlags\nfwh-ext\t00000000\t0164A8C6\t0003\n");
        return new HostFileSystem(root);
    }

    [Fact]
    public async Task Whole_picture_in_four_calls()
    {
        var runner = new CapturedRunner(Running);
        var state = await FirewalldReader.GetStateAsync(runner, Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Running, state.State);
        Assert.Equal("1.3.3", state.Version);
        Assert.Equal("nftables", state.Backend);
        Assert.Equal("public", state.DefaultZone);
        Assert.Equal(["docker", "internal"], state.ActiveZones);
        Assert.Equal(10, state.Zones.Count);
        Assert.Equal(10, state.PermanentZones.Count);
        Assert.True(state.Zones.Single(z => z.Name == "public").IsDefault);
        Assert.True(state.PermanentZones.Single(z => z.Name == "docker").IsActive);
        Assert.Equal(4, runner.Calls.Count);
        Assert.Equal("docker", state.ZoneOfInterface("fwdocker0"));
        Assert.Equal("public", state.ZoneOfInterface("fwh-ext"));
    }

    [Theory]
    [InlineData("1.3.3-state-not-running", FirewalldRunState.NotRunning)]
    [InlineData("1.3.3-state-failed", FirewalldRunState.Failed)]
    [InlineData("1.3.3-state-no-dbus", FirewalldRunState.Unreachable)]
    public async Task Not_running_is_a_state_not_an_exception(string stateFixture, FirewalldRunState expected)
    {
        var runner = new CapturedRunner(new()
        {
            ["--state"] = stateFixture,
            ["--get-default-zone"] = "1.3.3-get-default-zone-not-running",
            ["--list-all-zones"] = "1.3.3-get-default-zone-not-running",
            ["--permanent --list-all-zones"] = "1.3.3-get-default-zone-not-running",
        });
        var state = await FirewalldReader.GetStateAsync(runner, Host(), CancellationToken.None);
        Assert.Equal(expected, state.State);
        Assert.Empty(state.Zones);
        Assert.Equal("public", state.DefaultZone); // from firewalld.conf
    }

    private const string BusState = "busctl --system --auto-start=no get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state";
    private const string BusDefault = "busctl --system --auto-start=no call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 getDefaultZone";

    [Fact]
    public async Task Busctl_fast_path_falls_back_to_two_firewall_cmd_listings_when_dbus_zones_fail()
    {
        // D-Bus state and default zone answer; the zone calls fail (a captured UnknownMethod error, as from firewalld
        // before 0.9): both listings come from firewall-cmd, but still no --state.
        var runner = new CapturedRunner(new()
        {
            [BusState] = "../busctl/252-firewalld-state-running",
            [BusDefault] = "../busctl/252-firewalld-default-zone",
            ["busctl --system --auto-start=no --json=short call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone getZones"] =
                "../busctl/252-firewalld-1.3.3-zones/runtime-unknown-method",
            ["busctl --system --auto-start=no --json=short call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1/config org.fedoraproject.FirewallD1.config listZones"] =
                "../busctl/252-firewalld-1.3.3-zones/runtime-unknown-method",
            ["--list-all-zones"] = "1.3.3-list-all-zones",
            ["--permanent --list-all-zones"] = "1.3.3-list-all-zones-permanent",
        });
        var state = await FirewalldReader.GetStateAsync(runner, Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Running, state.State);
        Assert.Equal("public", state.DefaultZone);
        Assert.Equal(["docker", "internal"], state.ActiveZones);
        Assert.DoesNotContain("--state", runner.Calls);
        Assert.Equal(2, runner.Calls.Count(c => c.StartsWith("--", StringComparison.Ordinal)));
        Assert.Equal("firewall-cmd", state.ZonesReadWith);
    }

    [Theory]
    [InlineData("../busctl/252-firewalld-state-not-running", "1.3.3-state-not-running", FirewalldRunState.NotRunning)]
    [InlineData("../busctl/252-firewalld-state-failed", "1.3.3-state-failed", FirewalldRunState.Failed)]
    [InlineData("../busctl/252-firewalld-state-no-dbus", "1.3.3-state-no-dbus", FirewalldRunState.Unreachable)]
    public async Task Busctl_not_running_falls_back_to_firewall_cmd_state(string busFixture, string stateFixture, FirewalldRunState expected)
    {
        var runner = new CapturedRunner(new()
        {
            [BusState] = busFixture,
            ["--state"] = stateFixture,
            ["--get-default-zone"] = "1.3.3-get-default-zone-not-running",
            ["--list-all-zones"] = "1.3.3-get-default-zone-not-running",
            ["--permanent --list-all-zones"] = "1.3.3-get-default-zone-not-running",
        });
        var state = await FirewalldReader.GetStateAsync(runner, Host(), CancellationToken.None);
        Assert.Equal(expected, state.State);
        Assert.Contains("--state", runner.Calls);
    }

    [Fact]
    public void Busctl_string()
    {
        Assert.Equal("RUNNING", FirewallCmdParser.ParseBusctlString(Fx.Exit("../busctl/252-firewalld-state-running"), Fx.Out("../busctl/252-firewalld-state-running")));
        Assert.Equal("FAILED", FirewallCmdParser.ParseBusctlString(0, Fx.Out("../busctl/252-firewalld-state-failed")));
        Assert.Null(FirewallCmdParser.ParseBusctlString(Fx.Exit("../busctl/252-firewalld-state-not-running"), Fx.Out("../busctl/252-firewalld-state-not-running")));
    }

    [Fact]
    public async Task Not_installed()
    {
        var state = await FirewalldReader.GetStateAsync(new MissingRunner(), Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.NotInstalled, state.State);
    }

    [Fact]
    public async Task Ports_show_drift_and_services()
    {
        var fs = Host();
        var state = await FirewalldReader.GetStateAsync(new CapturedRunner(Running), fs, CancellationToken.None);
        var ports = FirewalldReader.GetPorts(state, FirewalldReader.ReadServicePorts(fs)).Where(p => p.Zone == "public").ToList();
        var p5000 = ports.Single(p => p.Port == "5000");
        Assert.True(p5000.Runtime);
        Assert.False(p5000.Permanent);
        Assert.True(p5000.Drift);
        var range = ports.Single(p => p.Port == "8000-8010");
        Assert.False(range.Runtime);
        Assert.True(range.Permanent);
        var udp = ports.Single(p => p.Port == "9000");
        Assert.Equal("udp", udp.Protocol);
        Assert.False(udp.Drift);
        var http = ports.Single(p => p.Service == "http");
        Assert.Equal(FirewalldPortSource.Service, http.Source);
        Assert.Equal("80", http.Port);
        Assert.True(http.ZoneIsDefault);
    }

    [Fact]
    public async Task Test_port_in_zone_of_default_route_interface()
    {
        var fs = Host();
        var state = await FirewalldReader.GetStateAsync(new CapturedRunner(Running), fs, CancellationToken.None);
        var services = FirewalldReader.ReadServicePorts(fs);
        var ifName = OutsideZone.DefaultRouteInterface(fs);
        Assert.Equal("fwh-ext", ifName);

        var t = FirewalldReader.TestPort(state, services, FirewalldPortSpec.Parse("5000", "tcp"), null, ifName);
        Assert.Equal("public", t.Zone);
        Assert.True(t.Runtime);
        Assert.False(t.Permanent);
        Assert.False(t.IsOpen);
        Assert.Contains("runtime only", t.Message, StringComparison.Ordinal);

        var r = FirewalldReader.TestPort(state, services, FirewalldPortSpec.Parse("8005", "tcp"), "public", null);
        Assert.Equal("port 8000-8010/tcp", r.PermanentOpenBy);
        Assert.Null(r.RuntimeOpenBy);

        var h = FirewalldReader.TestPort(state, services, FirewalldPortSpec.Parse("80", "tcp"), null, "fwh-ext");
        Assert.True(h.IsOpen);
        Assert.Equal("service http", h.RuntimeOpenBy);

        var d = FirewalldReader.TestPort(state, services, FirewalldPortSpec.Parse("5000", "tcp"), null, "fwdocker0");
        Assert.Equal("docker", d.Zone);
        Assert.Equal("target ACCEPT", d.RuntimeOpenBy);

        var ex = Assert.Throws<FirewalldInputException>(() => { _ = FirewalldReader.TestPort(state, services, FirewalldPortSpec.Parse("5000", "tcp"), "nosuch", null); });
        Assert.Equal(FirewalldInputError.InvalidZone, ex.Error);
    }

    [Fact]
    public async Task Plan_is_idempotent_and_checks_zone_and_state()
    {
        var runner = new CapturedRunner(Running);
        var state = await FirewalldReader.GetStateAsync(runner, Host(), CancellationToken.None);
        FirewalldConfiguration[] both = [FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent];

        var add = FirewalldPortChanger.Plan(runner, state, FirewalldPortSpec.Parse("5000", "tcp"), null, both, add: true);
        Assert.Null(add[0].Step);                       // runtime: already open
        Assert.False(add[0].NoChange!.Changed);
        Assert.Equal("firewall-cmd --permanent --zone=public --add-port=5000/tcp", add[1].Step!.Command);

        var covered = FirewalldPortChanger.Plan(runner, state, FirewalldPortSpec.Parse("8001", "tcp"), "public", [FirewalldConfiguration.Permanent], add: true);
        Assert.Null(covered[0].Step);

        var remove = FirewalldPortChanger.Plan(runner, state, FirewalldPortSpec.Parse("9000", "udp"), "public", both, add: false);
        Assert.Equal("firewall-cmd --zone=public --remove-port=9000/udp", remove[0].Step!.Command);
        Assert.NotNull(remove[1].Step);

        var ex = Assert.Throws<FirewalldInputException>(() => { _ = FirewalldPortChanger.Plan(runner, state, FirewalldPortSpec.Parse("5000", "tcp"), "nosuch", both, true); });
        Assert.Equal(FirewalldInputError.InvalidZone, ex.Error);

        var stopped = await FirewalldReader.GetStateAsync(new CapturedRunner(new()
        {
            ["--state"] = "1.3.3-state-not-running",
            ["--get-default-zone"] = "1.3.3-get-default-zone-not-running",
            ["--list-all-zones"] = "1.3.3-get-default-zone-not-running",
            ["--permanent --list-all-zones"] = "1.3.3-get-default-zone-not-running",
        }), Host(), CancellationToken.None);
        Assert.Throws<FirewalldNotRunningException>(() => { _ = FirewalldPortChanger.Plan(runner, stopped, FirewalldPortSpec.Parse("5000", "tcp"), null, both, true); });
    }

    private sealed class MissingRunner : INativeRunner
    {
        public string? Resolve(string program) => null;

        public Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default) =>
            throw new NativeProgramNotFoundException(command.Program);
    }
}
