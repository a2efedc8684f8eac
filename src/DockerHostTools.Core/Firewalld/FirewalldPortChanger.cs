using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Core.Firewalld;

/// <summary>A planned port change: the step to run, or the reason there is nothing to do.</summary>
public sealed class FirewalldPortPlanItem
{
    internal FirewalldPortPlanItem(FirewalldPortChange noChange)
    {
        NoChange = noChange;
    }

    internal FirewalldPortPlanItem(RepairStep step, FirewalldPortChange done)
    {
        Step = step;
        Done = done;
    }

    /// <summary>The step to run (ask ShouldProcess first), or null when there is nothing to do.</summary>
    public RepairStep? Step { get; }

    /// <summary>The result to report once <see cref="Step"/> ran.</summary>
    public FirewalldPortChange? Done { get; }

    /// <summary>The result to report when there is nothing to do.</summary>
    public FirewalldPortChange? NoChange { get; }
}

/// <summary>
/// Plans opening and closing ports with <c>firewall-cmd</c>: checks the input, the zone (INVALID_ZONE) and that
/// firewalld runs before anything changes, and plans nothing for a port that is already as asked (idempotent).
/// Runtime and permanent are changed directly (no <c>--reload</c>, which would flush Docker's chains).
/// </summary>
public static class FirewalldPortChanger
{
    /// <summary>Plans adding (<paramref name="add"/> true) or removing a port in the named configurations of a zone (default zone when null).</summary>
    /// <exception cref="FirewalldNotRunningException">firewalld does not run (firewall-cmd changes nothing then, not even --permanent).</exception>
    /// <exception cref="FirewalldInputException">The zone does not exist.</exception>
    public static IReadOnlyList<FirewalldPortPlanItem> Plan(INativeRunner runner, FirewalldState state, FirewalldPortSpec spec, string? zone,
        IReadOnlyCollection<FirewalldConfiguration> configurations, bool add)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(configurations);
        if (state.State != FirewalldRunState.Running)
        {
            throw new FirewalldNotRunningException(state.State,
                $"firewalld is {state.State}; firewall-cmd can change ports only while it runs. Start it (systemctl start firewalld) and try again. Nothing was changed. {state.Message}");
        }

        var zoneName = zone ?? state.DefaultZone ?? throw new FirewalldNotRunningException(state.State, "firewalld reported no default zone; name one with -Zone.");
        var items = new List<FirewalldPortPlanItem>();
        foreach (var configuration in configurations.Distinct().Order())
        {
            var zones = configuration == FirewalldConfiguration.Runtime ? state.Zones : state.PermanentZones;
            var z = zones.FirstOrDefault(x => x.Name == zoneName)
                ?? throw new FirewalldInputException(FirewalldInputError.InvalidZone, zoneName,
                    $"firewalld has no zone '{zoneName}' in its {configuration.ToString().ToLowerInvariant()} configuration (INVALID_ZONE). " +
                    $"Zones: {string.Join(", ", zones.Select(x => x.Name))}. Nothing was changed.");
            var where = configuration == FirewalldConfiguration.Runtime ? "runtime" : "permanent";
            var exact = z.PortSpecs.Contains(spec);
            var covering = z.PortSpecs.FirstOrDefault(p => p.Covers(spec));
            if (add && covering is not null)
            {
                items.Add(new(new FirewalldPortChange(zoneName, spec, configuration, "Add", false,
                    $"{spec} is already open in zone {zoneName} ({where}{(exact ? string.Empty : ", by port " + covering)}): no change.")));
                continue;
            }

            if (!add && !exact)
            {
                var note = covering is not null ? $" It is still open through the range {covering}." : string.Empty;
                items.Add(new(new FirewalldPortChange(zoneName, spec, configuration, "Remove", false,
                    $"{spec} is not a port entry of zone {zoneName} ({where}): no change.{note}")));
                continue;
            }

            var args = new List<string>();
            if (configuration == FirewalldConfiguration.Permanent)
            {
                args.Add("--permanent");
            }

            args.Add("--zone=" + zoneName);
            args.Add((add ? "--add-port=" : "--remove-port=") + spec);
            var command = FirewalldReader.Command([.. args]);
            var verb = add ? "Open" : "Close";
            var step = new RepairStep(add ? "AddPort" : "RemovePort", $"zone {zoneName} ({where})", $"{verb} port {spec}", command.ToString(),
                async ct =>
                {
                    var result = await runner.RunAsync(command, ct).ConfigureAwait(false);
                    if (!result.Succeeded)
                    {
                        throw new FirewallCmdException(result);
                    }
                });
            items.Add(new(step, new FirewalldPortChange(zoneName, spec, configuration, add ? "Add" : "Remove", true,
                $"{(add ? "Opened" : "Closed")} {spec} in zone {zoneName} ({where}).")));
        }

        return items;
    }
}
