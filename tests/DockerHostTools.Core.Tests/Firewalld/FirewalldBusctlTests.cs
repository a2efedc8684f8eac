using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using System.Runtime.Versioning;
using Xunit;

namespace DockerHostTools.Core.Tests.Firewalld;

/// <summary>
/// Zones over firewalld's D-Bus API (busctl --json=short) against firewall-cmd's listings of the same lab state:
/// Fixtures/busctl/252-firewalld-1.3.3-zones and Fixtures/firewall-cmd/1.3.3-dbus-lab-* were captured one after the
/// other from one firewalld 1.3.3 (see the busctl README).
/// </summary>
[SupportedOSPlatform("linux")]
public class FirewalldBusctlTests
{
    private const string Dir = "../busctl/252-firewalld-1.3.3-zones/";
    private const string Bus = "org.fedoraproject.FirewallD1";
    private const string Main = "/org/fedoraproject/FirewallD1";
    private const string BusState = "busctl --system --auto-start=no get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state";
    private const string BusDefault = "busctl --system --auto-start=no call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 getDefaultZone";

    private static IReadOnlyList<FirewalldZone> CmdZones(FirewalldConfiguration configuration) => FirewallCmdParser.ParseZones(
        Fx.Out(configuration == FirewalldConfiguration.Runtime ? "1.3.3-dbus-lab-list-all-zones" : "1.3.3-dbus-lab-list-all-zones-permanent"), configuration);

    private static IReadOnlyList<string> ZoneNames() => FirewalldBusctlParser.ParseStringArray(Fx.Exit(Dir + "runtime-getZones"), Fx.Out(Dir + "runtime-getZones"))!;

    private static IReadOnlyList<string> ConfigPaths() => FirewalldBusctlParser.ParseStringArray(Fx.Exit(Dir + "permanent-listZones"), Fx.Out(Dir + "permanent-listZones"))!;

    private static string Index(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Every busctl call the reader makes, mapped to its capture.</summary>
    private static Dictionary<string, string> BusMap()
    {
        var map = new Dictionary<string, string>
        {
            [BusState] = "../busctl/252-firewalld-state-running",
            [BusDefault] = "../busctl/252-firewalld-default-zone",
            [$"busctl --system --auto-start=no --json=short call {Bus} {Main} {Bus}.zone getZones"] = Dir + "runtime-getZones",
            [$"busctl --system --auto-start=no --json=short call {Bus} {Main}/config {Bus}.config listZones"] = Dir + "permanent-listZones",
        };
        foreach (var zone in ZoneNames())
        {
            map[$"busctl --system --auto-start=no --json=short call {Bus} {Main} {Bus}.zone getZoneSettings2 s {zone}"] = Dir + "runtime-getZoneSettings2-" + zone;
        }

        foreach (var path in ConfigPaths())
        {
            map[$"busctl --system --auto-start=no --json=short get-property {Bus} {path} {Bus}.config.zone name"] = Dir + "permanent-name-" + Index(path);
            map[$"busctl --system --auto-start=no --json=short call {Bus} {path} {Bus}.config.zone getSettings2"] = Dir + "permanent-getSettings2-" + Index(path);
        }

        return map;
    }

    private static void AssertSameZones(IReadOnlyList<FirewalldZone> expected, IReadOnlyList<FirewalldZone> actual)
    {
        Assert.Equal(expected.Select(z => z.Name), actual.Select(z => z.Name));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Configuration, a.Configuration);
            Assert.Equal(e.IsActive, a.IsActive);
            Assert.Equal(e.IsDefault, a.IsDefault);
            Assert.Equal(e.Target, a.Target);
            Assert.Equal(e.Interfaces, a.Interfaces);
            Assert.Equal(e.Sources, a.Sources);
            Assert.Equal(e.Services, a.Services);
            Assert.Equal(e.Ports, a.Ports);
            Assert.Equal(e.Protocols, a.Protocols);
            Assert.Equal(e.SourcePorts, a.SourcePorts);
            Assert.Equal(e.IcmpBlocks, a.IcmpBlocks);
            Assert.Equal(e.ForwardPorts, a.ForwardPorts);
            Assert.Equal(e.RichRules, a.RichRules);
            Assert.Equal(e.Masquerade, a.Masquerade);
            Assert.Equal(e.Forward, a.Forward);
            Assert.Equal(e.Settings.Keys.Order(StringComparer.Ordinal), a.Settings.Keys.Order(StringComparer.Ordinal));
            foreach (var key in e.Settings.Keys)
            {
                Assert.True(e.Settings[key].SequenceEqual(a.Settings[key]), $"{e.Name}: '{key}' {string.Join('|', e.Settings[key])} != {string.Join('|', a.Settings[key])}");
            }
        }
    }

    [Fact]
    public void The_lab_state_covers_every_field()
    {
        // The captures are worth comparing only if they hold something in every field, and differ between configurations.
        var rt = CmdZones(FirewalldConfiguration.Runtime);
        var pm = CmdZones(FirewalldConfiguration.Permanent);
        var pub = rt.Single(z => z.Name == "public");
        Assert.Equal(["fdh-ext"], pub.Interfaces);
        Assert.Equal(["5000/tcp", "8000-8010/udp", "7/sctp"], pub.Ports);
        Assert.Equal(["ah", "gre"], pub.Protocols);
        Assert.Equal(["2222/tcp"], pub.SourcePorts);
        Assert.Equal(["echo-request", "timestamp-request"], pub.IcmpBlocks);
        Assert.Equal(["port=8080:proto=tcp:toport=80:toaddr=192.0.2.2", "port=9090:proto=udp:toport=90:toaddr="], pub.ForwardPorts);
        Assert.Equal(3, pub.RichRules.Count);
        Assert.StartsWith("rule priority=\"-3\"", pub.RichRules[0], StringComparison.Ordinal);
        Assert.Equal(["203.0.113.64/26", "198.51.100.0/25"], rt.Single(z => z.Name == "dmz").Sources);
        Assert.True(rt.Single(z => z.Name == "dmz").Masquerade);
        Assert.False(rt.Single(z => z.Name == "internal").Forward);
        Assert.Equal("ACCEPT", rt.Single(z => z.Name == "trusted").Target);
        Assert.DoesNotContain(rt, z => z.Name == "labperm");
        var labperm = pm.Single(z => z.Name == "labperm");
        Assert.Equal("DROP", labperm.Target);
        Assert.Equal(["4444/dccp"], labperm.Ports);
        Assert.Equal(["yes"], labperm.Settings["icmp-block-inversion"]);
        Assert.Equal("%%REJECT%%", pm.Single(z => z.Name == "home").Target);
        Assert.Equal("default", rt.Single(z => z.Name == "home").Target);
        Assert.Equal(["fdhost0"], pm.Single(z => z.Name == "public").Interfaces);
        Assert.Equal(["port=53:proto=udp:toport=5353:toaddr="], pm.Single(z => z.Name == "block").ForwardPorts);
    }

    [Fact]
    public void Runtime_zones_over_dbus_equal_firewall_cmd_list_all_zones()
    {
        var zones = ZoneNames().Select(n => FirewalldBusctlParser.ParseZoneSettings(n, FirewalldConfiguration.Runtime,
            Fx.Exit(Dir + "runtime-getZoneSettings2-" + n), Fx.Out(Dir + "runtime-getZoneSettings2-" + n))!).ToList();
        AssertSameZones(CmdZones(FirewalldConfiguration.Runtime), zones);
    }

    [Fact]
    public void Permanent_zones_over_dbus_equal_firewall_cmd_permanent_list_all_zones()
    {
        var zones = ConfigPaths().Select(p =>
        {
            var name = FirewalldBusctlParser.ParseString(Fx.Exit(Dir + "permanent-name-" + Index(p)), Fx.Out(Dir + "permanent-name-" + Index(p)))!;
            return FirewalldBusctlParser.ParseZoneSettings(name, FirewalldConfiguration.Permanent,
                Fx.Exit(Dir + "permanent-getSettings2-" + Index(p)), Fx.Out(Dir + "permanent-getSettings2-" + Index(p)))!;
        }).OrderBy(z => z.Name, StringComparer.Ordinal).ToList();
        AssertSameZones(CmdZones(FirewalldConfiguration.Permanent), zones);
    }

    [Fact]
    public async Task Get_state_reads_every_zone_over_dbus_without_firewall_cmd()
    {
        var runner = new CapturedRunner(BusMap());
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Running, state.State);
        Assert.Equal("busctl", state.ZonesReadWith);
        Assert.DoesNotContain(runner.Calls, c => !c.StartsWith("busctl ", StringComparison.Ordinal));
        Assert.Equal(2 + 1 + ZoneNames().Count + 1 + (2 * ConfigPaths().Count), runner.Calls.Count);
        Assert.Equal("public", state.DefaultZone);
        Assert.Equal(["dmz", "public", "trusted"], state.ActiveZones);
        Assert.Equal("firewalld is running.", state.Message);

        // the same state read with firewall-cmd only
        var cmd = await FirewalldReader.GetStateAsync(new CapturedRunner(new()
        {
            ["--state"] = "1.3.3-state-running",
            ["--get-default-zone"] = "1.3.3-get-default-zone",
            ["--list-all-zones"] = "1.3.3-dbus-lab-list-all-zones",
            ["--permanent --list-all-zones"] = "1.3.3-dbus-lab-list-all-zones-permanent",
        }), FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("firewall-cmd", cmd.ZonesReadWith);
        AssertSameZones(cmd.Zones, state.Zones);
        AssertSameZones(cmd.PermanentZones, state.PermanentZones);
        Assert.Equal(cmd.ActiveZones, state.ActiveZones);
        Assert.True(state.PermanentZones.Single(z => z.Name == "public").IsDefault);
        Assert.False(state.PermanentZones.Single(z => z.Name == "labperm").IsActive); // bound permanently, not at runtime
    }

    [Fact]
    public async Task Dbus_error_on_one_zone_falls_back_to_firewall_cmd_for_that_configuration()
    {
        // firewalld before 0.9 has no getZoneSettings2: busctl answers an UnknownMethod error (captured on 1.3.3 with a
        // method it does not have). Runtime comes from firewall-cmd, permanent still over D-Bus.
        var map = BusMap();
        map[$"busctl --system --auto-start=no --json=short call {Bus} {Main} {Bus}.zone getZoneSettings2 s work"] = Dir + "runtime-unknown-method";
        map["--list-all-zones"] = "1.3.3-dbus-lab-list-all-zones";
        var runner = new CapturedRunner(map);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("busctl+firewall-cmd", state.ZonesReadWith);
        Assert.Equal(["--list-all-zones"], runner.Calls.Where(c => !c.StartsWith("busctl ", StringComparison.Ordinal)));
        var expected = CmdZones(FirewalldConfiguration.Runtime);
        foreach (var z in expected)
        {
            z.IsDefault = z.Name == "public";
        }

        AssertSameZones(expected, state.Zones);
        Assert.Contains(state.PermanentZones, z => z.Name == "labperm");
        Assert.Equal("firewalld is running.", state.Message);
    }

    [Fact]
    public async Task Permanent_dbus_error_falls_back_and_a_failed_listing_is_reported()
    {
        var map = BusMap();
        var last = ConfigPaths()[^1];
        map[$"busctl --system --auto-start=no --json=short call {Bus} {last} {Bus}.config.zone getSettings2"] = Dir + "permanent-getSettings2-no-object";
        map["--permanent --list-all-zones"] = "1.3.3-get-default-zone-not-running"; // firewalld went away meanwhile
        var state = await FirewalldReader.GetStateAsync(new CapturedRunner(map), FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("busctl+firewall-cmd", state.ZonesReadWith);
        Assert.Empty(state.PermanentZones);
        Assert.Equal(ZoneNames().Count, state.Zones.Count);
        Assert.Contains("Some queries failed", state.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runtime-getZoneSettings2-invalid-zone")]
    [InlineData("runtime-unknown-method")]
    [InlineData("permanent-getSettings2-no-object")]
    public void Dbus_errors_parse_to_null(string fixture)
    {
        Assert.Equal(1, Fx.Exit(Dir + fixture));
        Assert.StartsWith("Call failed:", Fx.Err(Dir + fixture), StringComparison.Ordinal);
        Assert.Null(FirewalldBusctlParser.ParseZoneSettings("x", FirewalldConfiguration.Runtime, Fx.Exit(Dir + fixture), Fx.Out(Dir + fixture)));
        Assert.Null(FirewalldBusctlParser.ParseStringArray(Fx.Exit(Dir + fixture), Fx.Out(Dir + fixture)));
        Assert.Null(FirewalldBusctlParser.ParseString(Fx.Exit(Dir + fixture), Fx.Out(Dir + fixture)));
    }

    [Fact]
    public void Answers_of_another_shape_parse_to_null()
    {
        Assert.Null(FirewalldBusctlParser.ParseZoneSettings("public", FirewalldConfiguration.Runtime, 0, Fx.Out(Dir + "runtime-getZones")));
        Assert.Null(FirewalldBusctlParser.ParseZoneSettings("public", FirewalldConfiguration.Runtime, 0, "s \"public\""));
        Assert.Null(FirewalldBusctlParser.ParseStringArray(0, Fx.Out(Dir + "runtime-getZoneSettings2-public")));
        Assert.Equal("public", FirewalldBusctlParser.ParseString(0, "{\"type\":\"s\",\"data\":[\"public\"]}"));
        Assert.Equal("block", FirewalldBusctlParser.ParseString(0, Fx.Out(Dir + "permanent-name-0")));
    }

    [Theory]
    [InlineData("rule priority=\"-3\" service name=\"ssh\" accept", -3)]
    [InlineData("rule priority=\"5\" family=\"ipv4\" drop", 5)]
    [InlineData("rule family=\"ipv4\" source address=\"198.51.100.7\" drop", 0)]
    [InlineData("rule priority=32767", 32767)]
    public void Rich_rules_sort_by_priority_as_firewall_cmd(string rule, int priority) =>
        Assert.Equal(priority, FirewalldBusctlParser.RichRulePriority(rule));
}
