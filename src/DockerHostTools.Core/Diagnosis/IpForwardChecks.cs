using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>Cause 3: turns the forwarding state of each family into findings.</summary>
public static class IpForwardChecks
{
    /// <summary>The findings for one family's state plus the reset risks found on the host.</summary>
    public static IEnumerable<Finding> Evaluate(IpForwardState state, IReadOnlyList<string> resetRisks)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(resetRisks);
        var evidence = Evidence(state);
        var isV4 = state.Family == IpFamily.IPv4;
        // IPv6 forwarding matters only where containers publish over IPv6: a problem there is a warning at most.
        var blocking = isV4 ? FindingSeverity.Error : FindingSeverity.Warning;
        var family = isV4 ? string.Empty : " -Family IPv6";
        var repair = $"Repair-IpForward{family} -Confirm:$false";
        var shell = $"echo '{state.Key} = 1' > {IpForward.DefaultDropInPath} && sysctl -p {IpForward.DefaultDropInPath}";

        if (state.RuntimeEnabled == false)
        {
            yield return new Finding(FindingIds.IpForwardDisabled, blocking, state.Key,
                $"{state.Key} is 0: the host does not forward packets to containers, so outside clients time out on published ports.",
                evidence, [repair, shell], canRepair: true);
        }

        switch (state.Status)
        {
            case IpForwardStatus.Overridden:
            case IpForwardStatus.PersistedDisabled:
            case IpForwardStatus.RuntimeDisabled when state.PersistedEnabled == false:
                yield return new Finding(FindingIds.IpForwardOverridden, FindingSeverity.Warning, state.Key,
                    $"{state.PersistedSource!.Source} sets {state.Key} = {state.PersistedSource.Value} and is applied last: forwarding goes off at the next boot, network restart or sysctl --system.",
                    evidence, [repair.Replace("-Confirm", "-Force -Confirm", StringComparison.Ordinal), $"sed -i 's/^{state.PersistedSource.Key}/# &/' {state.PersistedSource.File}"], canRepair: true);
                break;
            case IpForwardStatus.NotPersisted:
            case IpForwardStatus.RuntimeDisabled when state.PersistedEnabled is null:
                yield return new Finding(FindingIds.IpForwardNotPersisted, FindingSeverity.Warning, state.Key,
                    $"No sysctl file sets {state.Key}: it is on only because dockerd switched it on, and a network restart or reboot switches it off.",
                    evidence, [repair, shell], canRepair: true);
                break;
        }

        if (isV4)
        {
            foreach (var risk in resetRisks)
            {
                yield return new Finding(FindingIds.IpForwardResetRisk, FindingSeverity.Warning, state.Key,
                    $"{risk}: it can switch forwarding off again whatever sysctl.d says.",
                    [risk], ["Remove the setting (or set it to yes), then: Repair-IpForward -Confirm:$false"], canRepair: false);
            }
        }
    }

    private static string[] Evidence(IpForwardState s)
    {
        var list = new List<string> { $"/proc/sys/{s.Key.Replace('.', '/')} = {s.RuntimeValue ?? "(unreadable)"}" };
        list.AddRange(s.Assignments.Select(a => $"{a.Source}: {a.Key} = {a.Value}{(a.InForce ? " (in force)" : string.Empty)}"));
        if (s.Assignments.Count == 0)
        {
            list.Add("no sysctl.d file or /etc/sysctl.conf sets it");
        }

        return [.. list];
    }
}
