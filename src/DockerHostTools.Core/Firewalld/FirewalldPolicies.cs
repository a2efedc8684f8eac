using System.Globalization;
using System.Text.Json;
using DockerHostTools.Core.DBus;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Firewalld;

/// <summary>
/// One firewalld policy (firewalld 0.9+) of the runtime configuration: the traffic from its ingress zones to its egress
/// zones, and its target. Docker 27 and later create <c>docker-forwarding</c> (ingress <c>ANY</c>, egress <c>docker</c>,
/// target <c>ACCEPT</c>).
/// </summary>
public sealed class FirewalldPolicy
{
    /// <summary>Creates a policy.</summary>
    public FirewalldPolicy(string name, string target, IReadOnlyList<string> ingressZones, IReadOnlyList<string> egressZones, int? priority)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Target = string.IsNullOrEmpty(target) ? "CONTINUE" : target;
        IngressZones = ingressZones ?? [];
        EgressZones = egressZones ?? [];
        Priority = priority;
    }

    /// <summary>The policy's name.</summary>
    public string Name { get; }

    /// <summary>The target: <c>CONTINUE</c> (firewalld's default), <c>ACCEPT</c>, <c>DROP</c>, <c>REJECT</c>.</summary>
    public string Target { get; }

    /// <summary>The zones traffic comes from (<c>ANY</c>, <c>HOST</c> or zone names).</summary>
    public IReadOnlyList<string> IngressZones { get; }

    /// <summary>The zones traffic goes to.</summary>
    public IReadOnlyList<string> EgressZones { get; }

    /// <summary>The priority, when firewalld says.</summary>
    public int? Priority { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({string.Join(",", IngressZones)} -> {string.Join(",", EgressZones)}: {Target})";
}

/// <summary>
/// Reads firewalld's runtime policies: over D-Bus in process (<c>policy.getPolicies</c>, then
/// <c>policy.getPolicySettings</c> per policy, concurrently), else through <c>busctl --json=short</c> (the same calls),
/// else <c>firewall-cmd --list-all-policies</c>. A firewalld without policies (before 0.9: D-Bus has no such method,
/// firewall-cmd no such option) reads as null, not as an error.
/// </summary>
public static class FirewalldPolicies
{
    private const string BusName = "org.fedoraproject.FirewallD1";
    private const string BusPath = "/org/fedoraproject/FirewallD1";
    private const string PolicyInterface = BusName + ".policy";

    /// <summary>Docker's policy (Docker 27+).</summary>
    public const string DockerForwarding = "docker-forwarding";

    /// <summary>The policies over D-Bus in process; null when firewalld has no policy API; error text when a call failed.</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<(IReadOnlyList<FirewalldPolicy>? Policies, string? Error)> ReadAsync(ISystemBus bus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        try
        {
            return await ReadCoreAsync(bus, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusUnavailableException ex)
        {
            return (null, "firewalld policies: " + ex.Message);
        }
    }

    private static async Task<(IReadOnlyList<FirewalldPolicy>? Policies, string? Error)> ReadCoreAsync(ISystemBus bus, CancellationToken cancellationToken)
    {
        try
        {
            var list = await bus.CallAsync(new DBusCall(BusName, BusPath, PolicyInterface, "getPolicies"), cancellationToken).ConfigureAwait(false);
            if (list is not [object?[] names] || !names.All(n => n is string))
            {
                return (null, "firewalld's getPolicies gave an unexpected answer");
            }

            var settings = await Task.WhenAll(names.Cast<string>().Select(n =>
                bus.CallAsync(new DBusCall(BusName, BusPath, PolicyInterface, "getPolicySettings", n), cancellationToken))).ConfigureAwait(false);
            var policies = new List<FirewalldPolicy>();
            for (var i = 0; i < names.Length; i++)
            {
                if (settings[i] is not [IReadOnlyDictionary<string, object?> dict])
                {
                    return (null, $"firewalld's getPolicySettings({names[i]}) gave an unexpected answer");
                }

                policies.Add(FromSettings((string)names[i]!, dict));
            }

            return (policies, null);
        }
        catch (DBusCallFailedException ex) when (ex.ErrorName == "org.freedesktop.DBus.Error.UnknownMethod" || ex.ErrorName == "org.freedesktop.DBus.Error.UnknownInterface")
        {
            return (null, null); // firewalld before 0.9: no policies
        }
        catch (DBusCallFailedException ex) when (ex.ErrorName is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner")
        {
            return (null, null); // firewalld is not on the bus: not running, which its state says
        }
        catch (Exception ex) when (ex is DBusCallFailedException or DBusTimeoutException)
        {
            return (null, "firewalld policies: " + ex.Message);
        }
    }

    /// <summary>
    /// The policies on the fastest road this runner has: D-Bus in process when it has a system bus, else busctl, else
    /// <c>firewall-cmd --list-all-policies</c>. Null policies (with the reason, or none when firewalld simply has no policy
    /// API) when firewalld is not running or they cannot be read. Runs beside <c>FirewalldReader.GetStateAsync</c>
    /// (<see cref="Diagnosis.HostReader"/>), whose run state decides whether they are kept (<see cref="Apply"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<(IReadOnlyList<FirewalldPolicy>? Policies, string? Error)> ReadHostAsync(INativeRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        try
        {
            return await ReadAnyRoadAsync(runner, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // a failed policy read is a line in the result, never the failure of the read beside it
            return (null, "the policies could not be read: " + ex.Message);
        }
    }

    private static async Task<(IReadOnlyList<FirewalldPolicy>? Policies, string? Error)> ReadAnyRoadAsync(INativeRunner runner, CancellationToken cancellationToken)
    {
        if (runner.SystemBus is { } bus)
        {
            try
            {
                return await ReadCoreAsync(bus, cancellationToken).ConfigureAwait(false);
            }
            catch (DBusUnavailableException ex) when (ex.BusNotResponding)
            {
                return (null, "firewalld policies: " + ex.Message);   // busctl and firewall-cmd would wait on the same daemon
            }
            catch (DBusUnavailableException)
            {
                // no bus in process after all: busctl or firewall-cmd, as FirewalldReader does
            }
        }

        if (runner.Resolve(FirewalldReader.Busctl) is not null)
        {
            return (await ReadOverBusctlAsync(runner, cancellationToken).ConfigureAwait(false), null);
        }

        return runner.Resolve(FirewalldReader.FirewallCmd) is null ? (null, null) : (await ReadWithFirewallCmdAsync(runner, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>Keeps <paramref name="policies"/> on <paramref name="state"/> when firewalld runs (a stopped firewalld has none in force).</summary>
    public static FirewalldState Apply(FirewalldState state, IReadOnlyList<FirewalldPolicy>? policies)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Policies = state.IsRunning ? policies : null;
        return state;
    }

    /// <summary>A policy from its settings dictionary as D-Bus gives it (<c>a{sv}</c> of <c>getPolicySettings</c>).</summary>
    public static FirewalldPolicy FromSettings(string name, IReadOnlyDictionary<string, object?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        object? Get(string key) => settings.TryGetValue(key, out var v) ? v : null;
        List<string> Strings(string key) => Get(key) is object?[] a ? a.OfType<string>().ToList() : [];
        int? priority = Get("priority") switch
        {
            int i => i,
            long l => (int)l,
            _ => null,
        };
        return new FirewalldPolicy(name, Get("target") as string ?? "CONTINUE", Strings("ingress_zones"), Strings("egress_zones"), priority);
    }

    /// <summary>
    /// A policy from what <c>busctl --json=short call ... getPolicySettings s NAME</c> printed; null when the call failed
    /// or printed anything else.
    /// </summary>
    public static FirewalldPolicy? ParseBusctlSettings(string name, int exitCode, string standardOutput)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (exitCode != 0 || string.IsNullOrWhiteSpace(standardOutput))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(standardOutput);
            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() != 1
                || data[0].ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var dict = data[0];
            JsonElement? Value(string key) => dict.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("data", out var d) ? d : null;
            List<string> Strings(string key) => Value(key) is { ValueKind: JsonValueKind.Array } a
                ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            var target = Value("target") is { ValueKind: JsonValueKind.String } t ? t.GetString()! : "CONTINUE";
            int? priority = Value("priority") is { ValueKind: JsonValueKind.Number } p && p.TryGetInt32(out var n) ? n : null;
            return new FirewalldPolicy(name, target, Strings("ingress_zones"), Strings("egress_zones"), priority);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads <c>firewall-cmd --list-all-policies</c> (or <c>--info-policy=NAME</c>): a header line with the name, then
    /// <c>  key: values</c> lines (<c>priority</c>, <c>target</c>, <c>ingress-zones</c>, <c>egress-zones</c>...), policies
    /// separated by blank lines.
    /// </summary>
    public static IReadOnlyList<FirewalldPolicy> ParseListing(string standardOutput)
    {
        // The same block shape as a zone listing: one parser for both, the keys read here.
        return FirewallCmdParser.ParseZones(standardOutput, FirewalldConfiguration.Runtime).Select(b =>
        {
            IReadOnlyList<string> Many(string key) => b.Settings.TryGetValue(key, out var v) ? v : [];
            var priority = Many("priority") is [var p] && int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
            return new FirewalldPolicy(b.Name, Many("target") is [var t, ..] ? t : "CONTINUE", Many("ingress-zones"), Many("egress-zones"), priority);
        }).ToList();
    }

    /// <summary>
    /// The policies through <c>busctl</c> (where there is no bus in process): <c>getPolicies</c>, then
    /// <c>getPolicySettings</c> per policy, concurrently. Null policies when firewalld has no policy API or a call failed.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<IReadOnlyList<FirewalldPolicy>?> ReadOverBusctlAsync(INativeRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var list = await TryRunAsync(runner, FirewalldReader.BusctlJsonCommand("call", BusName, BusPath, PolicyInterface, "getPolicies"), cancellationToken).ConfigureAwait(false);
        var names = list is null ? null : FirewalldBusctlParser.ParseStringArray(list.ExitCode, list.StandardOutput);
        if (names is null)
        {
            return null;
        }

        var settings = await Task.WhenAll(names.Select(n =>
            TryRunAsync(runner, FirewalldReader.BusctlJsonCommand("call", BusName, BusPath, PolicyInterface, "getPolicySettings", "s", n), cancellationToken))).ConfigureAwait(false);
        var policies = names.Zip(settings, (n, s) => s is null ? null : ParseBusctlSettings(n, s.ExitCode, s.StandardOutput)).ToList();
        return policies.Contains(null) ? null : policies.OfType<FirewalldPolicy>().ToList();
    }

    /// <summary>The policies through <c>firewall-cmd --list-all-policies</c>; null when it failed (firewalld before 0.9 has no such option).</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<IReadOnlyList<FirewalldPolicy>?> ReadWithFirewallCmdAsync(INativeRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var r = await TryRunAsync(runner, FirewalldReader.Command("--list-all-policies"), cancellationToken).ConfigureAwait(false);
        return r is { Succeeded: true } ? ParseListing(r.StandardOutput) : null;
    }

    private static async Task<NativeResult?> TryRunAsync(INativeRunner runner, NativeCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException)
        {
            return null;
        }
    }
}
