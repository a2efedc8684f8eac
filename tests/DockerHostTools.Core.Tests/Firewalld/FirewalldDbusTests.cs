using System.Runtime.Versioning;
using System.Text.Json;
using DockerHostTools.Core.DBus;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using Xunit;

namespace DockerHostTools.Core.Tests.Firewalld;

/// <summary>
/// The in-process D-Bus road: the same lab state as <see cref="FirewalldBusctlTests"/> (captured from one firewalld
/// 1.3.3 with busctl --json=short, which prints each value with its D-Bus type) given as the plain values the system bus
/// connection hands out, against firewall-cmd's listings of that state. No process runs on this road.
/// </summary>
[SupportedOSPlatform("linux")]
public class FirewalldDbusTests
{
    private const string Dir = "../busctl/252-firewalld-1.3.3-zones/";
    private const string Bus = "org.fedoraproject.FirewallD1";
    private const string Main = "/org/fedoraproject/FirewallD1";

    private static readonly Dictionary<string, string> FirewallCmd = new()
    {
        ["--state"] = "1.3.3-state-running",
        ["--get-default-zone"] = "1.3.3-get-default-zone",
        ["--list-all-zones"] = "1.3.3-dbus-lab-list-all-zones",
        ["--permanent --list-all-zones"] = "1.3.3-dbus-lab-list-all-zones-permanent",
    };

    /// <summary>Every call the D-Bus reader makes, mapped to the capture of the same call made with busctl.</summary>
    internal static CapturedBus LabBus()
    {
        var bus = new CapturedBus();
        // these two were captured without --json (busctl's "s \"RUNNING\"")
        bus.AddValues($"{Bus} {Main} {DBusCall.PropertiesInterface}.Get \"{Bus}\" \"state\"", Busctl("../busctl/252-firewalld-state-running"));
        bus.AddValues($"{Bus} {Main} {Bus}.getDefaultZone", Busctl("../busctl/252-firewalld-default-zone"));
        bus.Add($"{Bus} {Main} {Bus}.zone.getZones", Dir + "runtime-getZones");
        bus.Add($"{Bus} {Main}/config {Bus}.config.listZones", Dir + "permanent-listZones");
        foreach (var zone in bus.Reply($"{Bus} {Main} {Bus}.zone.getZones")[0]!.As<object?[]>().Cast<string>())
        {
            bus.Add($"{Bus} {Main} {Bus}.zone.getZoneSettings2 \"{zone}\"", Dir + "runtime-getZoneSettings2-" + zone);
        }

        foreach (var path in bus.Reply($"{Bus} {Main}/config {Bus}.config.listZones")[0]!.As<object?[]>().Cast<string>())
        {
            var index = path[(path.LastIndexOf('/') + 1)..];
            bus.Add($"{Bus} {path} {DBusCall.PropertiesInterface}.Get \"{Bus}.config.zone\" \"name\"", Dir + "permanent-name-" + index, property: true);
            bus.Add($"{Bus} {path} {Bus}.config.zone.getSettings2", Dir + "permanent-getSettings2-" + index);
            // getZoneByName: the captured name of each config object, mapped back to its path.
            var name = (string)bus.Reply($"{Bus} {path} {DBusCall.PropertiesInterface}.Get \"{Bus}.config.zone\" \"name\"")[0]!;
            bus.AddValues($"{Bus} {Main}/config {Bus}.config.getZoneByName \"{name}\"", path);
        }

        // This lab has no docker zone: firewalld answers getZoneByName with its INVALID_ZONE error.
        bus.Fail($"{Bus} {Main}/config {Bus}.config.getZoneByName \"docker\"", "org.fedoraproject.FirewallD1.Exception", "INVALID_ZONE: docker");

        return bus;
    }

    private static string Busctl(string fixture) => FirewallCmdParser.ParseBusctlString(Fx.Exit(fixture), Fx.Out(fixture))!;

    private static void AssertSameZones(IReadOnlyList<FirewalldZone> expected, IReadOnlyList<FirewalldZone> actual)
    {
        Assert.Equal(expected.Select(z => z.Name), actual.Select(z => z.Name));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Configuration, a.Configuration);
            Assert.Equal(e.Settings.Keys, a.Settings.Keys);
            foreach (var key in e.Settings.Keys)
            {
                Assert.Equal(e.Settings[key], a.Settings[key]);
            }

            Assert.Equal(e.IsActive, a.IsActive);
            Assert.Equal(e.IsDefault, a.IsDefault);
        }
    }

    [Fact]
    public async Task Get_state_reads_every_zone_over_dbus_in_process_and_runs_no_program()
    {
        var bus = LabBus();
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Running, state.State);
        Assert.Equal("dbus", state.ZonesReadWith);
        Assert.Empty(runner.Inner.Calls);
        Assert.Equal("public", state.DefaultZone);
        Assert.Equal(["dmz", "public", "trusted"], state.ActiveZones);
        Assert.Equal("firewalld is running.", state.Message);
        Assert.All(bus.Calls, c => Assert.Equal(TimeSpan.FromSeconds(5), c.Timeout));

        var cmd = await FirewalldReader.GetStateAsync(new CapturedRunner(FirewallCmd), FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("firewall-cmd", cmd.ZonesReadWith);
        AssertSameZones(cmd.Zones, state.Zones);
        AssertSameZones(cmd.PermanentZones, state.PermanentZones);
        Assert.Equal(cmd.ActiveZones, state.ActiveZones);
    }

    [Fact]
    public async Task A_diagnosis_reads_the_permanent_side_of_the_zones_it_needs_only_and_gets_them_as_the_full_read_does()
    {
        var bus = LabBus();
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var full = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        var fullCalls = bus.Calls.Count;
        bus.Calls.Clear();
        IReadOnlyList<string>? asked = null;
        var some = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(),
            (d, runtime) => asked = OutsideZone.PermanentZonesNeeded(d, runtime, "ens-unbound"), CancellationToken.None);
        Assert.Equal(["public", "docker"], asked);
        Assert.Equal("dbus", some.ZonesReadWith);
        Assert.Empty(runner.Inner.Calls);
        AssertSameZones(full.Zones, some.Zones);
        AssertSameZones(full.PermanentZones.Where(z => z.Name is "public").ToList(), some.PermanentZones); // no docker zone here: not an error
        Assert.DoesNotContain(bus.Calls, c => c.Member is "listZones" or "getZoneNames" || (c.Member == "Get" && c.Arguments.Contains("name")));
        Assert.True(bus.Calls.Count < fullCalls / 2, $"{bus.Calls.Count} calls against {fullCalls}");
        // The narrowed state says so, and its port rows leave out the zones whose permanent side was not read instead of
        // calling their runtime ports "not permanent".
        Assert.False(full.PermanentZonesPartial);
        Assert.True(some.PermanentZonesPartial);
        var fullRows = FirewalldReader.GetPorts(full, new Dictionary<string, IReadOnlyList<FirewalldPortSpec>>());
        var someRows = FirewalldReader.GetPorts(some, new Dictionary<string, IReadOnlyList<FirewalldPortSpec>>());
        Assert.All(someRows, r => Assert.Contains(r.Zone, some.PermanentZones.Select(z => z.Name)));
        Assert.Equal(fullRows.Where(r => r.Zone == "public").Select(r => $"{r.Port}/{r.Protocol} {r.Runtime} {r.Permanent}"),
            someRows.Where(r => r.Zone == "public").Select(r => $"{r.Port}/{r.Protocol} {r.Runtime} {r.Permanent}"));
    }

    [Fact]
    public void The_zones_a_diagnosis_needs_follow_the_outside_zone()
    {
        var bound = new FirewalldZone("dmz", FirewalldConfiguration.Runtime, false, false, new Dictionary<string, IReadOnlyList<string>> { ["interfaces"] = ["ens3"] });
        Assert.Equal(["dmz", "public", "docker"], OutsideZone.PermanentZonesNeeded("public", [bound], "ens3"));
        Assert.Equal(["work", "docker"], OutsideZone.PermanentZonesNeeded("work", [bound], "ens4"));
        Assert.Equal(["public", "docker"], OutsideZone.PermanentZonesNeeded(null, [], null));
    }

    [Fact]
    public async Task A_failed_permanent_zone_read_falls_back_to_firewall_cmd_for_the_permanent_side()
    {
        var bus = LabBus();
        bus.Fail($"{Bus} {Main}/config {Bus}.config.getZoneByName \"public\"", "org.freedesktop.DBus.Error.NoReply");
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), (d, r) => OutsideZone.PermanentZonesNeeded(d, r, null), CancellationToken.None);
        Assert.Equal("dbus+firewall-cmd", state.ZonesReadWith);
        Assert.Equal(["--permanent --list-all-zones"], runner.Inner.Calls);
    }

    [Fact]
    public async Task Dbus_error_on_one_zone_falls_back_to_firewall_cmd_for_that_configuration_only()
    {
        var bus = LabBus();
        bus.Fail($"{Bus} {Main} {Bus}.zone.getZoneSettings2 \"work\"", "org.freedesktop.DBus.Error.UnknownMethod");
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("dbus+firewall-cmd", state.ZonesReadWith);
        Assert.Equal(["--list-all-zones"], runner.Inner.Calls);
        Assert.Contains("UnknownMethod", state.Message, StringComparison.Ordinal);
        AssertSameZones(FirewallCmdParser.ParseZones(Fx.Out("1.3.3-dbus-lab-list-all-zones"), FirewalldConfiguration.Runtime)
            .Select(z => { z.IsDefault = z.Name == "public"; return z; }).ToList(), state.Zones);
    }

    [Fact]
    public async Task Firewalld_not_on_the_bus_is_classified_by_firewall_cmd_state_without_busctl()
    {
        var bus = new CapturedBus();
        bus.Fail($"{Bus} {Main} {DBusCall.PropertiesInterface}.Get \"{Bus}\" \"state\"", "org.freedesktop.DBus.Error.ServiceUnknown");
        var inner = new CapturedRunner(new()
        {
            ["--state"] = "1.3.3-state-not-running",
            ["--get-default-zone"] = "1.3.3-get-default-zone",
            ["--list-all-zones"] = "1.3.3-dbus-lab-list-all-zones",
            ["--permanent --list-all-zones"] = "1.3.3-dbus-lab-list-all-zones-permanent",
            ["busctl unused"] = "1.3.3-state-not-running",
        });
        var state = await FirewalldReader.GetStateAsync(new BusRunner(inner, bus), FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.NotRunning, state.State);
        Assert.DoesNotContain(inner.Calls, c => c.StartsWith("busctl ", StringComparison.Ordinal));
    }

    private const string StateCall = $"{Bus} {Main} {DBusCall.PropertiesInterface}.Get \"{Bus}\" \"state\"";
    private const string NameHasOwner = $"org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \"{Bus}\"";

    [Fact]
    public async Task Hung_firewalld_that_owns_its_name_is_not_responding_at_once_and_no_firewall_cmd_runs()
    {
        // Before: the state call's 5 s timeout, then firewall-cmd --state and the listings (30 s each, hanging on the same process).
        var bus = new CapturedBus();
        bus.Hang(StateCall);
        bus.AddValues(NameHasOwner, true);
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Unreachable, state.State);
        Assert.Contains("firewalld is not responding", state.Message, StringComparison.Ordinal);
        Assert.Contains("firewall-cmd was not tried", state.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Inner.Calls);
        Assert.Equal([StateCall, NameHasOwner], bus.Calls.Select(c => c.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(2), bus.Calls[1].Timeout);
    }

    [Fact]
    public async Task State_timeout_without_an_owner_still_falls_back_to_firewall_cmd()
    {
        // the state call timed out but nobody owns the name (firewalld just went away): firewall-cmd classifies it
        var bus = new CapturedBus();
        bus.Hang(StateCall);
        bus.AddValues(NameHasOwner, false);
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Contains("--state", runner.Inner.Calls);
        Assert.Equal(FirewalldRunState.Running, state.State);
        Assert.Equal("firewall-cmd", state.ZonesReadWith);
    }

    [Fact]
    public async Task State_timeout_with_a_bus_daemon_that_does_not_answer_either_starts_no_firewall_cmd()
    {
        // a hung dbus-daemon, not firewalld: firewall-cmd speaks through the same daemon and would wait its 30 s too
        var bus = new CapturedBus();
        bus.Hang(StateCall);
        bus.Hang(NameHasOwner);
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Unreachable, state.State);
        Assert.Contains("the D-Bus system bus is not responding", state.Message, StringComparison.Ordinal);
        Assert.Contains("busctl and firewall-cmd were not tried", state.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Inner.Calls);
    }

    [Fact]
    public async Task A_bus_whose_connect_timed_out_starts_neither_busctl_nor_firewall_cmd_and_the_policies_say_why()
    {
        var bus = new CapturedBus { Unavailable = true, NotResponding = true };
        var runner = new BusRunner(new CapturedRunner(FirewallCmd), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal(FirewalldRunState.Unreachable, state.State);
        Assert.Contains("dbus-daemon hung or stopped", state.Message, StringComparison.Ordinal);
        Assert.Contains("busctl and firewall-cmd were not tried", state.Message, StringComparison.Ordinal);
        var (policies, error) = await FirewalldPolicies.ReadHostAsync(runner, CancellationToken.None);
        Assert.Null(policies);
        Assert.Contains("dbus-daemon hung or stopped", error, StringComparison.Ordinal);
        Assert.Empty(runner.Inner.Calls);
    }

    [Fact]
    public async Task No_system_bus_takes_the_busctl_road_as_before()
    {
        var bus = new CapturedBus { Unavailable = true };
        var runner = new BusRunner(new CapturedRunner(new()
        {
            ["busctl --system --auto-start=no get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state"] = "../busctl/252-firewalld-state-no-dbus",
            ["--state"] = "1.3.3-state-running",
            ["--get-default-zone"] = "1.3.3-get-default-zone",
            ["--list-all-zones"] = "1.3.3-dbus-lab-list-all-zones",
            ["--permanent --list-all-zones"] = "1.3.3-dbus-lab-list-all-zones-permanent",
        }), bus);
        var state = await FirewalldReader.GetStateAsync(runner, FirewalldReaderTests.Host(), CancellationToken.None);
        Assert.Equal("firewall-cmd", state.ZonesReadWith);
        Assert.Contains(runner.Inner.Calls, c => c.StartsWith("busctl ", StringComparison.Ordinal));
    }

    [Fact]
    public void Zone_settings_values_map_like_the_busctl_road()
    {
        var reply = CapturedBus.Plain(Fx.Out(Dir + "runtime-getZoneSettings2-public"), property: false);
        var zone = FirewalldDbusReader.ZoneFromSettings("public", FirewalldConfiguration.Runtime, (IReadOnlyDictionary<string, object?>)reply[0]!);
        var viaBusctl = FirewalldBusctlParser.ParseZoneSettings("public", FirewalldConfiguration.Runtime, 0, Fx.Out(Dir + "runtime-getZoneSettings2-public"))!;
        AssertSameZones([viaBusctl], [zone]);
        Assert.Equal(["5000/tcp", "8000-8010/udp", "7/sctp"], zone.Settings["ports"]);
    }
}

/// <summary>Hands out captured D-Bus replies by call (<see cref="DBusCall.ToString"/>), as plain values.</summary>
internal sealed class CapturedBus : ISystemBus
{
    private readonly Dictionary<string, IReadOnlyList<object?>> _replies = [];
    private readonly Dictionary<string, (string Name, string Message)> _errors = [];

    public bool Unavailable { get; init; }

    /// <summary>With <see cref="Unavailable"/>: the bus's socket is there but its daemon did not answer the connect.</summary>
    public bool NotResponding { get; init; }

    public List<DBusCall> Calls { get; } = [];

    public void Add(string call, string fixture, bool property = false) => _replies[call] = Plain(Fx.Out(fixture), property);

    public void AddValues(string call, params object?[] values) => _replies[call] = values;

    public void Fail(string call, string errorName, string message = "captured error") => _errors[call] = (errorName, message);

    /// <summary>The call gets no answer (as from a SIGSTOPped service): DBusTimeoutException.</summary>
    public void Hang(string call) => _errors[call] = (HangMark, HangMark);

    private const string HangMark = "(hang)";

    public IReadOnlyList<object?> Reply(string call) => _replies[call];

    public Task<IReadOnlyList<object?>> CallAsync(DBusCall call, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add(call);
        }

        if (Unavailable)
        {
            throw new DBusUnavailableException(NotResponding ? "The D-Bus system bus at unix:path=/run/dbus/system_bus_socket did not answer within 5 s (dbus-daemon hung or stopped)." : "no bus")
            {
                BusNotResponding = NotResponding,
            };
        }

        var key = call.ToString();
        var failed = _errors.TryGetValue(key, out var error);
        if (failed && error.Name == HangMark)
        {
            throw new DBusTimeoutException(call);
        }

        if (failed)
        {
            throw new DBusCallFailedException(call, error.Name, error.Message);
        }

        return _replies.TryGetValue(key, out var reply) ? Task.FromResult(reply)
            : throw new DBusCallFailedException(call, "org.freedesktop.DBus.Error.UnknownObject", "no capture for " + key);
    }

    /// <summary>
    /// A busctl --json=short capture as the reply's plain values: <c>call</c> prints the reply's arguments under
    /// <c>data</c>; <c>get-property</c> prints the property's value (Properties.Get's one variant, unwrapped).
    /// </summary>
    public static IReadOnlyList<object?> Plain(string json, bool property)
    {
        using var doc = JsonDocument.Parse(json);
        var type = doc.RootElement.GetProperty("type").GetString()!;
        var data = doc.RootElement.GetProperty("data");
        if (property)
        {
            return [Value(type, data)];
        }

        var types = SplitTypes(type);
        return types.Select((t, i) => Value(t, data[i])).ToList();
    }

    private static List<string> SplitTypes(string signature)
    {
        var types = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < signature.Length; i++)
        {
            var c = signature[i];
            if (c is '(' or '{')
            {
                depth++;
            }
            else if (c is ')' or '}')
            {
                depth--;
            }

            if (depth == 0 && c != 'a')
            {
                types.Add(signature[start..(i + 1)]);
                start = i + 1;
            }
        }

        return types;
    }

    private static object? Value(string type, JsonElement data) => type[0] switch
    {
        's' or 'o' or 'g' => data.GetString(),
        'b' => data.GetBoolean(),
        'i' => data.GetInt32(),
        'u' => data.GetUInt32(),
        'x' => data.GetInt64(),
        't' => data.GetUInt64(),
        'v' => Value(data.GetProperty("type").GetString()!, data.GetProperty("data")),
        '(' => SplitTypes(type[1..^1]).Select((t, i) => Value(t, data[i])).ToArray(),
        'a' when type[1] == '{' => data.EnumerateObject().ToDictionary(p => p.Name, p => Value(SplitTypes(type[2..^1])[1], p.Value), StringComparer.Ordinal)
            as IReadOnlyDictionary<string, object?>,
        'a' => data.EnumerateArray().Select(e => Value(type[1..], e)).ToArray(),
        _ => throw new NotSupportedException(type),
    };
}

/// <summary>A captured runner with a system bus.</summary>
[SupportedOSPlatform("linux")]
internal sealed class BusRunner(CapturedRunner inner, ISystemBus bus) : INativeRunner
{
    public CapturedRunner Inner { get; } = inner;

    public ISystemBus? SystemBus { get; } = bus;

    public string? Resolve(string program) => Inner.Resolve(program);

    public Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default) => Inner.RunAsync(command, cancellationToken);
}

internal static class ObjectExtensions
{
    public static T As<T>(this object value) => (T)value;
}
